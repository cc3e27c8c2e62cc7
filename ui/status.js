// Status: the engine (version, generation, routes, load), the catalog store's kind, the watcher and
// readiness, from GET /v1/stats and GET /readyz; refreshed every few seconds and on each version.

import { getJson, query } from './api.js';
import { model, el, keyText, showError, describe, setVersion } from './model.js';

const EVERY_MS = 3000;

function item(list, name, value) {
  list.append(el('dt', name), el('dd', value === null || value === undefined ? '—' : value));
}

async function readiness() {
  try {
    const ready = await getJson('/readyz');
    return { ready: true, text: `ready at version ${ready.version}` };
  } catch (e) {
    return { ready: false, text: describe(e) };
  }
}

function render(stats, ready) {
  const list = document.getElementById('status-list');
  list.replaceChildren();
  item(list, 'readiness', ready.text);
  item(list, 'engine version', stats.version);
  item(list, 'engine generation', stats.generation);
  item(list, 'routes', stats.routes);
  item(list, 'total load', stats.total_load);
  item(list, 'store', stats.store === undefined ? 'not reported' : stats.store);
  const w = stats.watcher;
  if (w) {
    item(list, 'watcher', w.running ? 'running' : 'stopped');
    item(list, 'watcher syncs', `${w.syncs} (${w.failures} failed, ${w.consecutive_failures} in a row)`);
    item(list, 'last applied version', w.last_applied_version);
    item(list, 'last sync', w.last_sync);
    item(list, 'last error', w.last_error);
  } else {
    item(list, 'watcher', 'none');
  }
  for (const r of stats.top || []) {
    item(list, `hot route #${r.route_id}`, `load ${r.load}, [${keyText(r.start_text, false)}, ${keyText(r.end_text, true)}) group ${r.group_id}`);
  }
}

export async function refresh() {
  try {
    const [stats, ready] = await Promise.all([getJson(`/v1/stats${query({ top: 5 })}`), readiness()]);
    model.status.stats = stats;
    model.status.ready = ready.ready;
    showError('status', '');
    setVersion(stats.version, stats.generation);
    if (model.view === 'status') render(stats, ready);
  } catch (e) {
    showError('status', describe(e));
  }
}

export function shown() {
  refresh();
}

export function start() {
  setInterval(() => {
    if (model.view === 'status') refresh();
  }, EVERY_MS);
}
