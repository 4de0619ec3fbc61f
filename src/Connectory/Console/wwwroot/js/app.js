// Boots the console: sign-in, the top bar (who is signed in, sections, sign out) and the hash routes.
import { session, get, whenSignedOut } from './api.js';
import { h, replace } from './dom.js';
import { route, current, href } from './router.js';
import { renderSignIn } from './views/signin.js';
import { connectionsView } from './views/connections.js';
import { connectionView, editConnectionView } from './views/connection.js';
import { createConnectionView } from './views/create.js';
import { credentialsView } from './views/credentials.js';
import { dataSourcesView, usersView, apiKeysView } from './views/admin.js';
import { RETURN_PATH, renderOAuthReturn } from './views/oauth.js';

route('/connections', connectionsView);
route('/connections/new', createConnectionView);
route('/connections/:id', connectionView);
route('/connections/:id/edit', editConnectionView);
route('/credentials', credentialsView);
route('/data-sources', dataSourcesView);
route('/users', usersView);
route('/api-keys', apiKeysView);

const main = document.getElementById('main');
/** What views know about the signed-in user. */
const context = { me: null, roles: [], isTenantAdmin: false, isDataAdmin: false };
let shown = null;

function roleNames(me) { return (me.assignedRoles ?? []).map((r) => r.name); }

function signedIn(me) {
  context.me = me;
  context.roles = roleNames(me);
  context.isTenantAdmin = context.roles.includes('TenantAdmin');
  context.isDataAdmin = context.isTenantAdmin || context.roles.includes('DataAdmin');
  renderTopBar();
}

function renderTopBar() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!context.me) {
    nav.hidden = true; who.hidden = true;
    return;
  }
  const sections = [
    ['/connections', 'Connections', true],
    ['/credentials', 'Credentials', true],
    ['/data-sources', 'Data sources', true],
    ['/users', 'Users', context.isTenantAdmin],
    ['/api-keys', 'API keys', true],
  ];
  replace(nav, h('ul', {}, sections.filter(([, , visible]) => visible).map(([path, label]) =>
    h('li', {}, h('a', { href: href(path), 'data-section': path }, label)))));
  replace(who,
    h('p', { class: 'identity' },
      h('span', { class: 'user-name' }, context.me.name || context.me.subject || context.me.id),
      h('span', { class: 'user-detail' }, ` tenant ${context.me.tenantId}`),
      h('span', { class: 'user-detail' }, ` · ${context.roles.length ? context.roles.join(', ') : 'no tenant role'}`)),
    h('button', { type: 'button', onclick: signOut }, 'Sign out'));
  nav.hidden = false; who.hidden = false;
}

function markSection(pattern) {
  for (const link of document.querySelectorAll('#nav a')) {
    const section = link.getAttribute('data-section');
    if (pattern === section || pattern.startsWith(`${section}/`)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function signOut(notice) {
  session.signOut();
  // The next person to sign in in this tab starts at the list, not on the page the last one left open.
  history.replaceState(null, '', location.pathname);
  context.me = null;
  shown = null;
  renderTopBar();
  showSignIn(typeof notice === 'string' ? notice : undefined);
}

function showSignIn(notice) {
  document.title = 'Sign in · Connectory console';
  renderSignIn(main, (key, me) => {
    session.signIn(key);
    signedIn(me);
    render(true);
  }, notice);
}

/** Renders the route; a view that is already shown may update in place (so focus stays in its search box). */
async function render(fromSignIn = false) {
  if (!context.me) return;
  const next = current();
  if (!next) { location.hash = href('/connections'); return; }
  markSection(next.pattern);
  if (shown && shown.pattern === next.pattern && shown.view.update && !fromSignIn && shown.sameView(next)) {
    await shown.view.update(next);
    return;
  }
  shown = { pattern: next.pattern, view: next.view, sameView: (r) => JSON.stringify(r.params) === JSON.stringify(next.params) };
  main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    await next.view.render(main, next, context);
  } catch (e) {
    if (!context.me) return; // the key stopped working: the sign-in form is already shown
    replace(main, h('div', { class: 'panel' }, h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, e.message)));
  }
  const heading = main.querySelector('h1');
  document.title = `${heading ? heading.textContent : 'Connectory'} · Connectory console`;
  // Moving focus to the new page's heading tells keyboard and screen-reader users the page changed.
  const landing = heading ?? main;
  landing.setAttribute('tabindex', '-1');
  landing.focus();
}

document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
whenSignedOut(() => signOut('Your key or token is no longer accepted (revoked or expired). Sign in again.'));
window.addEventListener('hashchange', () => render());

async function boot() {
  // The page an OAuth provider sends the user back to needs no sign-in: it only hands the code to the console's tab.
  if (location.pathname === RETURN_PATH) renderOAuthReturn(main);
  else if (!session.key) showSignIn();
  else {
    try {
      signedIn(await get('/api/v1/users/me'));
      await render(true);
    } catch {
      signOut();
    }
  }
  // Time to the first usable screen, for the browser test's first-load figures.
  performance.mark('console:first-render');
}
boot();
