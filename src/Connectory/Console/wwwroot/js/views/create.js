// Creating a connection from the catalog: pick a data source, fill the form its schema generates, POST it with
// connectionProperties; the API's validation errors land next to their fields.
import { call, get, ApiError } from '../api.js';
import { h, replace, announce } from '../dom.js';
import { href, go } from '../router.js';
import { loadSpaces, spaceTypeLabel } from './spaces.js';
import { loadSources } from './sources.js';
import { field, schemaFields, typedValue, showErrors, clearErrors, filesRead, forgetSecrets } from './form.js';
import { usesOAuth, authorizationStep, OAUTH_PROPERTIES } from './oauth.js';

export const createConnectionView = {
  async render(main, route, context) {
    const [sources, spaces] = await Promise.all([loadSources(), loadSpaces(context)]);
    const chosenSource = route.query.get('source') ?? '';
    const sourceSelect = h('select', { id: 'source', name: 'source' },
      h('option', { value: '' }, 'Choose a data source…'),
      sources.map((s) => h('option', { value: s.dataSourceId, selected: s.dataSourceId === chosenSource }, s.name)));
    const formSlot = h('div', {});
    let authorization = null;
    sourceSelect.addEventListener('change', () => showForm(sourceSelect.value));
    replace(main, h('div', { class: 'panel' },
      h('p', {}, h('a', { href: href('/connections') }, '← Connections')),
      h('h1', {}, 'New connection'),
      h('div', { class: 'field' }, h('label', { for: 'source' }, 'Data source'), sourceSelect,
        h('p', { class: 'hint' }, 'The catalog of this tenant (GET /api/v1/data-sources); the form below follows the source\'s schema.')),
      formSlot));
    if (chosenSource) await showForm(chosenSource);

    async function showForm(sourceId) {
      authorization?.close();
      authorization = null;
      if (!sourceId) { formSlot.replaceChildren(); return; }
      const source = sources.find((s) => s.dataSourceId === sourceId);
      const spec = await get(`/api/v1/data-sources/${encodeURIComponent(sourceId)}/api-specs`);
      const nameField = field({ name: 'qName', label: 'Connection name', required: true });
      const spaceField = field({ name: 'space', label: 'Space', type: 'select', options: [] });
      replace(spaceField.control,
        h('option', { value: '' }, 'Personal (your own)'),
        spaces.filter((s) => (s.meta?.actions ?? ['create']).includes('create') || context.isTenantAdmin)
          .map((s) => h('option', { value: s.id, selected: s.id === route.query.get('space') }, `${s.name} (${spaceTypeLabel(s.type)})`)));
      const oauth = usesOAuth(source);
      // An OAuth source's code and state come from the sign-in at the provider, not from fields of their own.
      const propertyFields = schemaFields(spec.connectionProperties).filter((f) => !(oauth && OAUTH_PROPERTIES.includes(f.name)));
      authorization = oauth ? authorizationStep(sourceId, source?.name ?? sourceId, nameField) : null;
      const summary = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert', hidden: true });
      const form = h('form', { novalidate: true, 'aria-labelledby': 'properties-title' },
        summary,
        nameField.wrapper, spaceField.wrapper,
        h('fieldset', {}, h('legend', { id: 'properties-title' }, `${source?.name ?? sourceId} properties`),
          h('p', { class: 'hint' }, 'Fields marked * are required. Secrets are sent once, stored encrypted, and never shown again.'),
          propertyFields.map((f) => f.wrapper)),
        authorization?.wrapper,
        h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'primary' }, 'Create connection'),
          h('a', { class: 'button', href: href('/connections') }, 'Cancel')));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearErrors(form, summary);
        await filesRead(propertyFields);
        const connectionProperties = {};
        for (const f of propertyFields) {
          const value = typedValue(f);
          if (value !== undefined) connectionProperties[f.name] = value;
        }
        for (const [name, value] of Object.entries(authorization?.properties() ?? {})) {
          if (value !== undefined) connectionProperties[name] = value;
        }
        const body = { qName: nameField.control.value.trim(), datasourceID: sourceId, connectionProperties };
        if (spaceField.control.value) body.space = spaceField.control.value;
        try {
          const { data } = await call('POST', '/api/v1/data-connections', { body });
          forgetSecrets(propertyFields);
          authorization?.forget();
          authorization?.close();
          announce(`Created ${data.qName}.`);
          go(`/connections/${encodeURIComponent(data.qID)}`, { created: '1' });
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          showErrors(form, summary, [nameField, spaceField, ...propertyFields, ...(authorization ? [authorization.codeField] : [])], e);
        }
      });
      formSlot.replaceChildren(form);
    }
  },
};
