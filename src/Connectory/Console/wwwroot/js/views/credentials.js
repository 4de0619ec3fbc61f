// The caller's data credentials: those the connections they see use, with those connections, and those no connection
// uses any more (orphans), each deletable. The API has no list of one's credentials, so the first table is built from
// the connections list (each carries the caller's qCredentialsID) and one GET per credential, which answers only its
// owner: another user's embedded credential is a 404 and is left out.
import { call, get, getAll, ApiError } from '../api.js';
import { h, replace, when, announce, confirmDialog } from '../dom.js';
import { href } from '../router.js';

const credentialPath = (id) => `/api/v1/data-credentials/${encodeURIComponent(id)}`;

/** Runs `work` on every item, a few at a time (one GET per credential must not flood the server). */
async function eachLimited(items, limit, work) {
  const results = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  }));
  return results;
}

/** The caller's own credentials in use, each with the connections (visible to the caller) that use it. */
async function loadOwn() {
  const connections = await getAll('/api/v1/data-connections', { noDatafiles: 'true', limit: 100 });
  const usedBy = new Map();
  for (const c of connections) {
    if (!c.qCredentialsID) continue;
    if (!usedBy.has(c.qCredentialsID)) usedBy.set(c.qCredentialsID, []);
    usedBy.get(c.qCredentialsID).push(c);
  }
  const found = await eachLimited([...usedBy.keys()], 4, async (id) => {
    try {
      return { ...(await get(credentialPath(id))), connections: usedBy.get(id) };
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null; // another user's: only its owner reads it
      throw e;
    }
  });
  return found.filter(Boolean).sort((a, b) => a.qName.localeCompare(b.qName));
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const credentialsView = {
  async render(main, route, context) {
    const status = h('p', { role: 'status', class: 'list-status' });
    const ownTable = h('table', { class: 'credentials', 'aria-labelledby': 'own-title' });
    const orphanTable = h('table', { class: 'orphans', 'aria-labelledby': 'orphans-title' });
    replace(main, h('div', { class: 'panel' },
      h('h1', {}, 'Credentials'),
      status,
      h('h2', { id: 'own-title' }, 'Your credentials in use'),
      h('p', { class: 'hint' }, 'Credentials you stored that connections you can see use. Deleting one leaves those connections without it: they need credentials again.'),
      h('div', { class: 'table-wrap' }, ownTable),
      h('h2', { id: 'orphans-title' }, 'Unused credentials'),
      h('p', { class: 'hint' }, context.isTenantAdmin
        ? 'Credentials of this tenant that no connection uses any more.'
        : 'Your credentials that no connection uses any more.'),
      h('div', { class: 'table-wrap' }, orphanTable)));
    await load();

    async function load() {
      const [own, orphans] = await Promise.all([
        loadOwn(),
        call('POST', '/api/v1/data-credentials/actions/filter-orphan', { body: {} }).then((r) => r.data?.data ?? []),
      ]);
      status.textContent = `${plural(own.length, 'credential')} in use, ${plural(orphans.length, 'unused credential')}.`;
      replace(ownTable,
        h('thead', {}, h('tr', {}, ['Name', 'Type', 'Data source', 'Used by', 'Updated'].map((t) => h('th', { scope: 'col' }, t)),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', {}, own.length ? own.map((c) => h('tr', { 'data-id': c.qID },
          h('td', { 'data-label': 'Name' }, c.qName, c.qSeparated === 1 ? h('span', { class: 'badge' }, 'Separated') : null),
          h('td', { 'data-label': 'Type' }, c.qType),
          h('td', { 'data-label': 'Data source' }, c.datasourceID || '—'),
          h('td', { 'data-label': 'Used by' }, usedByCell(c)),
          h('td', { 'data-label': 'Updated' }, when(c.updated)),
          h('td', { class: 'actions' }, h('button', {
            type: 'button', class: 'small danger', 'aria-label': `Delete credential ${c.qName}`,
            onclick: () => remove(c, `${plural(c.qConnCount, 'connection')} use${c.qConnCount === 1 ? 's' : ''} it and will have no credentials.`),
          }, 'Delete'))))
          : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'None.'))));
      replace(orphanTable,
        h('thead', {}, h('tr', {}, ['Name', 'Type', 'Data source', 'Owner', 'Updated'].map((t) => h('th', { scope: 'col' }, t)),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', {}, orphans.length ? orphans.map((c) => h('tr', { 'data-id': c.qID },
          h('td', { 'data-label': 'Name' }, c.qName, h('span', { class: 'badge' }, 'Unused')),
          h('td', { 'data-label': 'Type' }, c.qType),
          h('td', { 'data-label': 'Data source' }, c.datasourceID || '—'),
          h('td', { 'data-label': 'Owner' }, c.user === context.me.id ? 'you' : c.user),
          h('td', { 'data-label': 'Updated' }, when(c.updated)),
          h('td', { class: 'actions' }, h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete credential ${c.qName}`, onclick: () => remove(c, 'No connection uses it.') }, 'Delete'))))
          : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'None.'))));
    }

    function usedByCell(credential) {
      const shown = credential.connections;
      const hidden = Math.max(0, credential.qConnCount - shown.length);
      return h('ul', { class: 'plain-list' },
        shown.map((c) => h('li', {}, h('a', { href: href(`/connections/${encodeURIComponent(c.qID)}`) }, c.qName))),
        hidden ? h('li', { class: 'muted' }, `and ${plural(hidden, 'connection')} you cannot see`) : null);
    }

    async function remove(credential, consequence) {
      if (!await confirmDialog('Delete credential', `Delete the credential “${credential.qName}”? ${consequence} Its secret is gone for good.`, 'Delete')) return;
      try {
        await call('DELETE', credentialPath(credential.qID));
        announce(`Deleted ${credential.qName}.`);
        await load();
        main.querySelector('h1')?.focus();
      } catch (e) {
        status.textContent = `Could not delete: ${e.message}`;
      }
    }
  },
};
