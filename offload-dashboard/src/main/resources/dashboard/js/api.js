// JSON over fetch; problem+json errors become Errors carrying the problem.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let csrf = null;

/** The CSRF token of the signed-in session; sent with every request that changes something. */
export function setCsrf(token) {
  csrf = token;
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (res.status === 204) return null;
  const text = await res.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = { detail: text }; }
  }
  if (res.status === 401 && path !== '/dashboard/api/session') {
    // The session ended (server restart, expiry): sign in again.
    location.reload();
  }
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

export const jobs = {
  get: (id) => api(`/dashboard/api/jobs/${encodeURIComponent(id)}`),
  list: (params) => api(`/jobs?${params}`),
  cancel: (id) => api(`/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
  retry: (id) => api(`/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  remove: (id) => api(`/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};
