// The job list: filters (state, task, queue), cursor paging, live row updates, cancel and retry.
import { h, fill, table, badge, jobLink, time, duration, between, STATES, debounce, shortId } from './dom.js';
import { api, jobs as jobApi } from './api.js';
import { onJobEvent } from './live.js';
import { actionButtons } from './actions.js';

export function mount(main, params, ctx) {
  const state = params.get('state') || '';
  const task = params.get('task') || '';
  const queue = params.get('queue') || '';
  const limit = params.get('limit') || '20';
  const cursor = params.get('cursor') || '';

  const taskSelect = h('select', { id: 'f-task', name: 'task' }, h('option', { value: '' }, 'Any task'), task ? h('option', { value: task }, task) : null);
  taskSelect.value = task;
  const queueInput = h('input', { id: 'f-queue', name: 'queue', type: 'text', list: 'queue-names', value: queue, autocomplete: 'off', spellcheck: 'false' });
  const queueNames = h('datalist', { id: 'queue-names' });
  const stateSelect = h('select', { id: 'f-state', name: 'state' },
    h('option', { value: '' }, 'Any state'), STATES.map((st) => h('option', { value: st }, st)));
  stateSelect.value = state;
  const limitSelect = h('select', { id: 'f-limit', name: 'limit' }, ['20', '50', '100'].map((n) => h('option', { value: n }, n)));
  limitSelect.value = limit;

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter jobs' },
    h('div', { class: 'field' }, h('label', { for: 'f-state' }, 'State'), stateSelect),
    h('div', { class: 'field' }, h('label', { for: 'f-task' }, 'Task'), taskSelect),
    h('div', { class: 'field' }, h('label', { for: 'f-queue' }, 'Queue'), queueInput, queueNames),
    h('div', { class: 'field' }, h('label', { for: 'f-limit' }, 'Per page'), limitSelect),
    h('div', { class: 'field buttons' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply'),
      h('a', { href: '#/jobs', class: 'button' }, 'Clear')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go({ state: stateSelect.value, task: taskSelect.value, queue: queueInput.value.trim(), limit: limitSelect.value });
  });

  const summary = h('p', { class: 'muted', id: 'jobs-summary' }, 'Loading…');
  const listArea = h('div', { id: 'jobs-table' });
  const pager = h('nav', { 'aria-label': 'Pages', class: 'pager' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });

  main.append(h('h1', { tabindex: '-1' }, 'Jobs'), form, error, summary, listArea, pager);

  function go(next) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) q.set(k, v);
    if (q.get('limit') === '20') q.delete('limit');
    location.hash = `#/jobs${q.toString() ? `?${q}` : ''}`;
  }

  function filterText() {
    const parts = [];
    if (state) parts.push(`state ${state}`);
    if (task) parts.push(`task ${task}`);
    if (queue) parts.push(`queue ${queue}`);
    return parts.length ? ` with ${parts.join(', ')}` : '';
  }

  let rows = new Map();

  function row(job) {
    const tookMs = between(job.startedAt, job.finishedAt);
    const tr = h('tr', { dataset: { jobId: job.id, state: job.state } },
      h('th', { scope: 'row' }, jobLink(job.id)),
      h('td', {}, job.task),
      h('td', { class: 'col-queue' }, job.queue),
      h('td', { class: 'col-state' }, badge(job.state)),
      h('td', { class: 'num col-attempts' }, `${job.attempts}/${job.maxAttempts}`),
      h('td', { class: 'col-progress' }, progressCell(job)),
      h('td', { class: 'col-created' }, time(job.createdAt)),
      h('td', { class: 'num col-took' }, tookMs == null ? '—' : duration(tookMs)),
      h('td', { class: 'col-actions' }, actionButtons(job, { compact: true, ctx, onChange: replaceRow })));
    return tr;
  }

  function progressCell(job) {
    if (!job.progress) return job.state === 'running' ? h('span', { class: 'muted' }, 'running') : '';
    const pct = Math.round(job.progress.fraction * 100);
    return h('span', { class: 'progress-inline' },
      h('progress', { max: '100', value: String(pct), 'aria-label': `Progress of job ${shortId(job.id)}` }, `${pct}%`),
      ` ${pct}%`);
  }

  function replaceRow(job) {
    if (!job) return;
    const old = rows.get(job.id);
    if (!old) return;
    const focusedClass = old.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    const tr = row(job);
    old.replaceWith(tr);
    rows.set(job.id, tr);
    if (focusedClass) {
      const again = tr.querySelector(`[data-action="${focusedClass}"]`) || tr.querySelector('a');
      again?.focus();
    }
  }

  async function load() {
    const q = new URLSearchParams();
    if (state) q.set('state', state);
    if (task) q.set('task', task);
    if (queue) q.set('queue', queue);
    q.set('limit', limit);
    if (cursor) q.set('cursor', cursor);
    listArea.setAttribute('aria-busy', 'true');
    try {
      const page = await jobApi.list(q.toString());
      error.hidden = true;
      // Keep the keyboard where it was across a live reload.
      const focused = listArea.contains(document.activeElement)
        ? { id: document.activeElement.closest('tr')?.dataset.jobId, action: document.activeElement.dataset.action }
        : null;
      rows = new Map();
      const trs = page.items.map((j) => { const tr = row(j); rows.set(j.id, tr); return tr; });
      fill(listArea, page.items.length === 0
        ? h('p', { class: 'empty' }, `No jobs${filterText()}.`)
        : table(`Jobs${filterText()}, newest first`,
          ['Job', 'Task', { label: 'Queue', class: 'col-queue' }, { label: 'State', class: 'col-state' }, { label: 'Attempts', class: 'num col-attempts' },
            { label: 'Progress', class: 'col-progress' }, { label: 'Created', class: 'col-created' }, { label: 'Took', class: 'num col-took' }, { label: 'Actions', class: 'col-actions' }],
          trs));
      if (focused?.id && rows.has(focused.id)) {
        (rows.get(focused.id).querySelector(`[data-action="${focused.action}"]`) || rows.get(focused.id).querySelector('a')).focus();
      }
      summary.textContent = `${page.items.length} job${page.items.length === 1 ? '' : 's'}${filterText()}${cursor ? ' (later page)' : ''}. Updates live.`;
      const base = { state, task, queue, limit };
      fill(pager,
        cursor ? h('a', { href: '#/jobs', class: 'button', onclick: (e) => { e.preventDefault(); go(base); } }, 'First page') : null,
        page.nextCursor ? h('a', { href: '#', class: 'button', rel: 'next', onclick: (e) => { e.preventDefault(); go({ ...base, cursor: page.nextCursor }); } }, 'Next page') : null);
    } catch (e) {
      error.hidden = false;
      error.textContent = `Could not load jobs: ${e.message}`;
    } finally {
      listArea.removeAttribute('aria-busy');
    }
  }

  async function loadChoices() {
    try {
      const [tasks, stats] = await Promise.all([api('/tasks'), api('/stats')]);
      for (const t of tasks.tasks) {
        if (t.name !== task) taskSelect.append(h('option', { value: t.name }, t.name));
      }
      taskSelect.value = task;
      fill(queueNames, ...Object.keys(stats.queues).sort().map((q) => h('option', { value: q })));
    } catch { /* the filters still work as free text */ }
  }

  function matches(e) {
    return (!task || e.task === task) && (!queue || e.queue === queue) && (!state || e.state === state);
  }

  const reloadSoon = debounce(load, 400);
  const refreshers = new Map();
  const off = onJobEvent((e) => {
    if (e.type === 'resync') { reloadSoon(); return; }
    const tr = rows.get(e.id);
    if (tr) {
      // Update at once from the event, then fetch the job for the fields events do not carry.
      tr.dataset.state = e.state;
      fill(tr.querySelector('.col-state'), badge(e.state));
      if (e.progress) {
        fill(tr.querySelector('.col-progress'), progressCell({ id: e.id, state: e.state, progress: e.progress }));
      }
      if (!refreshers.has(e.id)) {
        refreshers.set(e.id, debounce(async () => {
          try { replaceRow(await api(`/jobs/${encodeURIComponent(e.id)}`)); } catch { /* deleted meanwhile */ }
        }, 250));
      }
      refreshers.get(e.id)();
    } else if (!cursor && e.attempt === 0 && (e.state === 'queued' || e.state === 'scheduled') && matches(e)) {
      reloadSoon();
    } else if (!cursor && state && e.state === state && matches(e)) {
      reloadSoon();
    }
  });

  loadChoices();
  load();
  return {
    title: 'Jobs',
    destroy() {
      off();
      reloadSoon.cancel();
      for (const r of refreshers.values()) r.cancel();
    },
  };
}
