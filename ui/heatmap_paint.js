// Painting the heatmap (heatmap.js fetches and explains it): one /v1/keyviz answer drawn on a
// canvas. Cells go into one ImageData (fast for 1,000 bands x 360 columns); a pixel row shared by
// several bands shows the hottest of them, so heat is never painted over.

const MIN_SLOTS = 60;       // a young history is drawn wide, not as a sliver on the right
const STRIP = 14;           // the current-load strip's width and its gap, in canvas pixels
const GAP = 4;
const BACKGROUND = [12, 16, 32];
const STOPS = [[37, 52, 148], [122, 45, 142], [224, 83, 60], [255, 228, 92]];  // cold to hot

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

function resize(c) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(200, Math.round(c.clientWidth * ratio));
  const height = Math.max(100, Math.round(c.clientHeight * ratio));
  if (c.width !== width) c.width = width;
  if (c.height !== height) c.height = height;
}

// Paints data (a /v1/keyviz answer with bands) on canvas c, sized to its box. Returns what went
// where (layout: for hover, tests) and what was drawn.
export function paint(c, data) {
  resize(c);
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

  return {
    layout: { gridWidth, height: h, bands: n, slots },
    hotBands: [...hot].sort((a, b) => a - b),
    totalTraffic: total,
    groupBoundaries: boundaries,
  };
}
