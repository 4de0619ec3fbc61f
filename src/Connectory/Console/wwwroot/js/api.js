// The console's only way to the server: the public HTTP API, with the user's API key or JWT as a bearer token.
// The key or token lives in sessionStorage (gone when the tab closes), never in a URL, never logged.

const KEY_NAME = 'connectory.apiKey';

export const session = {
  get key() { return sessionStorage.getItem(KEY_NAME); },
  signIn(key) { sessionStorage.setItem(KEY_NAME, key); },
  signOut() { sessionStorage.removeItem(KEY_NAME); },
};

/** An API answer outside 2xx, with the errors of its body (`{"errors":[{code,title,detail,source?}]}`). */
export class ApiError extends Error {
  constructor(status, body) {
    const errors = Array.isArray(body?.errors) ? body.errors : [];
    super(errors.map((e) => e.detail || e.title).filter(Boolean).join(' ') || `The server answered ${status}.`);
    this.status = status;
    this.errors = errors;
  }
}

let onSignedOut = () => {};
/** What to do when the server no longer accepts the key (revoked or expired). */
export function whenSignedOut(handler) { onSignedOut = handler; }

/**
 * Calls the API. `path` is a path on this server (`/api/v1/...`) or a link the API returned (only its path and
 * query are kept, so links always go back to this origin). Resolves with {status, data}; throws ApiError.
 */
export async function call(method, path, { body, query, headers: extra, key = session.key } = {}) {
  const url = new URL(path, location.origin);
  const target = new URL(url.pathname + url.search, location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') target.searchParams.set(name, String(value));
  }
  const headers = { ...extra, Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(target, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (response.status === 401 && key === session.key) onSignedOut();
  if (!response.ok) throw new ApiError(response.status, data);
  return { status: response.status, data };
}

export const get = (path, query) => call('GET', path, { query }).then((r) => r.data);

/** Every item of a paged list, following links.next (spaces and users page by 10 or 20). */
export async function getAll(path, query) {
  const items = [];
  let page = await get(path, query);
  for (let guard = 0; guard < 50; guard++) {
    items.push(...(page.data ?? []));
    const next = page.links?.next?.href;
    if (!next) break;
    page = await get(next);
  }
  return items;
}

/** A SCIM string literal: the search box's text inside double quotes, quotes and backslashes escaped. */
export const scimString = (text) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
