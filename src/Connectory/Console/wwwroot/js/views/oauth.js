// OAuth data sources (dropbox, Google Drive): the create form asks the API for the authorize URL (authUrlOnly), opens
// it in a new tab, and sends the code the provider returns with the state that came with that URL. The provider sends
// the user back to the redirect URI the operator configured; when that is this console's return page
// (/console/oauth/callback), the page hands the code to the form's tab over a BroadcastChannel (same origin only);
// otherwise the user pastes the code the provider shows.
import { call } from '../api.js';
import { h, replace, announce } from '../dom.js';
import { field } from './form.js';

const CHANNEL = 'connectory.oauth';
export const RETURN_PATH = '/console/oauth/callback';
/** The write-only properties the flow fills in; the form does not show them as fields of their own. */
export const OAUTH_PROPERTIES = ['authCode', 'state'];

export const usesOAuth = (source) => (source?.capabilities ?? []).includes('oauth');

/**
 * The "sign in at the provider" part of a form: {wrapper, codeField, properties(), forget(), close()}. Creating needs
 * it; editing offers it to replace the stored tokens (`again`).
 */
export function authorizationStep(sourceId, sourceName, nameField, { again = false } = {}) {
  let state = '';
  const codeField = field({
    name: 'authCode', label: 'Authorization code', type: 'password', required: !again,
    hint: `Filled in by itself when the provider sends you back to this console; otherwise paste the code the provider shows.${again ? ' Leave empty to keep the stored tokens.' : ''}`,
  });
  const status = h('p', { class: 'notice', role: 'status' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const reopen = h('p', { hidden: true });
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
  channel?.addEventListener('message', (event) => {
    const { code, state: returned } = event.data ?? {};
    // Only the answer to this form's own authorize URL: another tab's sign-in is not this one's.
    if (!state || returned !== state || typeof code !== 'string') return;
    codeField.control.value = code;
    status.textContent = `Signed in at ${sourceName}: the code is filled in. ${again ? 'Save' : 'Create the connection'} to finish.`;
    announce(status.textContent);
  });

  // Leaving the page ends the wait for a code.
  window.addEventListener('hashchange', () => channel?.close(), { once: true });

  async function start() {
    error.textContent = '';
    try {
      const { data } = await call('POST', '/api/v1/data-connections', {
        body: { qName: nameField.control.value.trim() || sourceName, datasourceID: sourceId, connectionProperties: {}, authUrlOnly: true },
      });
      state = new URL(data.authUrl).searchParams.get('state') ?? '';
      window.open(data.authUrl, '_blank', 'noopener');
      replace(reopen, `The ${sourceName} sign-in page opened in a new tab (`,
        h('a', { href: data.authUrl, target: '_blank', rel: 'noopener noreferrer' }, 'open it again'), ').');
      reopen.hidden = false;
      status.textContent = 'Waiting for the code…';
    } catch (e) {
      error.textContent = `Could not start the sign-in: ${e.message}`;
    }
  }

  const wrapper = h('fieldset', { class: 'authorization' },
    h('legend', {}, 'Authorization'),
    h('p', { class: 'hint' }, again
      ? `To replace the stored tokens (expired, or access withdrawn), sign in at ${sourceName} again and save.`
      : `${sourceName} needs your consent: sign in there and allow access. The tokens it gives are stored encrypted and never shown.`),
    h('div', { class: 'button-row' }, h('button', { type: 'button', onclick: start }, `Sign in at ${sourceName}…`)),
    reopen, status, error, codeField.wrapper);
  return {
    wrapper,
    codeField,
    properties: () => ({ authCode: codeField.control.value.trim() || undefined, state: state || undefined }),
    forget: () => { codeField.control.value = ''; state = ''; },
    close: () => channel?.close(),
  };
}

/** The page the provider sends the user back to: hands the code to the form's tab, and offers it for pasting. */
export function renderOAuthReturn(main) {
  const query = new URLSearchParams(location.search);
  // The code leaves the address bar and the history at once.
  history.replaceState(null, '', location.pathname);
  const code = query.get('code');
  const state = query.get('state');
  const problem = query.get('error_description') || query.get('error');
  if (code && state && typeof BroadcastChannel === 'function') {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ code, state });
    channel.close();
  }
  const title = code ? 'Authorization received' : 'Authorization not received';
  document.title = `${title} · Connectory console`;
  const codeInput = code ? h('input', { id: 'returned-code', class: 'token', readonly: true, value: code, autocomplete: 'off' }) : null;
  replace(main, h('div', { class: 'panel narrow' },
    h('h1', { tabindex: '-1' }, title),
    code
      ? h('p', {}, 'The console tab that asked for it has the code now: go back to it to create or save the connection. You may close this tab.')
      : h('p', { role: 'alert' }, problem ? `The provider answered: ${problem}` : 'The provider sent no code.'),
    code ? h('details', {},
      h('summary', {}, 'Paste the code by hand instead'),
      h('div', { class: 'field' }, h('label', { for: 'returned-code' }, 'Authorization code'), codeInput,
        h('p', { class: 'hint' }, 'Only if the console tab did not receive it (another browser): copy it into the form there. It works once.'))) : null));
  main.querySelector('h1').focus();
}
