import { call, ApiError } from '../api.js';
import { h } from '../dom.js';

/**
 * The sign-in form: an API key or a JWT from a trusted issuer (both are bearer tokens to the API, so one field takes
 * either), checked against GET /api/v1/users/me before it is kept. No public endpoint says whether an issuer is
 * configured, so the field always names both.
 */
export function renderSignIn(main, onSignedIn, notice) {
  const keyInput = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'api-key-hint' });
  const error = h('p', { id: 'sign-in-error', class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'panel narrow', 'aria-labelledby': 'sign-in-title', novalidate: true },
    h('h1', { id: 'sign-in-title' }, 'Sign in to Connectory'),
    notice ? h('p', { class: 'notice' }, notice) : null,
    h('div', { class: 'field' },
      h('label', { for: 'api-key' }, 'API key or JWT'),
      keyInput,
      h('p', { id: 'api-key-hint', class: 'hint' },
        'An API key of this tenant (the first admin key is in the data directory\'s bootstrap-admin.key file), ',
        'or a token (JWT) from an identity provider this service trusts. ',
        'It stays in this browser tab only and is forgotten when you sign out or close the tab.')),
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    error.textContent = '';
    if (!key) {
      error.textContent = 'Enter an API key or a JWT.';
      keyInput.setAttribute('aria-invalid', 'true');
      keyInput.focus();
      return;
    }
    try {
      const { data: me } = await call('GET', '/api/v1/users/me', { key });
      keyInput.value = '';
      onSignedIn(key, me);
    } catch (e) {
      keyInput.setAttribute('aria-invalid', 'true');
      error.textContent = e instanceof ApiError && e.status === 401
        ? 'This was not accepted: an unknown, revoked or expired key, or a token that is expired or from an issuer this service does not trust.'
        : `Could not sign in: ${e.message}`;
      keyInput.focus();
    }
  });
  main.replaceChildren(form);
  keyInput.focus();
}
