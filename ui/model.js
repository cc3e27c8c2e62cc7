// What the page shows, kept in one object (window.routecatConsole) so tests and curious operators
// can read it, plus the small DOM helpers every view shares. Keys are shown with textContent only:
// they come from unauthenticated clients (POST /v1/routes/access), never as HTML.

export const model = {
  version: null,       // the catalog version shown in the header
  generation: null,
  view: 'heatmap',
  live: false,         // the change stream is connected
  error: '',           // the banner's text
  heatmap: { bands: [], hotBands: [], loadedBands: [], columns: 0, drawnAt: null, draws: 0, range: null },
  routes: { mode: 'page', rows: [], count: 0, next: null, lookupKey: null },
  history: { entries: [] },
  status: { stats: null, ready: null },
  split: { routeId: null, message: '', last: null },
};
window.routecatConsole = model;

const listeners = [];

// fn(version) runs whenever the shown version moves.
export function onVersion(fn) {
  listeners.push(fn);
}

export function setVersion(version, generation) {
  if (generation !== undefined) model.generation = generation;
  if (version === null || version === undefined || version === model.version) return;
  if (model.version !== null && version < model.version) return;  // an older answer arriving late
  model.version = version;
  document.getElementById('version').textContent = String(version);
  for (const fn of listeners) fn(version);
}

const errors = new Map();  // source ("heatmap", "routes", ...) -> its last failure

// The banner shows each source's last failure; showError(source, '') clears that source's.
export function showError(source, text) {
  if (text) errors.set(source, text);
  else errors.delete(source);
  model.error = [...errors].map(([from, what]) => `${from}: ${what}`).join('\n');
  const banner = document.getElementById('error');
  banner.textContent = model.error;
  banner.hidden = !model.error;
}

// What an error says on the page: the API's "401 unauthorized: ..." or the browser's own message.
export function describe(error) {
  return error.describe ? error.describe() : error.message;
}

// An element with text (never parsed as HTML) and optional classes.
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

// How a key's text form reads on the page: "" is the keyspace's start, null (no end) its end.
export function keyText(text, isEnd) {
  if (text === null || text === undefined) return isEnd ? '∞ (end of keyspace)' : '';
  if (text === '') return isEnd ? '""' : '"" (start of keyspace)';
  return text;
}
