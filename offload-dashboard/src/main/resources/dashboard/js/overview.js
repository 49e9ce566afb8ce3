// Overview: totals per state, the last hour's charts, queues and workers. Refreshed on job events
// (throttled) and every 10 s so heartbeats and rates stay current.
import { h, fill, section, table, STATES, number, ago, time, debounce } from './dom.js';
import { api } from './api.js';
import { onJobEvent } from './live.js';
import { throughputChart, latencyChart, seriesTable } from './chart.js';

const RATE_MINUTES = 5;

export function mount(main, params, ctx) {
  const summary = h('div', { class: 'cards' });
  const charts = h('div', { class: 'charts' });
  const chartData = h('div', {});
  const queues = h('div', {}, h('p', {}, 'Loading…'));
  const workers = h('div', {}, h('p', {}, 'Loading…'));
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  let series = null;
  let stats = null;

  main.append(
    h('h1', { tabindex: '-1' }, 'Overview'),
    error,
    h('section', { 'aria-labelledby': 'totals-h', class: 'panel' },
      h('h2', { id: 'totals-h' }, 'Jobs'), summary),
    section('chart-h', 'Last hour', charts, chartData),
    section('queues-h', 'Queues', queues),
    section('workers-h', 'Workers', workers));

  function showError(e) {
    error.hidden = false;
    error.textContent = `Could not load: ${e.message}`;
  }

  async function loadStats() {
    try {
      stats = await api('/stats');
      error.hidden = true;
      render();
    } catch (e) { showError(e); }
  }

  async function loadSeries() {
    try {
      series = await api('/dashboard/api/series');
      renderCharts();
      render();
    } catch (e) { showError(e); }
  }

  function ratePerMinute(queue) {
    if (!series) return null;
    const recent = series.minutes.slice(-RATE_MINUTES);
    let n = 0;
    for (const m of recent) {
      if (queue == null) n += m.succeeded + m.failed + m.cancelled;
      else {
        const q = m.queues[queue];
        if (q) n += q.succeeded + q.failed + q.cancelled;
      }
    }
    return n / RATE_MINUTES;
  }

  function card(label, value, href, extra) {
    const content = [h('span', { class: 'card-value' }, value), h('span', { class: 'card-label' }, label), extra];
    return h('li', { class: 'card' }, href ? h('a', { href }, content) : h('div', {}, content));
  }

  function render() {
    if (!stats) return;
    const cards = STATES.map((st) => card(st[0].toUpperCase() + st.slice(1), number(stats.jobs[st]), `#/jobs?state=${st}`));
    const rate = ratePerMinute(null);
    cards.push(card('Finished / min (5 min)', rate == null ? '…' : number(Math.round(rate * 10) / 10)));
    const pool = stats.pool;
    cards.push(card('CPU pool busy', `${pool.active} / ${pool.parallelism}`, null,
      h('span', { class: 'card-extra' }, `${pool.queued} waiting of ${number(pool.queueCapacity)}`)));
    cards.push(card('Workers', number(stats.workers.length)));
    fill(summary, h('ul', { class: 'card-list' }, cards));

    const names = Object.keys(stats.queues).sort();
    fill(queues, names.length === 0
      ? h('p', {}, 'No jobs yet. Submit one with ', h('code', {}, 'POST /jobs'), '.')
      : table('Jobs per queue and state',
        ['Queue', ...STATES.map((st) => ({ label: st[0].toUpperCase() + st.slice(1), class: 'num' })), { label: 'Finished / min', class: 'num' }],
        names.map((q) => h('tr', { dataset: { queue: q } },
          h('th', { scope: 'row' }, h('a', { href: `#/jobs?queue=${encodeURIComponent(q)}` }, q)),
          STATES.map((st) => h('td', { class: 'num' },
            stats.queues[q][st] > 0
              ? h('a', { href: `#/jobs?queue=${encodeURIComponent(q)}&state=${st}`, 'aria-label': `${stats.queues[q][st]} ${st} in ${q}` }, number(stats.queues[q][st]))
              : '0')),
          h('td', { class: 'num' }, series ? number(Math.round(ratePerMinute(q) * 10) / 10) : '…')))));

    const now = Date.now();
    fill(workers, stats.workers.length === 0
      ? h('p', {}, 'No worker has reported recently. Start one with ', h('code', {}, './offload serve'), '.')
      : table('Workers sharing the store',
        ['Worker', 'Host', 'PID', { label: 'Concurrency', class: 'num' }, { label: 'Running', class: 'num' }, 'Queues', 'Started', 'Last heartbeat'],
        stats.workers.map((w) => h('tr', { dataset: { worker: w.id } },
          h('th', { scope: 'row', class: 'mono' }, w.id),
          h('td', {}, w.host),
          h('td', { class: 'num' }, w.pid),
          h('td', { class: 'num' }, number(w.concurrency)),
          h('td', { class: 'num' }, number(w.running)),
          h('td', {}, w.queues && w.queues.length ? w.queues.join(', ') : 'all'),
          h('td', {}, time(w.startedAt)),
          h('td', {}, h('time', { datetime: w.lastHeartbeatAt, title: w.lastHeartbeatAt }, ago(w.lastHeartbeatAt, now)))))));
  }

  function renderCharts() {
    fill(charts, throughputChart(series.minutes), latencyChart(series.minutes));
    const open = chartData.querySelector('details')?.open;
    const details = seriesTable(series.minutes);
    details.open = Boolean(open);
    fill(chartData, details);
  }

  const statsSoon = debounce(loadStats, 500);
  const seriesSoon = debounce(loadSeries, 2000);
  const off = onJobEvent(() => { statsSoon(); seriesSoon(); });
  const timer = setInterval(() => { loadStats(); loadSeries(); }, 10_000);
  loadStats();
  loadSeries();

  return {
    title: 'Overview',
    destroy() {
      off();
      clearInterval(timer);
      statsSoon.cancel();
      seriesSoon.cancel();
    },
  };
}
