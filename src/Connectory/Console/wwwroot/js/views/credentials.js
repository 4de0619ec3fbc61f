// The caller's data credentials that no connection uses any more (POST /api/v1/data-credentials/actions/filter-orphan),
// each deletable. Credentials in use are shown and changed with their connection.
import { call } from '../api.js';
import { h, replace, when, announce, confirmDialog } from '../dom.js';

export const credentialsView = {
  async render(main, route, context) {
    const status = h('p', { role: 'status', class: 'list-status' });
    const table = h('table', { 'aria-labelledby': 'credentials-title' });
    replace(main, h('div', { class: 'panel' },
      h('h1', { id: 'credentials-title' }, 'Unused credentials'),
      h('p', {}, context.isTenantAdmin
        ? 'Credentials of this tenant that no connection uses any more. A credential in use is changed or removed with its connection.'
        : 'Your credentials that no connection uses any more. A credential in use is changed or removed with its connection.'),
      status, h('div', { class: 'table-wrap' }, table)));
    await load();

    async function load() {
      const { data } = await call('POST', '/api/v1/data-credentials/actions/filter-orphan', { body: {} });
      const rows = data?.data ?? [];
      status.textContent = `${rows.length} unused credential${rows.length === 1 ? '' : 's'}.`;
      replace(table,
        h('thead', {}, h('tr', {}, ['Name', 'Type', 'Data source', 'Owner', 'Updated'].map((t) => h('th', { scope: 'col' }, t)),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', {}, rows.length ? rows.map((c) => h('tr', {},
          h('td', { 'data-label': 'Name' }, c.qName),
          h('td', { 'data-label': 'Type' }, c.qType),
          h('td', { 'data-label': 'Data source' }, c.datasourceID || '—'),
          h('td', { 'data-label': 'Owner' }, c.user === context.me.id ? 'you' : c.user),
          h('td', { 'data-label': 'Updated' }, when(c.updated)),
          h('td', { class: 'actions' }, h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete credential ${c.qName}`, onclick: () => remove(c) }, 'Delete'))))
          : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'None.'))));
    }

    async function remove(credential) {
      if (!await confirmDialog('Delete credential', `Delete the credential “${credential.qName}”? Its secret is gone for good.`, 'Delete')) return;
      try {
        await call('DELETE', `/api/v1/data-credentials/${encodeURIComponent(credential.qID)}`);
        announce(`Deleted ${credential.qName}.`);
        await load();
      } catch (e) {
        status.textContent = `Could not delete: ${e.message}`;
      }
    }
  },
};
