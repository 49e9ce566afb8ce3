// Small DOM helpers: every value goes in as text or an attribute, never as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el && el.namespaceURI !== SVG_NS) el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An HTML element: h('a', {href: '#/'}, 'text', child...). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replaces the children of `el`, skipping null and false (replaceChildren would print "null"). */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

export function section(id, title, ...children) {
  return h('section', { 'aria-labelledby': id, class: 'panel' }, h('h2', { id }, title), ...children);
}

/** A table in a keyboard-scrollable region (narrow screens scroll it sideways). */
export function table(caption, headers, bodyRows, opts = {}) {
  const t = h('table', { class: opts.class },
    h('caption', { class: opts.captionVisible ? null : 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, headers.map((x) => {
      const label = typeof x === 'string' ? x : x.label;
      return h('th', { scope: 'col', class: typeof x === 'string' ? null : x.class }, label);
    }))),
    h('tbody', {}, bodyRows));
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, t);
}

export const STATES = ['scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];

export function badge(state) {
  return h('span', { class: `badge badge-${state}`, dataset: { state } }, state);
}

export function shortId(id) {
  return id ? id.slice(-8) : '';
}

export function jobLink(id) {
  return h('a', { href: `#/jobs/${encodeURIComponent(id)}`, class: 'mono', title: id, 'aria-label': `Job ${shortId(id)}` }, shortId(id));
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** A <time> showing the clock time (today) or date and time, full value in its title. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return h('time', { datetime: iso, title: d.toISOString() }, today ? timeFmt.format(d) : dateTimeFmt.format(d));
}

export function formatClock(iso) {
  return timeFmt.format(new Date(iso));
}

/** 0.4 ms, 12 ms, 1.2 s, 3 min 4 s, 2 h 5 min. */
export function duration(ms) {
  if (ms == null || Number.isNaN(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min ${totalS % 60} s`;
  return `${Math.floor(totalS / 3600)} h ${Math.floor((totalS % 3600) / 60)} min`;
}

export function between(fromIso, toIso) {
  if (!fromIso || !toIso) return null;
  return new Date(toIso) - new Date(fromIso);
}

/** "5 s ago", "3 min ago". */
export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - new Date(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

export function number(n) {
  return new Intl.NumberFormat().format(n ?? 0);
}

/** Calls fn at most once per `ms`, trailing: bursts of events cause one refresh. */
export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
  wrapped.cancel = () => { clearTimeout(timer); timer = null; };
  return wrapped;
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}
