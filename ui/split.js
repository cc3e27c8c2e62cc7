// Splitting a route at a key (POST /v1/catalog/split): a form opened from a row of the route table.
// The admin token is asked for here and kept in this tab's sessionStorage only (gone when the tab
// closes); a 401 forgets it. After a split the table shows both children and the header the new
// version, without a reload.

import { postJson, ApiError } from './api.js';
import { model, keyText, setVersion, describe } from './model.js';

const TOKEN_KEY = 'routecat.adminToken';
const byId = (id) => document.getElementById(id);

let current = null;  // the route being split
let showRange = null;

function message(text, failed) {
  model.split.message = text;
  const p = byId('split-message');
  p.textContent = text;
  p.className = failed ? 'error' : 'ok';
}

export function open(route) {
  current = route;
  model.split.routeId = route.route_id;
  byId('split-route-id').textContent = `#${route.route_id}`;
  byId('split-route-start').textContent = keyText(route.start_text, false);
  byId('split-route-end').textContent = keyText(route.end_text, true);
  byId('split-key').value = '';
  byId('split-token').value = sessionStorage.getItem(TOKEN_KEY) || '';
  message('', false);
  byId('split-form').hidden = false;
  byId('split-key').focus();
}

function close() {
  current = null;
  model.split.routeId = null;
  byId('split-form').hidden = true;
}

async function submit() {
  if (!current) return;
  const token = byId('split-token').value;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  const key = byId('split-key').value;
  const route = current;
  message(`splitting route #${route.route_id} at ${JSON.stringify(key)}…`, false);
  try {
    const done = await postJson('/v1/catalog/split',
      { expected_version: model.version, route_id: route.route_id, split_key_text: key }, token);
    model.split.last = done;
    setVersion(done.version);
    message(`version ${done.version}: route #${route.route_id} split into #${done.left.route_id} and #${done.right.route_id}`, false);
    await showRange(done.left.start, done.right.end,
      `routes #${done.left.route_id} and #${done.right.route_id}, split from #${route.route_id}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    message(describe(e), true);
  }
}

export function start(routes) {
  showRange = routes.showRange;
  byId('split-form').addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  byId('split-cancel').addEventListener('click', close);
}
