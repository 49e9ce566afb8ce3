// One job: state, progress, actions, error with stack trace, result, input, attempts and timeline.
import { h, fill, badge, time, duration, between, json, debounce, shortId, table } from './dom.js';
import { jobs as jobApi } from './api.js';
import { onJobEvent } from './live.js';
import { actionButtons } from './actions.js';

export function mount(main, id, ctx) {
  const heading = h('h1', { tabindex: '-1' }, `Job ${shortId(id)}`);
  // Persistent live regions: replacing them would keep screen readers from announcing changes.
  const stateLine = h('p', { class: 'state-line', 'aria-live': 'polite', 'aria-atomic': 'true', id: 'job-state' });
  const progressArea = h('div', { class: 'progress-area' });
  const actions = h('div', { class: 'job-actions' });
  const body = h('div', { class: 'job-body' }, h('p', {}, 'Loading…'));
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  let job = null;
  let gone = false;

  main.append(
    h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' },
      h('ol', {}, h('li', {}, h('a', { href: '#/jobs' }, 'Jobs')), h('li', { 'aria-current': 'page' }, shortId(id)))),
    heading,
    h('p', { class: 'mono muted job-id' }, id),
    stateLine, error, progressArea, actions, body);

  function renderState() {
    const was = stateLine.dataset.state;
    if (was === job.state) return;
    stateLine.dataset.state = job.state;
    fill(stateLine, 'State: ', badge(job.state),
      job.state === 'running' ? ` (attempt ${job.attempts} of ${job.maxAttempts})` : '');
  }

  function renderProgress(progress, state) {
    if (!progress && state !== 'running') { fill(progressArea); return; }
    const pct = progress ? Math.round(progress.fraction * 100) : null;
    fill(progressArea,
      h('label', { for: 'job-progress' }, 'Progress'),
      pct == null
        ? h('progress', { id: 'job-progress' }, 'running')
        : h('progress', { id: 'job-progress', max: '100', value: String(pct) }, `${pct}%`),
      h('span', { class: 'progress-text' }, pct == null ? ' No progress reported yet' : ` ${pct}%`,
        progress?.message ? ` — ${progress.message}` : ''));
  }

  function facts() {
    const ran = between(job.startedAt, job.finishedAt);
    const items = [
      ['Task', job.task],
      ['Queue', h('a', { href: `#/jobs?queue=${encodeURIComponent(job.queue)}` }, job.queue)],
      ['Priority', String(job.priority)],
      ['Attempts', `${job.attempts} of ${job.maxAttempts} allowed`],
      ['Created', time(job.createdAt)],
      ['Due', time(job.runAt)],
      ['Started', time(job.startedAt)],
      ['Finished', time(job.finishedAt)],
      ['Last attempt took', ran == null ? '—' : duration(ran)],
      ['Time limit', job.timeout || 'none'],
    ];
    if (job.leaseOwner) items.push(['Worker', h('span', { class: 'mono' }, job.leaseOwner)]);
    if (job.idempotencyKey) items.push(['Idempotency key', h('span', { class: 'mono' }, job.idempotencyKey)]);
    return h('dl', { class: 'facts' }, items.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
  }

  function errorSection() {
    if (!job.error) return null;
    const title = job.state === 'failed' ? 'Error' : 'Last error';
    return h('section', { 'aria-labelledby': 'err-h', class: 'panel panel-error' },
      h('h2', { id: 'err-h' }, title),
      h('p', {}, h('span', { class: 'badge badge-failed' }, job.error.type), ' ', h('span', { class: 'error-message' }, job.error.message)),
      job.error.detail
        ? h('details', { open: job.state === 'failed', class: 'stack' },
          h('summary', {}, 'Stack trace'),
          h('pre', { class: 'code', tabindex: '0', 'aria-label': 'Stack trace' }, job.error.detail))
        : h('p', { class: 'muted' }, 'No stack trace was recorded for this error.'));
  }

  function codeSection(idPart, title, value) {
    return h('section', { 'aria-labelledby': `${idPart}-h`, class: 'panel' },
      h('h2', { id: `${idPart}-h` }, title),
      h('pre', { class: 'code', tabindex: '0', 'aria-label': title, id: `job-${idPart}` }, json(value)));
  }

  /**
   * Attempts as rows: the charged attempts the store recorded (any worker, any process), then the
   * one running now.
   */
  function attempts() {
    const rows = (job.history || []).map((a) => h('tr', {},
      h('th', { scope: 'row' }, String(a.attempt)),
      h('td', {}, time(a.startedAt)),
      h('td', {}, time(a.endedAt)),
      h('td', { class: 'num' }, duration(between(a.startedAt, a.endedAt))),
      h('td', {}, a.error ? `${a.outcome}: ${a.error.message}` : a.outcome)));
    if (job.state === 'running' && job.startedAt) {
      rows.push(h('tr', {},
        h('th', { scope: 'row' }, String(job.attempts)),
        h('td', {}, time(job.startedAt)),
        h('td', {}, '—'),
        h('td', { class: 'num' }, duration(Date.now() - new Date(job.startedAt))),
        h('td', {}, `running on ${job.leaseOwner || 'a worker'}`)));
    }
    return rows;
  }

  function label(t, prev) {
    if ((t.state === 'queued' || t.state === 'scheduled') && t.attempt === 0 && (!prev || prev.state === 'queued' || prev.state === 'scheduled')) {
      return t.state === 'scheduled' ? 'Submitted, scheduled for later' : 'Submitted, queued';
    }
    switch (t.state) {
      case 'running': return `Attempt ${t.attempt} started`;
      case 'scheduled': return `Attempt ${t.attempt} failed, retry scheduled`;
      case 'queued': return prev && (prev.state === 'failed' || prev.state === 'cancelled')
        ? 'Put back in the queue by an operator'
        : `Attempt ${t.attempt} ended without a result (lease lost or released), queued again`;
      case 'succeeded': return `Attempt ${t.attempt} succeeded`;
      case 'failed': return t.attempt > 0 ? `Attempt ${t.attempt} failed, no attempts left` : 'Failed';
      case 'cancelled': return 'Cancelled';
      default: return t.state;
    }
  }

  function timeline() {
    const hist = job.timeline || [];
    const items = hist.length
      ? hist.map((t, i) => h('li', { dataset: { state: t.state } },
        time(t.at), ' ', badge(t.state), ' ', label(t, hist[i - 1]),
        i > 0 && t.at && hist[i - 1].at ? h('span', { class: 'muted' }, ` (+${duration(between(hist[i - 1].at, t.at))})`) : null))
      : [
        h('li', {}, time(job.createdAt), ' Submitted'),
        job.startedAt ? h('li', {}, time(job.startedAt), ` Attempt ${job.attempts} started`) : null,
        job.finishedAt ? h('li', {}, time(job.finishedAt), ' ', badge(job.state)) : null,
      ];
    return h('ol', { class: 'timeline' }, items);
  }

  function render() {
    renderState();
    renderProgress(job.progress, job.state);
    const focusedAction = actions.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    fill(actions, actionButtons(job, {
      allowDelete: true, ctx,
      onChange: (after) => { if (after) load(); },
      onDeleted: () => { gone = true; location.hash = '#/jobs'; },
    }));
    if (focusedAction) (actions.querySelector(`[data-action="${focusedAction}"]`) || heading).focus();
    const attemptRows = attempts();
    const detailsOpen = body.querySelector('details.stack')?.open;
    fill(body,
      h('section', { 'aria-labelledby': 'facts-h', class: 'panel' }, h('h2', { id: 'facts-h' }, 'Details'), facts()),
      errorSection(),
      job.result != null ? codeSection('result', 'Result', job.result) : null,
      codeSection('input', 'Input', job.input),
      h('section', { 'aria-labelledby': 'attempts-h', class: 'panel' },
        h('h2', { id: 'attempts-h' }, 'Attempts'),
        attemptRows.length
          ? table('Attempts of this job', ['Attempt', 'Started', 'Ended', { label: 'Took', class: 'num' }, 'Outcome'], attemptRows)
          : h('p', { class: 'muted' }, 'Not started yet.'),
        h('h3', {}, 'Timeline'),
        timeline(),
        (job.timeline || []).length === 0 ? h('p', { class: 'muted' }, 'This server has not seen this job change state; the times come from the job record.') : null));
    if (detailsOpen != null) {
      const d = body.querySelector('details.stack');
      if (d) d.open = detailsOpen;
    }
  }

  async function load() {
    if (gone) return;
    try {
      job = await jobApi.get(id);
      error.hidden = true;
      render();
    } catch (e) {
      if (e.status === 404) {
        gone = true;
        fill(body, h('p', {}, `There is no job ${id}. It may have been deleted or purged. `, h('a', { href: '#/jobs' }, 'Back to the jobs.')));
        fill(actions);
        fill(progressArea);
        fill(stateLine, 'Not found');
      } else {
        error.hidden = false;
        error.textContent = `Could not load the job: ${e.message}`;
      }
    }
  }

  const reloadSoon = debounce(load, 150);
  const off = onJobEvent((e) => {
    if (e.type === 'resync') { reloadSoon(); return; }
    if (e.id !== id) return;
    if (e.progress && e.state === 'running') renderProgress(e.progress, e.state);
    reloadSoon();
  });
  load();

  return {
    title: `Job ${shortId(id)}`,
    destroy() { off(); reloadSoon.cancel(); },
  };
}
