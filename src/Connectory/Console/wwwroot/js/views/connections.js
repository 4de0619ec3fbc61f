// The connections list: spaces on the side, a table with search (a SCIM filter), column sort and cursor paging.
import { call, get, scimString } from '../api.js';
import { h, replace, when, announce, confirmDialog } from '../dom.js';
import { href, go } from '../router.js';
import { loadSpaces, spaceName, spaceTypeLabel, callerRole } from './spaces.js';
import { moveConnections } from './move.js';
import { isDataFiles, sourceLabel, loadSources } from './sources.js';

const PERSONAL = 'personal';
const PAGE_SIZES = [5, 10, 25, 50, 100];
const COLUMNS = [
  ['qName', 'Name'],
  ['datasourceID', 'Data source'],
  ['qType', 'Type'],
  ['updated', 'Updated'],
];

let state = null;

export const connectionsView = {
  async render(main, route, context) {
    const [spaces, sources] = await Promise.all([loadSpaces(context, { fresh: true }), loadSources()]);
    state = { context, spaces, sources, selected: new Map(), rows: [], links: {}, pageNumber: 1 };
    state.sidebar = h('ul', { class: 'space-list' });
    state.searchInput = h('input', { id: 'search', type: 'search', name: 'search', autocomplete: 'off', 'aria-describedby': 'search-hint' });
    state.sizeSelect = h('select', { id: 'page-size', name: 'limit', onchange: () => go('/connections', query({ limit: state.sizeSelect.value })) },
      PAGE_SIZES.map((n) => h('option', { value: n }, String(n))));
    state.heading = h('h1', { id: 'connections-title' }, 'Connections');
    state.status = h('p', { class: 'list-status', id: 'list-status' });
    state.table = h('table', { class: 'connections', 'aria-labelledby': 'connections-title', 'aria-describedby': 'list-status' });
    state.pager = h('nav', { class: 'pager', 'aria-label': 'Pages of connections' });
    state.newLink = h('a', { class: 'button primary', href: href('/connections/new') }, 'New connection');
    state.moveButton = context.isTenantAdmin
      ? h('button', { type: 'button', disabled: true, onclick: moveSelected }, 'Move selected…')
      : null;
    const searchForm = h('form', { role: 'search', class: 'search', 'aria-label': 'Connections' },
      h('label', { for: 'search' }, 'Search by name'),
      h('div', { class: 'inline' }, state.searchInput, h('button', { type: 'submit' }, 'Search')),
      h('p', { id: 'search-hint', class: 'hint' }, 'Names containing this text (the API filter qName co "…").'));
    searchForm.addEventListener('submit', (event) => {
      event.preventDefault();
      go('/connections', query({ q: state.searchInput.value.trim() }));
    });
    replace(main, h('div', { class: 'with-sidebar' },
      h('aside', { class: 'sidebar', 'aria-labelledby': 'spaces-title' },
        // Open beside the table on wide screens; folded above it on phones, so the table is not a long scroll away.
        h('details', { class: 'space-picker', open: matchMedia('(min-width: 721px)').matches },
          h('summary', {}, h('h2', { id: 'spaces-title' }, 'Spaces')), state.sidebar)),
      h('section', { class: 'content' },
        state.heading,
        h('div', { class: 'toolbar' }, searchForm,
          h('div', { class: 'field compact' }, h('label', { for: 'page-size' }, 'Rows per page'), state.sizeSelect),
          h('div', { class: 'button-row' }, state.newLink, state.moveButton)),
        state.status, h('div', { class: 'table-wrap' }, state.table), state.pager)));
    await this.update(route);
  },

  async update(route) {
    state.route = route;
    const q = route.query;
    state.space = q.get('space') ?? '';
    state.search = q.get('q') ?? '';
    state.sort = q.get('sort') ?? '+qName';
    state.limit = PAGE_SIZES.includes(Number(q.get('limit'))) ? Number(q.get('limit')) : 10;
    if (document.activeElement !== state.searchInput) state.searchInput.value = state.search;
    state.sizeSelect.value = String(state.limit);
    state.newLink.setAttribute('href', href('/connections/new', { space: state.space && state.space !== PERSONAL ? state.space : undefined }));
    renderSidebar();
    const where = state.space === PERSONAL ? 'your personal space' : state.space ? spaceName(state.spaces, state.space) : '';
    state.heading.textContent = where ? `Connections in ${where}` : 'Connections';
    state.selected.clear();
    state.pageNumber = 1;
    await loadPage('/api/v1/data-connections', {
      limit: state.limit,
      sort: state.sort,
      spaceId: state.space && state.space !== PERSONAL ? state.space : undefined,
      personal: state.space === PERSONAL ? 'true' : undefined,
      filter: state.search ? `qName co ${scimString(state.search)}` : undefined,
      // The API lists each space's DataFiles connection whatever the filter; a search shows only what matches.
      noDatafiles: state.search ? 'true' : undefined,
    });
  },
};

/** The current list query with some parameters changed, for a hash link. */
function query(changes) {
  return { space: state.space, q: state.search, sort: state.sort === '+qName' ? undefined : state.sort, limit: state.limit === 10 ? undefined : state.limit, ...changes };
}

function renderSidebar() {
  const me = state.context.me;
  const item = (id, label, detail) => h('li', {}, h('a', { href: href('/connections', query({ space: id, q: undefined })), 'aria-current': state.space === id ? 'page' : undefined },
    h('span', { class: 'space-name' }, label), detail ? h('span', { class: 'space-detail' }, detail) : null));
  replace(state.sidebar,
    item('', 'All spaces'),
    item(PERSONAL, 'Personal', 'your own'),
    state.spaces.map((s) => item(s.id, s.name, [spaceTypeLabel(s.type), callerRole(s, me)].filter(Boolean).join(' · '))));
}

let latest = 0;
async function loadPage(path, params) {
  // Only the last request's answer is shown: a slower earlier one (a quick second search) must not overwrite it.
  const mine = ++latest;
  state.status.textContent = 'Loading…';
  try {
    const page = await get(path, params);
    if (mine !== latest) return;
    state.rows = page.data ?? [];
    state.links = page.links ?? {};
    renderTable();
    const total = page.meta?.count;
    const text = `${total ?? state.rows.length} connection${total === 1 ? '' : 's'}${state.search ? ` matching “${state.search}”` : ''}; page ${state.pageNumber}, rows ${state.rows.length ? `${(state.pageNumber - 1) * state.limit + 1}–${(state.pageNumber - 1) * state.limit + state.rows.length}` : 'none'}.`;
    state.status.textContent = text;
    announce(text);
  } catch (e) {
    if (mine !== latest) return;
    state.rows = [];
    renderTable();
    state.status.textContent = `The list could not be loaded: ${e.message}`;
  }
}

function renderTable() {
  const admin = state.context.isTenantAdmin;
  const [sortField, direction] = [state.sort.slice(1), state.sort[0] === '-' ? 'descending' : 'ascending'];
  const header = h('tr', {},
    admin ? h('th', { scope: 'col', class: 'select' }, h('span', { class: 'visually-hidden' }, 'Select')) : null,
    COLUMNS.map(([field, label]) => {
      const active = field === sortField;
      const nextSort = `${active && direction === 'ascending' ? '-' : '+'}${field}`;
      return h('th', { scope: 'col', 'aria-sort': active ? direction : undefined },
        h('button', { type: 'button', class: 'sort', onclick: () => go('/connections', query({ sort: nextSort === '+qName' ? undefined : nextSort })) },
          label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (direction === 'ascending' ? ' ▲' : ' ▼') : ''),
          h('span', { class: 'visually-hidden' }, active ? `, sorted ${direction}; sort ${direction === 'ascending' ? 'descending' : 'ascending'}` : ', sort')));
    }),
    h('th', { scope: 'col' }, 'Space'),
    h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')));
  const body = state.rows.length
    ? state.rows.map(row)
    : h('tr', {}, h('td', { colspan: admin ? 7 : 6, class: 'empty' }, 'No connections here.'));
  replace(state.table, h('thead', {}, header), h('tbody', {}, body));
  renderPager();
  updateMoveButton();
}

function row(connection) {
  const privileges = connection.privileges ?? [];
  const dataFiles = isDataFiles(connection);
  const movable = !dataFiles && (privileges.includes('change_space') || privileges.includes('change_owner'));
  const checkbox = state.context.isTenantAdmin
    ? h('td', { class: 'select', 'data-label': 'Select' }, movable ? h('input', {
      type: 'checkbox', 'aria-label': `Select ${connection.qName}`, checked: state.selected.has(connection.qID),
      onchange: (event) => { if (event.target.checked) state.selected.set(connection.qID, connection); else state.selected.delete(connection.qID); updateMoveButton(); },
    }) : null)
    : null;
  const actions = [];
  if (!dataFiles && privileges.includes('update')) actions.push(h('a', { class: 'button small', href: href(`/connections/${encodeURIComponent(connection.qID)}/edit`), 'aria-label': `Edit ${connection.qName}` }, 'Edit'));
  if (!dataFiles && privileges.includes('delete')) actions.push(h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${connection.qName}`, onclick: () => remove(connection) }, 'Delete'));
  return h('tr', { 'data-id': connection.qID },
    checkbox,
    h('td', { 'data-label': 'Name' },
      h('a', { href: href(`/connections/${encodeURIComponent(connection.qID)}`) }, connection.qName),
      dataFiles ? h('span', { class: 'badge', title: 'Every space has one; it cannot be changed or deleted' }, 'Data files') : null),
    h('td', { 'data-label': 'Data source' }, sourceLabel(state.sources, connection.datasourceID)),
    h('td', { 'data-label': 'Type' }, connection.qType),
    h('td', { 'data-label': 'Updated' }, when(connection.updated)),
    h('td', { 'data-label': 'Space' }, spaceName(state.spaces, connection.space)),
    h('td', { class: 'actions', 'data-label': 'Actions' }, actions.length ? h('div', { class: 'button-row' }, actions) : h('span', { class: 'muted' }, 'read only')));
}

function renderPager() {
  const prev = state.links.prev?.href;
  const next = state.links.next?.href;
  const step = (link, delta) => async () => {
    state.pageNumber += delta;
    await loadPage(link);
    state.pager.querySelector(delta > 0 ? '[data-next]' : '[data-prev]')?.focus();
    if (document.activeElement === document.body) state.heading.focus();
  };
  replace(state.pager,
    h('button', { type: 'button', 'data-prev': true, disabled: !prev, onclick: prev ? step(prev, -1) : undefined }, 'Previous page'),
    h('span', { class: 'page-number' }, `Page ${state.pageNumber}`),
    h('button', { type: 'button', 'data-next': true, disabled: !next, onclick: next ? step(next, +1) : undefined }, 'Next page'));
}

function updateMoveButton() {
  if (!state.moveButton) return;
  state.moveButton.disabled = state.selected.size === 0;
  state.moveButton.textContent = state.selected.size ? `Move selected (${state.selected.size})…` : 'Move selected…';
}

async function moveSelected() {
  const changed = await moveConnections([...state.selected.values()], state.spaces, state.context);
  if (changed) await connectionsView.update(state.route);
}

async function remove(connection) {
  if (!await confirmDialog('Delete connection', `Delete “${connection.qName}”? Apps that load from it stop working. This cannot be undone.`, 'Delete')) return;
  try {
    await call('DELETE', `/api/v1/data-connections/${encodeURIComponent(connection.qID)}`);
    announce(`Deleted ${connection.qName}.`);
    await connectionsView.update(state.route);
    state.heading.focus();
  } catch (e) {
    state.status.textContent = `Could not delete ${connection.qName}: ${e.message}`;
  }
}
