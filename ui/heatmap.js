// The keyspace heatmap: GET /v1/keyviz?rows=N gives the current route table cut into at most N
// bands of consecutive routes and, per time column, the traffic of each band. Time runs across,
// bands down, colour = reads + writes of a cell (log scale); a strip on the right shows each band's
// current load; lines mark raft group changes. Dragging over bands zooms into their key range.

import { getJson, query } from './api.js';
import { model, el, keyText, showError, describe, setVersion } from './model.js';
import { paint } from './heatmap_paint.js';

const ROWS = 1000;  // bands asked for: every route its own band up to 1,000 routes

const state = {
  data: null,        // the last /v1/keyviz answer
  zoom: [],          // stack of {start, end, start_text, end_text} (base64 keys; end null = no end)
  layout: null,      // what the last draw put where
  fetching: false,
  again: false,      // a refresh was asked for while fetching
  timer: null,
  drag: null,
};

const canvas = () => document.getElementById('heatmap');

function draw() {
  const data = state.data;
  if (!data) return;
  const drawn = paint(canvas(), data);
  const bands = data.bands || [];
  const n = bands.length;
  state.layout = drawn.layout;
  const hm = model.heatmap;
  hm.bands = bands;
  hm.hotBands = drawn.hotBands;
  hm.loadedBands = bands.flatMap((b, i) => (b.load ? [i] : []));
  hm.columns = data.columns.length;
  hm.totalTraffic = drawn.totalTraffic;  // reads + writes of every cell shown
  hm.groupBoundaries = drawn.groupBoundaries;
  hm.layout = drawn.layout;
  hm.draws += 1;
  hm.lastDrawnAt = performance.now();
  if (hm.drawnAt === null && n > 0) hm.drawnAt = hm.lastDrawnAt;  // ms since navigation started

  const routes = bands.reduce((sum, b) => sum + (b.routes || 0), 0);
  document.getElementById('heatmap-summary').textContent =
    `${routes} routes in ${n} bands, ${data.columns.length} columns of ${data.column_ms} ms`;
}

function zoomParams() {
  const zoom = state.zoom[state.zoom.length - 1];
  if (!zoom) return {};
  return { start_b64: zoom.start, end_b64: zoom.end };
}

export async function refresh() {
  if (state.fetching) {
    state.again = true;
    return;
  }
  state.fetching = true;
  try {
    const data = await getJson(`/v1/keyviz${query({ rows: ROWS, ...zoomParams() })}`);
    state.data = data;
    showError('heatmap', '');
    setVersion(data.version);
    if (model.view === 'heatmap' || model.heatmap.drawnAt === null) draw();
  } catch (e) {
    showError('heatmap', describe(e));
  } finally {
    state.fetching = false;
    if (state.again) {
      state.again = false;
      refresh();
    }
  }
}

// Polls at the column width (between 1 and 5 s) while the heatmap is in view: a new column shows
// as soon as it is committed. Hidden, it is fetched again when shown.
function schedule() {
  const every = state.data ? Math.min(5000, Math.max(1000, state.data.column_ms)) : 1000;
  state.timer = setTimeout(async () => {
    if (model.view === 'heatmap' && !document.hidden) await refresh();
    schedule();
  }, every);
}

// ---- hover and zoom -----------------------------------------------------------------------------

function pointer(event) {
  const c = canvas();
  const rect = c.getBoundingClientRect();
  return {
    x: ((event.clientX - rect.left) * c.width) / rect.width,
    y: ((event.clientY - rect.top) * c.height) / rect.height,
    cssY: event.clientY - rect.top,
  };
}

function bandAt(y) {
  const layout = state.layout;
  if (!layout || layout.bands === 0) return -1;
  return Math.min(layout.bands - 1, Math.max(0, Math.floor((y * layout.bands) / layout.height)));
}

function columnAt(x) {
  const layout = state.layout;
  if (!layout || x >= layout.gridWidth) return null;
  const slot = layout.slots.first + Math.floor((x * layout.slots.count) / layout.gridWidth);
  return state.data.columns.find((c) => Math.floor(c.window_start / state.data.column_ms) === slot) || null;
}

function tipLine(tip, label, value) {
  const line = el('div');
  line.append(el('span', label, 'label'), el('span', value));
  tip.append(line);
}

function showTip(event) {
  const tip = document.getElementById('heatmap-tip');
  const p = pointer(event);
  const i = bandAt(p.y);
  if (i < 0) {
    tip.hidden = true;
    return;
  }
  const band = state.data.bands[i];
  tip.replaceChildren();
  tipLine(tip, band.routes === 1 ? 'route' : 'routes', band.routes === 1 ? `#${band.route_id}` : `${band.routes} from #${band.route_id}`);
  tipLine(tip, 'start', keyText(band.start_text, false));
  tipLine(tip, 'end', keyText(band.end_text, true));
  tipLine(tip, 'group', band.group_id === 0 ? 'several' : band.group_id);
  tipLine(tip, 'state', band.state);
  tipLine(tip, 'load', band.load);
  const column = columnAt(p.x);
  if (column) {
    const row = column.rows.find((r) => r.band === i);
    tipLine(tip, 'at', new Date(column.window_start).toLocaleTimeString());
    tipLine(tip, 'reads, writes', row ? `${row.reads}, ${row.writes}` : '0, 0');
  }
  tip.hidden = false;
  const frame = tip.parentElement.getBoundingClientRect();
  const left = event.clientX - frame.left + 16;
  tip.style.left = `${Math.min(left, frame.width - tip.offsetWidth - 4)}px`;
  tip.style.top = `${event.clientY - frame.top + 16}px`;
  model.heatmap.hover = { band: i, route_id: band.route_id };
}

function showSelection(fromY, toY) {
  const sel = document.getElementById('heatmap-selection');
  sel.style.top = `${Math.min(fromY, toY)}px`;
  sel.style.height = `${Math.max(2, Math.abs(toY - fromY))}px`;
  sel.hidden = false;
}

// Zooms into bands first..last (inclusive): their keys, fetched in finer bands.
export function zoomInto(first, last) {
  const bands = state.data.bands;
  const a = bands[Math.min(first, last)];
  const b = bands[Math.max(first, last)];
  if (first === last && a.routes <= 1) return;  // one route: nothing finer to see
  state.zoom.push({ start: a.start, end: b.end, start_text: a.start_text, end_text: b.end_text });
  showRange();
  refresh();
}

export function zoomOut() {
  state.zoom = [];
  showRange();
  refresh();
}

function showRange() {
  const zoom = state.zoom[state.zoom.length - 1];
  model.heatmap.range = zoom ? { start_text: zoom.start_text, end_text: zoom.end_text } : null;
  document.getElementById('heatmap-range').textContent = zoom
    ? `[${keyText(zoom.start_text, false)}, ${keyText(zoom.end_text, true)})`
    : 'whole keyspace';
  document.getElementById('heatmap-zoom-out').disabled = !zoom;
}

export function start() {
  const c = canvas();
  c.addEventListener('mousemove', (event) => {
    showTip(event);
    if (state.drag) showSelection(state.drag.cssY, pointer(event).cssY);
  });
  c.addEventListener('mouseleave', () => {
    document.getElementById('heatmap-tip').hidden = true;
  });
  c.addEventListener('mousedown', (event) => {
    state.drag = pointer(event);
  });
  window.addEventListener('mouseup', (event) => {
    if (!state.drag) return;
    const from = state.drag;
    state.drag = null;
    document.getElementById('heatmap-selection').hidden = true;
    if (event.target !== c) return;
    const first = bandAt(from.y);
    const last = bandAt(pointer(event).y);
    if (first >= 0 && last >= 0) zoomInto(first, last);
  });
  document.getElementById('heatmap-zoom-out').addEventListener('click', zoomOut);
  window.addEventListener('resize', draw);
  refresh().then(schedule);
}

// The view became visible: draw what we have, then what is new.
export function shown() {
  draw();
  refresh();
}
