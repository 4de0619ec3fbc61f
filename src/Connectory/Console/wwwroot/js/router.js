// Hash routes (#/connections, #/connections/<id>/edit?...): the server serves one page for every console path,
// and a route never reaches the server, so no key or filter lands in a server log through a URL.

const routes = [];

/** Registers `pattern` ("/connections/:id") for `view` ({render(main, route)}, optional update(route)). */
export function route(pattern, view) {
  const names = [];
  const source = pattern.replace(/:([a-zA-Z]+)/g, (_, name) => { names.push(name); return '([^/]+)'; });
  routes.push({ pattern, regex: new RegExp(`^${source}$`), names, view });
}

/** The current route: its pattern, view, path parameters and query. */
export function current() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(1) : '/connections';
  const [path, search = ''] = hash.split('?');
  for (const candidate of routes) {
    const match = candidate.regex.exec(path);
    if (match) {
      const params = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      return { pattern: candidate.pattern, view: candidate.view, params, query: new URLSearchParams(search) };
    }
  }
  return null;
}

/** Builds a hash link: href('/connections', {space: 'x'}) is "#/connections?space=x". */
export function href(path, query = {}) {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function go(path, query) { location.hash = href(path, query); }
