// Forms built from data: one field per property of a data source's schema (GET .../api-specs), and the API's
// validation errors shown next to the field they name.
import { h, replace, uid } from '../dom.js';

/**
 * A field: label (with a "required" mark), control, hint and an error slot tied to the control by aria-describedby.
 * `spec` is {name, label, type: text|password|number|checkbox|select|textarea|file|pairs, required, value, options, hint, min, max}.
 */
export function field(spec) {
  const id = uid(`field-${spec.name.replace(/[^a-zA-Z0-9_-]/g, '')}`);
  const hintId = spec.hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const common = { id, name: spec.name, required: spec.required || undefined, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') };
  let control;
  if (spec.type === 'select') {
    control = h('select', common,
      spec.required ? null : h('option', { value: '' }, '(none)'),
      spec.options.map((o) => h('option', { value: o, selected: String(spec.value ?? '') === String(o) }, String(o))));
  } else if (spec.type === 'checkbox') {
    control = h('input', { ...common, type: 'checkbox', checked: Boolean(spec.value) });
  } else if (spec.type === 'file') {
    control = h('input', { ...common, type: 'file', multiple: true });
  } else if (spec.type === 'textarea' || spec.type === 'pairs') {
    control = h('textarea', { ...common, rows: 3 });
    control.value = spec.value ?? '';
  } else {
    control = h('input', {
      ...common,
      type: spec.type ?? 'text',
      value: spec.type === 'password' ? '' : spec.value ?? '',
      min: spec.min, max: spec.max,
      autocomplete: spec.type === 'password' ? 'new-password' : 'off',
      inputmode: spec.type === 'number' ? 'numeric' : undefined,
    });
  }
  const label = h('label', { for: id }, spec.label ?? spec.name,
    spec.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null,
    spec.required ? h('span', { class: 'visually-hidden' }, ' (required)') : null);
  const wrapper = h('div', { class: `field${spec.type === 'checkbox' ? ' checkbox' : ''}`, 'data-field': spec.name },
    spec.type === 'checkbox' ? [control, label] : [label, control],
    spec.hint ? h('p', { id: hintId, class: 'hint' }, spec.hint) : null,
    h('p', { id: errorId, class: 'field-error' }));
  const result = { name: spec.name, spec, wrapper, control };
  if (spec.type === 'file') {
    // Read in the browser as soon as chosen; the content stays in this object until sent, and is never shown.
    control.addEventListener('change', () => {
      const slot = wrapper.querySelector('.field-error');
      slot.textContent = '';
      result.files = undefined;
      result.reading = readFiles(control.files)
        .then((files) => { result.files = files.length ? files : undefined; })
        .catch((e) => { slot.textContent = `Could not read the file: ${e?.message ?? e}`; });
    });
  }
  return result;
}

/** Files as a file property carries them: [{name, value}] with the content as base64. */
function readFiles(list) {
  return Promise.all([...list].map((file) => new Promise((resolve, reject) => {
    const reader = new FileReader();
    // A data URL is "data:<type>;base64,<content>": the part after the comma is the base64 the API wants.
    reader.onload = () => resolve({ name: file.name, value: String(reader.result).slice(String(reader.result).indexOf(',') + 1) });
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  })));
}

/** Waits for the files chosen in any file field to be read, so a quick submit sends them. */
export async function filesRead(fields) {
  await Promise.all(fields.map((f) => f.reading));
}

/** Forgets what a form held that must not linger: typed secrets and read files. */
export function forgetSecrets(fields) {
  for (const f of fields) {
    if (f.spec.type === 'password' || f.spec.type === 'file') f.control.value = '';
    f.files = undefined;
  }
}

/** The fields of a data source's schema; secrets are password inputs and are never filled from the server. */
export function schemaFields(schema, values = {}, { editing = false } = {}) {
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => {
    const secret = property.secret === true || property.writeOnly === true;
    const type = controlType(property, secret);
    const file = type === 'file';
    return field({
      name, type, required: required.has(name), options: property.enum,
      value: secret || file ? '' : pairsText(values[name] ?? property.default),
      min: property.minimum, max: property.maximum,
      label: property.title ?? name,
      hint: [property.description,
        file ? 'The file is read in this browser and sent with the form; its content is never shown.' : null,
        type === 'pairs' ? 'One name=value a line.' : null,
        file && editing ? 'Choose none to keep the stored file.' : secret && editing ? 'Leave empty to keep the stored value.' : null].filter(Boolean).join(' ') || undefined,
      property,
    });
  });
}

function controlType(property, secret) {
  if (property.type === 'array') {
    // Arrays are {name, value} items: file contents as base64, or pairs (query parameters, headers) typed a line each.
    return property.contentEncoding === 'base64' ? 'file' : 'pairs';
  }
  if (property.enum) return 'select';
  if (property.type === 'boolean') return 'checkbox';
  if (property.type === 'integer' || property.type === 'number') return 'number';
  return secret ? 'password' : 'text';
}

/** An array of {name, value} as "name=value" lines; any other value as it is. */
function pairsText(value) {
  return Array.isArray(value) ? value.map((p) => `${p?.name ?? ''}=${p?.value ?? ''}`).join('\n') : value;
}

/** "name=value" lines as [{name, value}] (the first "=" splits; a line without one is a name with an empty value). */
function pairsValue(text) {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  if (!lines.length) return undefined;
  return lines.map((line) => {
    const at = line.indexOf('=');
    return at < 0 ? { name: line, value: '' } : { name: line.slice(0, at).trim(), value: line.slice(at + 1).trim() };
  });
}

/** A field's value as its schema types it; undefined when left empty. */
export function typedValue(f) {
  const property = f.spec.property ?? {};
  if (f.spec.type === 'checkbox') return f.control.checked;
  if (f.spec.type === 'file') return f.files;
  if (f.spec.type === 'pairs') return pairsValue(f.control.value);
  const text = f.control.value;
  if (text === '') return undefined;
  if (property.type === 'integer' || property.type === 'number') {
    const number = Number(text);
    return Number.isNaN(number) ? text : number;
  }
  return text;
}

/**
 * Shows an ApiError on a form: each error next to the field it names (its source.pointer/parameter, "Field 'x'"
 * in its detail, or for connection properties each "'x' ..." clause), the rest in the summary. Focuses the summary.
 */
export function showErrors(form, summary, fields, error, explain) {
  clearErrors(form, summary);
  const byName = new Map(fields.map((f) => [f.name, f]));
  const general = [];
  for (const e of error.errors?.length ? error.errors : [{ detail: error.message }]) {
    const detail = e.detail || e.title || '';
    const placed = namedFields(e, detail).filter((p) => byName.has(p.name));
    for (const { name, text } of placed) mark(byName.get(name), text);
    if (!placed.length) general.push(detail);
  }
  replace(summary,
    h('h2', { class: 'summary-title' }, 'The server did not accept this'),
    h('ul', {}, [...general, ...fields.filter((f) => f.control.getAttribute('aria-invalid')).map((f) => `${f.spec.label ?? f.name}: ${f.wrapper.querySelector('.field-error').textContent}`)].map((t) => h('li', {}, t))),
    explain ? h('p', { class: 'explain' }, explain) : null);
  summary.hidden = false;
  summary.focus();
}

export function clearErrors(form, summary) {
  summary.hidden = true;
  summary.replaceChildren();
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
}

function mark(f, text) {
  f.control.setAttribute('aria-invalid', 'true');
  const slot = f.wrapper.querySelector('.field-error');
  slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
}

function namedFields(e, detail) {
  const source = e.source?.pointer?.split('/').filter(Boolean).pop() ?? e.source?.parameter;
  if (source) return [{ name: source, text: detail }];
  const properties = /does not fit data source '[^']*': (.*)$/.exec(detail);
  if (properties) {
    return properties[1].split('; ').map((clause) => {
      const m = /^'([^']+)' (.*)$/.exec(clause);
      return m ? { name: m[1], text: m[2] } : { name: '', text: clause };
    });
  }
  const named = /^Field '([^']+)' (.*)$/.exec(detail);
  return named ? [{ name: named[1], text: named[2] }] : [];
}
