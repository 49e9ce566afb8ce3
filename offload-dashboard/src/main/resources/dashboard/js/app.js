// The router: #/ overview, #/jobs?state=&task=&queue=&limit=&cursor= list, #/jobs/{id} one job.
import { startLive } from './live.js';
import * as overview from './overview.js';
import * as jobsView from './jobs.js';
import * as jobView from './job.js';
import { h, fill } from './dom.js';
import { ensureSignedIn, signOut } from './session.js';

const main = document.getElementById('main');
const toast = document.getElementById('toast');
const toastError = document.getElementById('toast-error');
const toastTimers = new Map();
let current = null;
let firstRoute = true;

const ctx = {
  /** Shows `message` for a few seconds; screen readers hear it (errors assertively). */
  notify(message, { error = false } = {}) {
    const el = error ? toastError : toast;
    el.textContent = '';
    clearTimeout(toastTimers.get(el));
    // Set after a tick so a repeated identical message is announced again.
    setTimeout(() => { el.textContent = message; }, 30);
    toastTimers.set(el, setTimeout(() => { el.textContent = ''; }, error ? 10_000 : 6_000));
  },
  /** Asks before something that cannot be undone; resolves true when confirmed. */
  confirm(title, text, okLabel) {
    const dialog = document.getElementById('confirm');
    document.getElementById('confirm-title').textContent = title;
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-ok').textContent = okLabel;
    const opener = document.activeElement;
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => {
        if (opener && opener.isConnected) opener.focus();
        resolve(dialog.returnValue === 'ok');
      }, { once: true });
      dialog.returnValue = 'cancel';
      dialog.showModal();
    });
  },
};

function parse(hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  return { path, params: new URLSearchParams(query) };
}

function route() {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return; // in-page anchors such as the skip link
  const { path, params } = parse(hash);
  if (current?.destroy) current.destroy();
  fill(main);
  main.removeAttribute('aria-busy');
  let nav = null;
  const jobMatch = path.match(/^\/jobs\/([^/]+)$/);
  if (path === '/' || path === '') {
    current = overview.mount(main, params, ctx);
    nav = 'overview';
  } else if (path === '/jobs') {
    current = jobsView.mount(main, params, ctx);
    nav = 'jobs';
  } else if (jobMatch) {
    current = jobView.mount(main, decodeURIComponent(jobMatch[1]), ctx);
    nav = 'jobs';
  } else {
    current = null;
    main.append(h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/' }, 'Go to the overview.')));
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${current?.title || 'Not found'} · Offload`;
  if (!firstRoute) {
    // Moving focus to the new heading tells keyboard and screen reader users the page changed.
    const heading = main.querySelector('h1');
    if (heading) heading.focus();
  }
  firstRoute = false;
}

document.querySelector('[data-skip]').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

const conn = document.getElementById('conn');
const connText = document.getElementById('conn-text');
const CONN_TEXT = { live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline, retrying…', connecting: 'Connecting…' };
document.getElementById('sign-out').addEventListener('click', () => signOut());

ensureSignedIn(main).then(() => {
  startLive((status) => {
    conn.dataset.state = status;
    connText.textContent = CONN_TEXT[status] || status;
  });
  window.addEventListener('hashchange', route);
  route();
}, (err) => {
  fill(main, h('h1', {}, 'Cannot reach the server'), h('p', {}, err.message));
});
