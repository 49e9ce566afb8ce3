// Signing in with an API token when the server requires tokens. The token goes to the server once;
// after that the browser holds only an HttpOnly, SameSite=Strict session cookie, and every action
// carries the CSRF token answered here (api.js adds it).
import { api, setCsrf } from './api.js';
import { h, fill } from './dom.js';

let current = { tokensRequired: false, signedIn: true, scopes: ['read', 'submit', 'admin'] };

export function session() {
  return current;
}

export function can(scope) {
  return current.scopes.includes(scope);
}

function adopt(s) {
  current = s;
  setCsrf(s.csrf || null);
  const out = document.getElementById('sign-out');
  if (out) out.hidden = !(s.tokensRequired && s.signedIn);
}

/** Resolves once the page may load its views: at once without tokens, else after sign-in. */
export async function ensureSignedIn(main) {
  adopt(await api('/dashboard/api/session'));
  if (current.signedIn) return current;
  return new Promise((resolve) => showForm(main, resolve));
}

function showForm(main, resolve) {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: '' });
  const error = h('p', { id: 'sign-in-error', role: 'alert', class: 'error' });
  const form = h('form', { id: 'sign-in', class: 'sign-in' },
    h('h1', { tabindex: '-1' }, 'Sign in'),
    h('p', {}, 'This server requires an API token. The dashboard keeps only a session cookie.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      adopt(await api('/dashboard/api/session', { method: 'POST', body: { token: input.value } }));
      input.value = '';
      fill(main);
      resolve(current);
    } catch (err) {
      error.textContent = err.message;
    }
  });
  fill(main, form);
  input.focus();
}

export async function signOut() {
  await api('/dashboard/api/session', { method: 'DELETE' });
  location.reload();
}
