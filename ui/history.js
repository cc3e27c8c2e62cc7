// Catalog history: versions and their deltas (the change feed, GET /v1/catalog/changes), newest
// first; new versions arrive live from the change stream (console.js hands them over).

import { getJson, query } from './api.js';
import { model, el, keyText, showError, describe } from './model.js';

const BACKLOG = 20;        // versions fetched when the view first opens
const MUTATIONS_SHOWN = 20;  // per version; a PUT of a large table says how many more

let loaded = false;
const seen = new Set();

function mutationLine(m) {
  if (m.op === 'delete') return el('li', `delete #${m.route_id}`);
  const r = m.route;
  return el('li', `upsert #${m.route_id} [${keyText(r.start_text, false)}, ${keyText(r.end_text, true)}) group ${r.group_id} ${r.state}`);
}

function entry(version, title, mutations) {
  const li = el('li');
  li.dataset.version = String(version);
  li.append(el('h3', title));
  const list = el('ul');
  for (const m of mutations.slice(0, MUTATIONS_SHOWN)) list.append(mutationLine(m));
  if (mutations.length > MUTATIONS_SHOWN) list.append(el('li', `… and ${mutations.length - MUTATIONS_SHOWN} more`, 'muted'));
  li.append(list);
  return li;
}

// Inserts one version's entry where it belongs (newest first); a version seen before is skipped.
function add(version, title, mutations) {
  if (seen.has(version)) return;
  seen.add(version);
  const list = document.getElementById('history-list');
  const node = entry(version, title, mutations);
  const later = [...list.children].find((c) => Number(c.dataset.version) < version);
  list.insertBefore(node, later || null);
  model.history.entries.push({ version, mutations: mutations.length });
  model.history.entries.sort((a, b) => b.version - a.version);
}

export function addDelta(delta) {
  const n = delta.mutations.length;
  add(delta.version, `version ${delta.version} (from ${delta.previous_version}): ${n} change${n === 1 ? '' : 's'}`, delta.mutations);
}

export function addReset(reset) {
  add(reset.version, `version ${reset.version}: the whole catalog (${reset.routes.length} routes)`, []);
}

async function loadBacklog() {
  try {
    // First where the log starts (its floor), so the backlog never asks below it: that answer
    // would be the whole catalog instead of deltas.
    const head = await getJson(`/v1/catalog/changes${query({ after: model.version || 0, limit: 1 })}`);
    if (head.floor > 0) {
      const after = Math.max(head.floor - 1, head.version - BACKLOG);
      const feed = await getJson(`/v1/catalog/changes${query({ after, limit: BACKLOG })}`);
      for (const delta of feed.deltas) addDelta(delta);
    }
    loaded = true;
  } catch (e) {
    showError('history', describe(e));
  }
}

export function shown() {
  if (!loaded) loadBacklog();
}
