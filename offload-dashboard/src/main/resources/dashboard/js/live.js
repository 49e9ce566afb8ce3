// One EventSource for the whole page. Views subscribe with onJobEvent; after a reconnect they get
// {type: 'resync'} because events may have been missed while disconnected.

const listeners = new Set();
let source = null;
let statusCallback = () => {};
let retryMs = 1000;
let wasDisconnected = false;

function emit(event) {
  for (const l of listeners) {
    try { l(event); } catch (e) { console.error('event listener failed', e); }
  }
}

function connect() {
  source = new EventSource('/events');
  source.onopen = () => {
    retryMs = 1000;
    statusCallback('live');
    if (wasDisconnected) {
      wasDisconnected = false;
      emit({ type: 'resync' });
    }
  };
  source.onmessage = (m) => {
    let e;
    try { e = JSON.parse(m.data); } catch { return; }
    e.type = 'job';
    emit(e);
  };
  source.onerror = () => {
    wasDisconnected = true;
    if (source.readyState === EventSource.CLOSED) {
      // The browser gave up (e.g. a 503 while the server drains): try again ourselves.
      statusCallback('offline');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    } else {
      statusCallback('reconnecting');
    }
  };
}

export function startLive(onStatus) {
  statusCallback = onStatus;
  connect();
}

export function onJobEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
