// One connection: its details and the actions its privileges allow (edit, duplicate, move, delete).
import { call, get, ApiError } from '../api.js';
import { h, replace, when, announce, confirmDialog, openDialog, uid } from '../dom.js';
import { href, go } from '../router.js';
import { loadSpaces, spaceName, spaceTypeLabel } from './spaces.js';
import { loadSources, sourceLabel, isDataFiles } from './sources.js';
import { moveConnections } from './move.js';
import { field, schemaFields, typedValue, showErrors, clearErrors, filesRead, forgetSecrets } from './form.js';
import { usesOAuth, authorizationStep, OAUTH_PROPERTIES } from './oauth.js';

const connectionPath = (id) => `/api/v1/data-connections/${encodeURIComponent(id)}`;

export const connectionView = {
  async render(main, route, context) {
    const [connection, spaces, sources] = await Promise.all([
      get(connectionPath(route.params.id), { parseConnection: 'true' }), loadSpaces(context), loadSources()]);
    const owner = await ownerLabel(connection.user, context.me);
    const privileges = connection.privileges ?? [];
    const dataFiles = isDataFiles(connection);
    const status = h('p', { class: 'notice', role: 'status' }, route.query.get('created') ? 'Connection created.' : route.query.get('saved') ? 'Changes saved.' : '');
    const properties = Object.entries(connection.connectionProperties ?? {});
    const details = [
      ['Name', connection.qName],
      ['Data source', sourceLabel(sources, connection.datasourceID)],
      ['Type', connection.qType],
      ['Space', spaceName(spaces, connection.space)],
      ['Owner', owner],
      ['Statement', h('code', {}, connection.qConnectStatement)],
      ['Credentials', connection.qCredentialsID ? 'stored (never shown)' : 'none'],
      ['Your privileges', privileges.join(', ') || 'none'],
      ['Created', when(connection.created)],
      ['Updated', when(connection.updated)],
      ...properties.map(([name, value]) => [`Property ${name}`, propertyText(value)]),
    ];
    const actions = [];
    if (!dataFiles && privileges.includes('update')) actions.push(h('a', { class: 'button primary', href: href(`/connections/${encodeURIComponent(connection.qID)}/edit`) }, 'Edit'));
    if (!dataFiles && privileges.includes('read')) actions.push(h('button', { type: 'button', onclick: () => duplicate(connection, spaces) }, 'Duplicate…'));
    if (!dataFiles && (privileges.includes('change_space') || privileges.includes('change_owner'))) {
      actions.push(h('button', { type: 'button', onclick: async () => { if (await moveConnections([connection], spaces, context)) await connectionView.render(main, route, context); main.querySelector('h1')?.focus(); } }, 'Move…'));
    }
    if (!dataFiles && privileges.includes('delete')) actions.push(h('button', { type: 'button', class: 'danger', onclick: () => remove(connection) }, 'Delete…'));
    replace(main, h('div', { class: 'panel' },
      h('p', {}, h('a', { href: href('/connections', { space: connection.space || undefined }) }, '← Connections')),
      h('h1', {}, connection.qName, dataFiles ? h('span', { class: 'badge' }, 'Data files') : null),
      status,
      actions.length ? h('div', { class: 'button-row', role: 'group', 'aria-label': 'Actions' }, actions) : h('p', { class: 'muted' }, 'You may read this connection only.'),
      h('dl', { class: 'details' }, details.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]))));
  },
};

/** A property as text; an array of {name, value} (files, headers) by its names only, never its values. */
const propertyText = (value) => Array.isArray(value) ? value.map((item) => item?.name ?? '').join(', ') : String(value);

/** The owner's name where the caller may read that user (a TenantAdmin may), else the user id alone. */
async function ownerLabel(userId, me) {
  if (userId === me.id) return `${me.name} (you)`;
  try {
    const user = await get(`/api/v1/users/${encodeURIComponent(userId)}`);
    return `${user.name || user.subject} (${userId})`;
  } catch {
    return userId;
  }
}

async function duplicate(connection, spaces) {
  const copy = await openDialog(`Duplicate “${connection.qName}”`, (close) => {
    const nameId = uid('copy-name');
    const spaceId = uid('copy-space');
    const name = h('input', { id: nameId, name: 'name', autocomplete: 'off', 'aria-describedby': `${nameId}-hint` });
    const space = h('select', { id: spaceId, name: 'space' },
      h('option', { value: '' }, 'The same space'),
      spaces.map((s) => h('option', { value: s.id }, `${s.name} (${spaceTypeLabel(s.type)})`)));
    const error = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', {},
      h('div', { class: 'field' }, h('label', { for: nameId }, 'Name of the copy'), name,
        h('p', { id: `${nameId}-hint`, class: 'hint' }, `Empty: “${connection.qName} - Copy”.`)),
      h('div', { class: 'field' }, h('label', { for: spaceId }, 'Space of the copy'), space),
      error,
      h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary' }, 'Duplicate'), h('button', { type: 'button', onclick: () => close(null) }, 'Cancel')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const { data } = await call('POST', '/api/v1/data-connections/actions/duplicate', {
          body: { id: connection.qID, ...(name.value.trim() ? { name: name.value.trim() } : {}), ...(space.value ? { spaceId: space.value } : {}) },
        });
        close(data);
      } catch (e) {
        error.textContent = e.message;
      }
    });
    return form;
  });
  if (copy) {
    announce(`Duplicated as ${copy.qName}.`);
    go(`/connections/${encodeURIComponent(copy.qID)}`, { created: '1' });
  }
}

async function remove(connection) {
  if (!await confirmDialog('Delete connection', `Delete “${connection.qName}”? Apps that load from it stop working. This cannot be undone.`, 'Delete')) return;
  try {
    await call('DELETE', connectionPath(connection.qID));
    announce(`Deleted ${connection.qName}.`);
    go('/connections', { space: connection.space || undefined });
  } catch (e) {
    document.querySelector('main [role=status]').textContent = `Could not delete: ${e.message}`;
  }
}

const TARGET_RULE = 'Changing where a connection points (its host, server, URL, port or path) needs its credentials again: ' +
  'stored secrets never follow a connection to a new target. Enter the password (or secret) in this form and save again.';

export const editConnectionView = {
  async render(main, route) {
    const [connection, sources] = await Promise.all([get(connectionPath(route.params.id), { parseConnection: 'true' }), loadSources()]);
    const source = sources.find((s) => s.dataSourceId === connection.datasourceID);
    let schema = null;
    if (connection.datasourceID && connection.connectionProperties) {
      try {
        schema = (await get(`/api/v1/data-sources/${encodeURIComponent(connection.datasourceID)}/api-specs`)).connectionProperties;
      } catch { schema = null; }
    }
    const nameField = field({ name: 'qName', label: 'Connection name', required: true, value: connection.qName });
    const oauth = Boolean(schema) && usesOAuth(source);
    // An OAuth connection's code and state are write-only: new tokens come from signing in again, sent as headers.
    const authorization = oauth ? authorizationStep(connection.datasourceID, source.name, nameField, { again: true }) : null;
    // A connection made from properties is edited through them; one made from a statement, through the statement.
    const fields = schema
      ? schemaFields(schema, connection.connectionProperties, { editing: true }).filter((f) => !(oauth && OAUTH_PROPERTIES.includes(f.name)))
      : [
        field({ name: 'qConnectStatement', label: 'Connect statement', type: 'textarea', required: true, value: connection.qConnectStatement }),
        field({ name: 'qUsername', label: 'User name', hint: 'Leave empty to keep the stored credentials.' }),
        field({ name: 'qPassword', label: 'Password', type: 'password', hint: 'Leave empty to keep the stored password.' }),
      ];
    const summary = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert', hidden: true });
    const form = h('form', { novalidate: true, 'aria-labelledby': 'edit-title' },
      summary, nameField.wrapper,
      h('fieldset', {}, h('legend', {}, schema ? 'Properties' : 'Statement and credentials'),
        h('p', { class: 'hint' }, 'Fields marked * are required. ', TARGET_RULE.split(':')[0], '.'),
        fields.map((f) => f.wrapper)),
      authorization?.wrapper,
      h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary' }, 'Save changes'),
        h('a', { class: 'button', href: href(`/connections/${encodeURIComponent(connection.qID)}`) }, 'Cancel')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form, summary);
      await filesRead(fields);
      const operations = [];
      const name = nameField.control.value.trim();
      if (name !== connection.qName) operations.push({ op: 'replace', path: '/qName', value: name });
      for (const f of fields) {
        const value = typedValue(f);
        if (schema) {
          const stored = connection.connectionProperties[f.name];
          if (value === undefined) continue; // left empty: a secret kept, an optional property unchanged
          const sentEachTime = f.spec.type === 'password' || f.spec.type === 'file';
          // Compared as JSON, so an unchanged list of pairs is no change either.
          if (!sentEachTime && JSON.stringify(value) === JSON.stringify(stored ?? f.spec.property?.default)) continue;
          operations.push({ op: stored === undefined && !sentEachTime ? 'add' : 'replace', path: `/connectionProperties/${f.name}`, value });
        } else if (value !== undefined && value !== connection[f.name]) {
          operations.push({ op: 'replace', path: `/${f.name}`, value });
        }
      }
      const { authCode, state } = authorization?.properties() ?? {};
      const headers = authCode ? { 'qlik-auth-code': authCode, 'qlik-auth-state': state ?? '' } : undefined;
      if (!operations.length && !headers) { go(`/connections/${encodeURIComponent(connection.qID)}`); return; }
      try {
        await call('PATCH', connectionPath(connection.qID), { body: operations, headers });
        forgetSecrets(fields);
        authorization?.forget();
        authorization?.close();
        announce('Changes saved.');
        go(`/connections/${encodeURIComponent(connection.qID)}`, { saved: '1' });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        const targetRefused = e.status === 400 && /target/i.test(e.message);
        showErrors(form, summary, [nameField, ...fields, ...(authorization ? [authorization.codeField] : [])], e, targetRefused ? TARGET_RULE : undefined);
        if (targetRefused) {
          for (const f of fields) if (f.spec.type === 'password') f.control.setAttribute('aria-invalid', 'true');
        }
      }
    });
    replace(main, h('div', { class: 'panel' },
      h('p', {}, h('a', { href: href(`/connections/${encodeURIComponent(connection.qID)}`) }, `← ${connection.qName}`)),
      h('h1', { id: 'edit-title' }, `Edit ${connection.qName}`),
      form));
  },
};
