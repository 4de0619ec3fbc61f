// Small DOM helpers: elements built from data (never from HTML strings), dialogs, announcements.

/** h('button', {class: 'x', onclick: f}, 'text', child): attributes starting with "on" become listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'value' && 'value' in element) element.value = value;
    else if (name === 'checked' || name === 'selected') element[name] = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of a node. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

let unique = 0;
/** An id unique in the page, for label/aria references. */
export const uid = (prefix) => `${prefix}-${++unique}`;

/** Tells screen readers what just happened (a polite live region). */
export function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

/**
 * Shows a modal dialog (the native one: it keeps focus inside and closes on Escape) and resolves with what
 * build's `close(value)` was called with, or null when dismissed. Focus returns to where it was.
 */
export function openDialog(title, build) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = uid('dialog-title');
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId });
    let result = null;
    const close = (value) => { result = value; dialog.close(); };
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(result);
    });
    dialog.append(h('h2', { id: titleId }, title), build(close));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A yes/no confirmation; resolves true only on the confirming button. */
export function confirmDialog(title, message, confirmLabel) {
  return openDialog(title, (close) => h('div', {},
    h('p', {}, message),
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'danger', onclick: () => close(true) }, confirmLabel),
      h('button', { type: 'button', autofocus: true, onclick: () => close(false) }, 'Cancel'))));
}

/** Formats an RFC 3339 time for a table cell. */
export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
