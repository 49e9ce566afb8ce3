// Throughput and latency charts of the last hour, drawn as inline SVG from /dashboard/api/series.
import { s, h, formatClock, duration, number, table } from './dom.js';

const W = 720;
const H = 210;
const PAD = { l: 56, r: 14, t: 14, b: 30 };
const PLOT_W = W - PAD.l - PAD.r;
const PLOT_H = H - PAD.t - PAD.b;
let uid = 0;

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function xAxis(minutes) {
  const n = minutes.length;
  const g = s('g', { class: 'axis x-axis' });
  for (let i = n - 1; i >= 0; i -= 15) {
    const x = PAD.l + (i + 0.5) * (PLOT_W / n);
    g.append(
      s('line', { x1: x, x2: x, y1: PAD.t + PLOT_H, y2: PAD.t + PLOT_H + 4 }),
      s('text', { x, y: H - 8, 'text-anchor': 'middle' }, formatClock(minutes[i].start).slice(0, 5)));
  }
  return g;
}

function svgFrame(titleText, descText) {
  const id = `chart-${++uid}`;
  return s('svg', {
    viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, class: 'chart',
    preserveAspectRatio: 'xMidYMid meet',
  }, s('title', { id: `${id}-t` }, titleText), s('desc', { id: `${id}-d` }, descText));
}

function legend(items) {
  return h('ul', { class: 'legend' }, items.map(([cls, label]) =>
    h('li', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), label)));
}

export function throughputChart(minutes) {
  const finished = minutes.map((m) => m.succeeded + m.failed + m.cancelled);
  const total = finished.reduce((a, b) => a + b, 0);
  const failed = minutes.reduce((a, m) => a + m.failed, 0);
  const peak = Math.max(0, ...finished);
  const peakAt = finished.indexOf(peak);
  const last = finished[finished.length - 1] ?? 0;
  const desc = total === 0
    ? 'No jobs finished in the last hour.'
    : `${number(total)} jobs finished in the last hour, ${number(failed)} failed. `
      + `Busiest minute ${formatClock(minutes[peakAt].start).slice(0, 5)} with ${number(peak)}; `
      + `${number(last)} so far this minute.`;
  const svg = svgFrame('Jobs finished per minute', desc);
  const yMax = niceMax(peak);
  const grid = s('g', { class: 'axis y-axis' });
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    const y = PAD.t + PLOT_H - (v / yMax) * PLOT_H;
    grid.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: 'grid' }),
      s('text', { x: PAD.l - 6, y: y + 4, 'text-anchor': 'end' }, number(Math.round(v * 10) / 10)));
  }
  svg.append(grid, xAxis(minutes));
  const bw = PLOT_W / minutes.length;
  const bars = s('g', { class: 'bars' });
  minutes.forEach((m, i) => {
    const n = m.succeeded + m.failed + m.cancelled;
    if (n === 0) return;
    const x = PAD.l + i * bw + 1;
    let y = PAD.t + PLOT_H;
    const g = s('g', {}, s('title', {}, `${formatClock(m.start).slice(0, 5)}: ${m.succeeded} succeeded, ${m.failed} failed, ${m.cancelled} cancelled`));
    for (const [key, cls] of [['succeeded', 'ok'], ['failed', 'bad'], ['cancelled', 'neutral']]) {
      const hgt = (m[key] / yMax) * PLOT_H;
      if (hgt <= 0) continue;
      y -= hgt;
      g.append(s('rect', { x, y, width: Math.max(1, bw - 2), height: hgt, class: `bar ${cls}` }));
    }
    bars.append(g);
  });
  svg.append(bars);
  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, 'Throughput: jobs finished per minute'),
    svg,
    legend([['ok', 'Succeeded'], ['bad', 'Failed'], ['neutral', 'Cancelled']]));
}

const LAT_SERIES = [
  ['p50', 'Run time, median', (m) => (m.run.count ? m.run.p50Ms : null)],
  ['p95', 'Run time, 95th percentile', (m) => (m.run.count ? m.run.p95Ms : null)],
  ['wait', 'Queue wait, 95th percentile', (m) => (m.wait.count ? m.wait.p95Ms : null)],
];

export function latencyChart(minutes) {
  const all = LAT_SERIES.flatMap(([, , f]) => minutes.map(f)).filter((v) => v != null);
  const recent = minutes.slice(-5);
  const runCount = recent.reduce((a, m) => a + m.run.count, 0);
  const desc = all.length === 0
    ? 'No attempts finished in the last hour.'
    : `Run time over the last 5 minutes: median ${duration(weighted(recent, 'p50Ms'))}, `
      + `95th percentile ${duration(Math.max(0, ...recent.map((m) => m.run.p95Ms)))} across ${number(runCount)} attempts.`;
  const svg = svgFrame('Latency per minute (log scale)', desc);
  // Log scale: sub-millisecond and minute-long jobs fit one chart.
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(1, ...all))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(lo * 10, ...all, 1)));
  const yOf = (v) => PAD.t + PLOT_H - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * PLOT_H;
  const grid = s('g', { class: 'axis y-axis' });
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    const y = yOf(v);
    grid.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: 'grid' }),
      s('text', { x: PAD.l - 6, y: y + 4, 'text-anchor': 'end' }, duration(v)));
  }
  svg.append(grid, xAxis(minutes));
  const bw = PLOT_W / minutes.length;
  for (const [cls, label, f] of LAT_SERIES) {
    let d = '';
    let pen = false;
    const dots = s('g', { class: `dots ${cls}` });
    minutes.forEach((m, i) => {
      const v = f(m);
      if (v == null) { pen = false; return; }
      const x = PAD.l + (i + 0.5) * bw;
      const y = yOf(v);
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
      pen = true;
      dots.append(s('circle', { cx: x, cy: y, r: 2.5 }, s('title', {}, `${formatClock(m.start).slice(0, 5)} ${label}: ${duration(v)}`)));
    });
    svg.append(s('path', { d: d.trim() || 'M0,0', class: `line ${cls}` }), dots);
  }
  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, 'Latency: run time and queue wait per minute'),
    svg,
    legend(LAT_SERIES.map(([cls, label]) => [cls, label])));
}

function weighted(minutes, key) {
  let n = 0;
  let sum = 0;
  for (const m of minutes) {
    n += m.run.count;
    sum += m.run[key] * m.run.count;
  }
  return n ? sum / n : null;
}

/** The same numbers as a table, for screen readers and for copying. */
export function seriesTable(minutes) {
  const active = minutes.filter((m) => m.submitted + m.started + m.succeeded + m.failed + m.cancelled + m.retried > 0).reverse();
  const rows = active.map((m) => h('tr', {},
    h('th', { scope: 'row' }, formatClock(m.start).slice(0, 5)),
    h('td', { class: 'num' }, number(m.submitted)),
    h('td', { class: 'num' }, number(m.succeeded)),
    h('td', { class: 'num' }, number(m.failed)),
    h('td', { class: 'num' }, number(m.cancelled)),
    h('td', { class: 'num' }, number(m.retried)),
    h('td', { class: 'num' }, m.run.count ? duration(m.run.p50Ms) : '—'),
    h('td', { class: 'num' }, m.run.count ? duration(m.run.p95Ms) : '—'),
    h('td', { class: 'num' }, m.wait.count ? duration(m.wait.p95Ms) : '—')));
  return h('details', { class: 'data-table' },
    h('summary', {}, 'Show the numbers'),
    active.length === 0
      ? h('p', {}, 'No activity in the last hour.')
      : table('Per-minute activity, newest first', ['Minute', 'Submitted', 'Succeeded', 'Failed', 'Cancelled', 'Retried', 'Run p50', 'Run p95', 'Wait p95'], rows));
}
