// The routecat web console: one page, four views (heatmap, routes, history, status), kept live by
// the catalog's change stream (SSE) and by polling /v1/keyviz; nothing ever reloads the page. The
// model of what is shown is window.routecatConsole (model.js).

import { getJson, query } from './api.js';
import { model, onVersion, setVersion, showError, describe } from './model.js';
import * as heatmap from './heatmap.js';
import * as routes from './routes.js';
import * as history from './history.js';
import * as status from './status.js';

const views = { heatmap, routes, history, status };

function show(view) {
  model.view = view;
  for (const button of document.querySelectorAll('#tabs button')) {
    button.setAttribute('aria-selected', String(button.dataset.view === view));
  }
  for (const name of Object.keys(views)) document.getElementById(`view-${name}`).hidden = name !== view;
  views[view].shown();
}

function setLive(live) {
  model.live = live;
  const badge = document.getElementById('live');
  badge.textContent = live ? 'live' : 'offline';
  badge.className = live ? 'live on' : 'live off';
}

// The change stream from the version shown on: each delta moves the version and lands in the
// history; EventSource reconnects by itself (with Last-Event-ID) when the connection drops.
function follow(after) {
  const stream = new EventSource(`/v1/catalog/changes/stream${query({ after })}`);
  stream.addEventListener('open', () => setLive(true));
  stream.addEventListener('delta', (event) => {
    const delta = JSON.parse(event.data);
    history.addDelta(delta);
    setVersion(delta.version);
  });
  stream.addEventListener('reset', (event) => {
    const reset = JSON.parse(event.data);
    history.addReset(reset);
    setVersion(reset.version);
  });
  stream.addEventListener('error', (event) => {
    setLive(false);
    if (event.data) showError('change stream', JSON.parse(event.data).error.message);
    // Refused outright (an answer that is not a stream): EventSource gives up, so try again later.
    if (stream.readyState === EventSource.CLOSED) setTimeout(() => follow(model.version), 5000);
  });
}

async function main() {
  for (const button of document.querySelectorAll('#tabs button')) {
    button.addEventListener('click', () => show(button.dataset.view));
  }
  heatmap.start();
  routes.start();
  status.start();
  try {
    const stats = await getJson(`/v1/stats${query({ top: 0 })}`);
    setVersion(stats.version, stats.generation);
    follow(stats.version);
  } catch (e) {
    showError('routecatd', describe(e));
  }
  // Every view follows the catalog: the routes table and the heatmap's bands change with it.
  onVersion(() => {
    routes.catalogMoved();
    if (model.view === 'heatmap') heatmap.refresh();
    if (model.view === 'status') status.refresh();
  });
}

main();
