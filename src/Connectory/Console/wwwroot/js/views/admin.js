// The tenant's data sources (enable or disable: TenantAdmin, DataAdmin), users (TenantAdmin) and API keys (your own;
// a new key is shown once, with a copy button).
import { call, get, getAll } from '../api.js';
import { h, replace, when, announce, confirmDialog, openDialog, uid } from '../dom.js';
import { loadSources } from './sources.js';

const table = (id, headings, rows, empty) => h('div', { class: 'table-wrap' }, h('table', { 'aria-labelledby': id },
  h('thead', {}, h('tr', {}, headings.map((t) => h('th', { scope: 'col' }, t)))),
  h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headings.length, class: 'empty' }, empty)))));

export const dataSourcesView = {
  async render(main, route, context) {
    const { dataSources = [] } = await get('/api/v1/data-sources', { includeDisabled: context.isDataAdmin ? 'true' : undefined });
    const status = h('p', { role: 'status', class: 'list-status' }, `${dataSources.length} data sources.`);
    const toggle = (source) => async (event) => {
      const button = event.currentTarget;
      try {
        await call('PUT', `/api/v1/data-sources/${encodeURIComponent(source.dataSourceId)}/settings`, { body: { disabled: !source.disabled } });
        source.disabled = !source.disabled;
        await loadSources({ fresh: true });
        button.textContent = source.disabled ? 'Enable' : 'Disable';
        button.setAttribute('aria-label', `${source.disabled ? 'Enable' : 'Disable'} ${source.name}`);
        button.closest('tr').querySelector('[data-state]').textContent = source.disabled ? 'disabled' : 'enabled';
        announce(`${source.name} ${source.disabled ? 'disabled' : 'enabled'}.`);
      } catch (e) {
        status.textContent = `Could not change ${source.name}: ${e.message}`;
      }
    };
    replace(main, h('div', { class: 'panel' },
      h('h1', { id: 'sources-title' }, 'Data sources'),
      h('p', {}, context.isDataAdmin
        ? 'The catalog new connections are made from. A disabled source takes no new connections; existing ones keep working.'
        : 'The catalog new connections are made from.'),
      status,
      table('sources-title', ['Name', 'Id', 'Provider', 'State', ...(context.isDataAdmin ? ['Change'] : [])], dataSources.map((s) => h('tr', {},
        h('td', { 'data-label': 'Name' }, s.name),
        h('td', { 'data-label': 'Id' }, h('code', {}, s.dataSourceId)),
        h('td', { 'data-label': 'Provider' }, s.providerName ?? s.provider),
        h('td', { 'data-label': 'State', 'data-state': true }, s.disabled ? 'disabled' : 'enabled'),
        context.isDataAdmin ? h('td', { class: 'actions' }, h('button', { type: 'button', class: 'small', 'aria-label': `${s.disabled ? 'Enable' : 'Disable'} ${s.name}`, onclick: toggle(s) }, s.disabled ? 'Enable' : 'Disable')) : null)), 'None.')));
  },
};

export const usersView = {
  async render(main) {
    const users = await getAll('/api/v1/users', { limit: 100 });
    replace(main, h('div', { class: 'panel' },
      h('h1', { id: 'users-title' }, 'Users'),
      h('p', { class: 'list-status' }, `${users.length} users in this tenant.`),
      table('users-title', ['Name', 'Subject', 'Email', 'Status', 'Roles', 'Created'], users.map((u) => h('tr', {},
        h('td', { 'data-label': 'Name' }, u.name ?? ''),
        h('td', { 'data-label': 'Subject' }, u.subject ?? ''),
        h('td', { 'data-label': 'Email' }, u.email ?? ''),
        h('td', { 'data-label': 'Status' }, u.status ?? ''),
        h('td', { 'data-label': 'Roles' }, (u.assignedRoles ?? []).map((r) => r.name).join(', ') || '—'),
        h('td', { 'data-label': 'Created' }, when(u.createdAt)))), 'None.')));
  },
};

export const apiKeysView = {
  async render(main, route, context) {
    const status = h('p', { role: 'status', class: 'list-status' });
    const list = h('div', {});
    const descriptionId = uid('key-description');
    const description = h('input', { id: descriptionId, name: 'description', autocomplete: 'off', required: true });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { class: 'inline-form', 'aria-labelledby': 'new-key-title' },
      h('h2', { id: 'new-key-title' }, 'New API key'),
      h('div', { class: 'field' }, h('label', { for: descriptionId }, 'Description'), description),
      error,
      h('button', { type: 'submit', class: 'primary' }, 'Create key'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      try {
        const { data } = await call('POST', '/api/v1/api-keys', { body: { description: description.value.trim() || 'console' } });
        description.value = '';
        await showOnce(data);
        await load();
      } catch (e) {
        error.textContent = e.message;
      }
    });
    replace(main, h('div', { class: 'panel' },
      h('h1', { id: 'keys-title' }, 'API keys'),
      h('p', {}, context.isTenantAdmin ? 'The API keys of this tenant you may see.' : 'Your API keys.'),
      form, status, list));
    await load();

    async function load() {
      const keys = await getAll('/api/v1/api-keys', { limit: 100 });
      status.textContent = `${keys.length} API key${keys.length === 1 ? '' : 's'}.`;
      replace(list, table('keys-title', ['Description', 'Owner', 'Status', 'Expires', 'Created', 'Revoke'], keys.map((k) => h('tr', {},
        h('td', { 'data-label': 'Description' }, k.description ?? ''),
        h('td', { 'data-label': 'Owner' }, k.sub === context.me.id ? 'you' : k.sub),
        h('td', { 'data-label': 'Status' }, k.status),
        h('td', { 'data-label': 'Expires' }, when(k.expiry)),
        h('td', { 'data-label': 'Created' }, when(k.created)),
        h('td', { class: 'actions' }, k.status === 'active'
          ? h('button', { type: 'button', class: 'small danger', 'aria-label': `Revoke key ${k.description ?? k.id}`, onclick: () => revoke(k) }, 'Revoke')
          : null))), 'None.'));
    }

    async function revoke(key) {
      if (!await confirmDialog('Revoke API key', `Revoke “${key.description ?? key.id}”? Scripts using it stop working at once.`, 'Revoke')) return;
      try {
        await call('DELETE', `/api/v1/api-keys/${encodeURIComponent(key.id)}`);
        announce('Key revoked.');
        await load();
      } catch (e) {
        status.textContent = `Could not revoke: ${e.message}`;
      }
    }
  },
};

/** Shows a new key's token once; it is not kept anywhere by the console. */
function showOnce(key) {
  return openDialog('Your new API key', (close) => {
    const tokenId = uid('token');
    const copied = h('p', { role: 'status', class: 'hint' });
    const token = h('input', { id: tokenId, readonly: true, value: key.token, class: 'token', autocomplete: 'off', spellcheck: 'false' });
    return h('div', {},
      h('p', {}, 'Copy it now: it is shown only this once.'),
      h('div', { class: 'field' }, h('label', { for: tokenId }, 'API key'), token),
      copied,
      h('div', { class: 'button-row' },
        h('button', {
          type: 'button', class: 'primary', onclick: async () => {
            try { await navigator.clipboard.writeText(key.token); copied.textContent = 'Copied to the clipboard.'; } catch { token.select(); copied.textContent = 'Selected: press Ctrl+C (⌘C) to copy.'; }
          },
        }, 'Copy'),
        h('button', { type: 'button', onclick: () => { token.value = ''; close(true); } }, 'Done')));
  });
}
