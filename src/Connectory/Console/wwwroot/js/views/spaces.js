// The caller's spaces (GET /api/v1/spaces, every page) and how to name them.
import { getAll } from '../api.js';

const typeLabels = { personal: 'Personal', shared: 'Shared', managed: 'Managed', data: 'Data' };
export const spaceTypeLabel = (type) => typeLabels[type] ?? type;

/** Loads the spaces once per page view; `context.spaces` is reused by the views shown after. */
export async function loadSpaces(context, { fresh = false } = {}) {
  if (!context.spaces || fresh) context.spaces = await getAll('/api/v1/spaces', { limit: 100 });
  return context.spaces;
}

/** The name of a connection's space ("" is the owner's personal space). */
export function spaceName(spaces, id) {
  if (!id) return 'Personal';
  return spaces.find((s) => s.id === id)?.name ?? id;
}

/** The caller's role in a space, as far as the API says: owner, or the roles of meta.roles. */
export function callerRole(space, me) {
  if (space.ownerId === me.id) return 'owner';
  const roles = space.meta?.roles ?? [];
  return roles.length ? roles.join(', ') : '';
}
