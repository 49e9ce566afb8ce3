// Cancel, retry and delete buttons for a job, shared by the list and the job page.
import { h, shortId } from './dom.js';
import { jobs as jobApi } from './api.js';
import { can } from './session.js';

const CANCELLABLE = new Set(['scheduled', 'queued', 'running']);
const RETRYABLE = new Set(['failed', 'cancelled']);

/**
 * Buttons for what `job` allows now. `onChange(job)` gets the job after an action;
 * `onDeleted()` runs after a delete (only offered when `allowDelete`).
 */
export function actionButtons(job, { compact = false, allowDelete = false, ctx, onChange, onDeleted }) {
  const who = `job ${shortId(job.id)}`;
  const buttons = [];
  if (!can('admin')) return buttons; // actions need the admin scope

  function button(action, label, cls, run) {
    const b = h('button', {
      type: 'button', class: cls, dataset: { action },
      'aria-label': compact ? `${label} ${who}` : null,
    }, label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        const result = await run();
        if (result !== false) onChange?.(result);
      } catch (e) {
        ctx.notify(`Could not ${action} ${who}: ${e.message}`, { error: true });
      } finally {
        b.disabled = false;
      }
    });
    return b;
  }

  if (CANCELLABLE.has(job.state)) {
    buttons.push(button('cancel', 'Cancel', 'warn', async () => {
      const after = await jobApi.cancel(job.id);
      ctx.notify(after.state === 'cancelled' ? `Cancelled ${who}.` : `${who} was already ${after.state}.`);
      return after;
    }));
  }
  if (RETRYABLE.has(job.state)) {
    buttons.push(button('retry', 'Retry', 'primary', async () => {
      const after = await jobApi.retry(job.id);
      ctx.notify(`Put ${who} back in queue ${after.queue}.`);
      return after;
    }));
  }
  if (allowDelete && job.state !== 'running') {
    buttons.push(button('delete', 'Delete', 'danger', async () => {
      const ok = await ctx.confirm(`Delete ${who}?`, 'The job, its input and its result are removed from the store. This cannot be undone.', 'Delete');
      if (!ok) return false;
      await jobApi.remove(job.id);
      ctx.notify(`Deleted ${who}.`);
      onDeleted?.();
      return false;
    }));
  }
  return h('div', { class: 'actions', role: compact ? null : 'group', 'aria-label': compact ? null : 'Actions' }, buttons);
}
