// The route table: pages of GET /v1/routes (cursor paging, filters by group and state), the route
// holding a key (GET /v1/routes/lookup), and a split of any row (split.js). Refreshed in place when
// the catalog moves.

import { getJson, query } from './api.js';
import { model, el, keyText, showError, describe, setVersion } from './model.js';
import * as split from './split.js';

const state = {
  cursors: [null],  // the "after" of each page seen so far; the last is the current page's
  stale: true,      // the catalog moved while the view was hidden
  asked: 0,         // requests made; only the latest one's answer is shown
};

// Fetches path; the answer (or its error), or null when a later request has been made meanwhile:
// that one's answer is shown, whichever arrives first.
async function latest(path) {
  const asked = ++state.asked;
  try {
    const answer = await getJson(path);
    return asked === state.asked ? answer : null;
  } catch (e) {
    if (asked === state.asked) throw e;
    return null;
  }
}

const byId = (id) => document.getElementById(id);

function filters() {
  return {
    limit: byId('routes-limit').value,
    group_id: byId('routes-group').value.trim(),
    state: byId('routes-state').value,
  };
}

const cell = (text, className) => el('td', text, className);

function row(route) {
  const tr = el('tr');
  tr.dataset.routeId = String(route.route_id);
  const start = cell(keyText(route.start_text, false), 'key');
  const end = cell(keyText(route.end_text, true), 'key');
  const action = el('td');
  const button = el('button', 'Split');
  button.type = 'button';
  button.addEventListener('click', () => split.open(route));
  action.append(button);
  tr.append(cell(route.route_id), start, end, cell(route.group_id), cell(route.state), cell(route.load, 'number'), action);
  return tr;
}

function render(rows, summary) {
  model.routes.rows = rows;
  byId('routes-table').tBodies[0].replaceChildren(...rows.map(row));
  byId('routes-summary').textContent = summary;
  const paging = model.routes.mode === 'page';
  byId('routes-prev').disabled = !paging || state.cursors.length < 2;
  byId('routes-first').disabled = !paging || state.cursors.length < 2;
  byId('routes-next').disabled = !paging || !model.routes.next;
}

async function loadPage() {
  const f = filters();
  const after = state.cursors[state.cursors.length - 1];
  const page = await latest(`/v1/routes${query({ ...f, after })}`);
  if (!page) return;
  setVersion(page.version, page.generation);
  model.routes.mode = 'page';
  model.routes.count = page.count;
  model.routes.next = page.next;
  const first = (state.cursors.length - 1) * Number(f.limit);
  const shown = page.routes.length ? `routes ${first + 1}–${first + page.routes.length} of ${page.count}` : `no routes of ${page.count}`;
  render(page.routes, `${shown} at version ${page.version}`);
}

async function loadLookup(key) {
  const found = await latest(`/v1/routes/lookup${query({ key })}`);
  if (!found) return;
  setVersion(found.version);
  model.routes.mode = 'lookup';
  model.routes.next = null;
  render([found.route], `the route holding key ${JSON.stringify(key)} at version ${found.version}`);
}

// The routes of [start, end) (base64; end null = no end): what a split left behind.
export async function showRange(start, end, why) {
  const found = await latest(`/v1/routes/intersect${query({ start_b64: start, end_b64: end })}`);
  if (!found) return;
  setVersion(found.version);
  model.routes.mode = 'range';
  model.routes.next = null;
  render(found.routes, `${why} at version ${found.version}`);
}

// Loads what the form asks for: a lookup when a key is typed, else the current page.
async function load() {
  const key = byId('routes-key').value;
  model.routes.lookupKey = key || null;
  try {
    if (key) await loadLookup(key);
    else await loadPage();
    state.stale = false;
    showError('routes', '');
  } catch (e) {
    if (e.status === 404 && key) {
      model.routes.mode = 'lookup';
      render([], `no route holds key ${JSON.stringify(key)}`);
    } else {
      showError('routes', describe(e));
    }
  }
}

// The catalog moved: the table follows (at once when visible, when next shown otherwise). A range
// shown after a split stays until the operator asks for something else.
export function catalogMoved() {
  state.stale = true;
  if (model.view === 'routes' && model.routes.mode !== 'range') load();
}

export function shown() {
  if (state.stale) load();
}

export function start() {
  byId('routes-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    state.cursors = [null];
    load();
  });
  byId('routes-clear').addEventListener('click', () => {
    byId('routes-key').value = '';
    byId('routes-group').value = '';
    byId('routes-state').value = '';
    state.cursors = [null];
    load();
  });
  byId('routes-limit').addEventListener('change', () => {
    state.cursors = [null];
    load();
  });
  byId('routes-next').addEventListener('click', () => {
    if (!model.routes.next) return;
    state.cursors.push(model.routes.next);
    load();
  });
  byId('routes-prev').addEventListener('click', () => {
    if (state.cursors.length > 1) state.cursors.pop();
    load();
  });
  byId('routes-first').addEventListener('click', () => {
    state.cursors = [null];
    load();
  });
  split.start({ showRange });
}
