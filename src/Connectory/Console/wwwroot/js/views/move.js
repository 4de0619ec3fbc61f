// Moving connections to another space and handing them to another owner: POST /api/v1/data-connections/actions/update,
// one bulk call, its 207 answer shown per connection.
import { call, getAll } from '../api.js';
import { h, openDialog, uid } from '../dom.js';
import { spaceTypeLabel } from './spaces.js';

const KEEP = '';
const PERSONAL = '#personal';

/** Opens the move dialog for `connections` ({qID, qName}); resolves true when anything was changed. */
export async function moveConnections(connections, spaces, context) {
  const users = context.isTenantAdmin ? await getAll('/api/v1/users', { limit: 100 }) : [];
  return openDialog(connections.length === 1 ? `Move “${connections[0].qName}”` : `Move ${connections.length} connections`, (close) => {
    const spaceId = uid('move-space');
    const ownerId = uid('move-owner');
    const spaceSelect = h('select', { id: spaceId, name: 'space' },
      h('option', { value: KEEP }, 'Keep in its space'),
      h('option', { value: PERSONAL }, 'Personal space of its owner'),
      spaces.map((s) => h('option', { value: s.id }, `${s.name} (${spaceTypeLabel(s.type)})`)));
    const ownerSelect = h('select', { id: ownerId, name: 'owner', disabled: users.length === 0 },
      h('option', { value: KEEP }, 'Keep its owner'),
      users.map((u) => h('option', { value: u.id }, u.name || u.subject)));
    const error = h('p', { class: 'form-error', role: 'alert' });
    const results = h('div', { class: 'results' });
    let changed = false;
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Apply');
    const form = h('form', {},
      h('div', { class: 'field' }, h('label', { for: spaceId }, 'Target space'), spaceSelect),
      h('div', { class: 'field' }, h('label', { for: ownerId }, 'New owner'), ownerSelect,
        users.length === 0 ? h('p', { class: 'hint' }, 'Only a TenantAdmin hands connections to another owner.') : null),
      error,
      results,
      h('div', { class: 'button-row' }, submit, h('button', { type: 'button', onclick: () => close(changed) }, 'Close')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const target = spaceSelect.value;
      const owner = ownerSelect.value;
      if (target === KEEP && owner === KEEP) { error.textContent = 'Choose a target space or a new owner.'; spaceSelect.focus(); return; }
      const space = spaces.find((s) => s.id === target);
      const items = connections.map((c) => ({
        id: c.qID,
        ...(target === PERSONAL ? { spaceId: '', spaceType: 'personal' } : {}),
        ...(space ? { spaceId: space.id, spaceType: space.type } : {}),
        ...(owner !== KEEP ? { ownerId: owner } : {}),
      }));
      try {
        const { data } = await call('POST', '/api/v1/data-connections/actions/update', { body: { connections: items } });
        const byId = new Map(connections.map((c) => [c.qID, c.qName]));
        changed = (data?.data ?? []).some((r) => r.status < 300) || changed;
        results.replaceChildren(
          h('h3', {}, 'Results'),
          h('ul', { class: 'result-list', 'aria-live': 'polite' }, (data?.data ?? []).map((r) => h('li', { class: r.status < 300 ? 'ok' : 'failed' },
            h('strong', {}, byId.get(r.id) ?? r.id), ': ',
            r.status < 300 ? 'done' : `refused (${r.status}) ${r.error?.detail ?? r.error?.title ?? ''}`))));
        results.querySelector('h3').setAttribute('tabindex', '-1');
        results.querySelector('h3').focus();
      } catch (e) {
        error.textContent = e.message;
      }
    });
    return form;
  });
}
