// The data-source catalog (GET /api/v1/data-sources), shared by the list, the create page and the admin page.
import { get } from '../api.js';

let catalog = null;

/** The catalog's enabled sources, loaded once per page load. */
export async function loadSources({ fresh = false } = {}) {
  if (!catalog || fresh) catalog = (await get('/api/v1/data-sources')).dataSources ?? [];
  return catalog;
}

export function sourceLabel(sources, id) {
  if (!id) return '—';
  return sources.find((s) => s.dataSourceId === id)?.name ?? id;
}

/** The reserved DataFiles connection every space has. */
export const isDataFiles = (connection) => connection.qType === 'qix-datafiles.exe' && connection.qName === 'DataFiles';
