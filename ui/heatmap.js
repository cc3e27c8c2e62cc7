// The keyspace heatmap: GET /v1/keyviz?rows=N gives the current route table cut into at most N
// bands of consecutive routes and, per time column, the traffic of each band. Time runs across,
// bands down, colour = reads + writes of a cell (log scale); a strip on the right shows each band's
// current load; lines mark raft group changes. Dragging over bands zooms into their key range.

import { getJson, query } from './api.js';
import { model, el, keyText, showError, describe, setVersion } from './model.js';

const ROWS = 1000;          // bands asked for: every route its own band up to 1,000 routes
const MIN_SLOTS = 60;       // a young history is drawn wide, not as a sliver on the right
const STRIP = 14;           // the current-load strip's width and its gap, in canvas pixels
const GAP = 4;
const BACKGROUND = [12, 16, 32];
const STOPS = [[37, 52, 148], [122, 45, 142], [224, 83, 60], [255, 228, 92]];  // cold to hot

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

function colour(t) {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  return STOPS[i].map((c, k) => Math.round(c + (STOPS[i + 1][k] - c) * f));
}

function cellValue(row) {
  return (row.reads || 0) + (row.writes || 0);
}

// Pixel rows of band i of n on a canvas h high: at least one row each (later bands share rows
// when there are more bands than pixels; each row keeps its hottest band).
function bandTop(i, n, h) {
  return Math.floor((i * h) / n);
}
function bandBottom(i, n, h) {
  return Math.max(bandTop(i, n, h) + 1, Math.floor(((i + 1) * h) / n));
}

function timeSlots(data) {
  const cm = data.column_ms;
  const columns = data.columns;
  let last = Math.floor(data.now / cm) - 1;  // the last column that can have ended
  if (columns.length) last = Math.max(last, Math.floor(columns[columns.length - 1].window_start / cm));
  const first = columns.length ? Math.floor(columns[0].window_start / cm) : last;
  const slots = Math.min(Math.max(data.max_columns, 1), Math.max(MIN_SLOTS, last - first + 1));
  return { first: last - slots + 1, count: slots };
}

function resize() {
  const c = canvas();
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(200, Math.round(c.clientWidth * ratio));
  const height = Math.max(100, Math.round(c.clientHeight * ratio));
  if (c.width !== width) c.width = width;
  if (c.height !== height) c.height = height;
}

function draw() {
  const data = state.data;
  if (!data) return;
  resize();
  const c = canvas();
  const ctx = c.getContext('2d');
  const bands = data.bands || [];
  const n = bands.length;
  const h = c.height;
  const gridWidth = c.width - STRIP - GAP;
  const slots = timeSlots(data);

  let max = 0;
  let total = 0;
  const hot = new Set();
  for (const column of data.columns) {
    for (const row of column.rows) {
      const v = cellValue(row);
      if (v > 0) hot.add(row.band);
      max = Math.max(max, v);
      total += v;
    }
  }

  const image = ctx.createImageData(gridWidth, h);
  const pixels = image.data;
  for (let p = 0; p < pixels.length; p += 4) {
    pixels[p] = BACKGROUND[0];
    pixels[p + 1] = BACKGROUND[1];
    pixels[p + 2] = BACKGROUND[2];
    pixels[p + 3] = 255;
  }
  const rowValue = new Float64Array(h);
  const scale = Math.log1p(max) || 1;
  for (const column of data.columns) {
    const slot = Math.floor(column.window_start / data.column_ms) - slots.first;
    if (slot < 0 || slot >= slots.count || column.rows.length === 0) continue;
    const x0 = Math.floor((slot * gridWidth) / slots.count);
    const x1 = Math.max(x0 + 1, Math.floor(((slot + 1) * gridWidth) / slots.count));
    rowValue.fill(0);
    for (const row of column.rows) {
      if (row.band >= n) continue;
      const v = cellValue(row);
      for (let y = bandTop(row.band, n, h); y < bandBottom(row.band, n, h); y++) rowValue[y] = Math.max(rowValue[y], v);
    }
    for (let y = 0; y < h; y++) {
      if (rowValue[y] <= 0) continue;
      const [r, g, b] = colour(0.15 + (0.85 * Math.log1p(rowValue[y])) / scale);
      for (let x = x0; x < x1; x++) {
        const p = (y * gridWidth + x) * 4;
        pixels[p] = r;
        pixels[p + 1] = g;
        pixels[p + 2] = b;
      }
    }
  }
  ctx.clearRect(0, 0, c.width, h);
  ctx.putImageData(image, 0, 0);

  // The current-load strip.
  const maxLoad = bands.reduce((m, b) => Math.max(m, b.load || 0), 0);
  const loadScale = Math.log1p(maxLoad) || 1;
  ctx.fillStyle = `rgb(${BACKGROUND.join(',')})`;
  ctx.fillRect(gridWidth + GAP, 0, STRIP, h);
  bands.forEach((band, i) => {
    if (!band.load) return;
    ctx.fillStyle = `rgb(${colour(0.15 + (0.85 * Math.log1p(band.load)) / loadScale).join(',')})`;
    ctx.fillRect(gridWidth + GAP, bandTop(i, n, h), STRIP, bandBottom(i, n, h) - bandTop(i, n, h));
  });

  // Raft group boundaries (group_id 0: a band of several groups, a boundary inside it).
  ctx.fillStyle = 'rgba(255, 255, 255, 0.55)';
  let boundaries = 0;
  for (let i = 1; i < n; i++) {
    if (bands[i].group_id === bands[i - 1].group_id && bands[i].group_id !== 0) continue;
    ctx.fillRect(0, bandTop(i, n, h), c.width, 1);
    boundaries++;
  }

  state.layout = { gridWidth, height: h, bands: n, slots };
  const hm = model.heatmap;
  hm.bands = bands;
  hm.hotBands = [...hot].sort((a, b) => a - b);
  hm.loadedBands = bands.flatMap((b, i) => (b.load ? [i] : []));
  hm.columns = data.columns.length;
  hm.totalTraffic = total;  // reads + writes of every cell shown
  hm.groupBoundaries = boundaries;
  hm.layout = state.layout;
  hm.draws += 1;
  hm.lastDrawnAt = performance.now();
  if (hm.drawnAt === null && n > 0) hm.drawnAt = hm.lastDrawnAt;  // ms since navigation started

  const routes = bands.reduce((s, b) => s + (b.routes || 0), 0);
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
