// Field reports as they happen: the server's stream (/api/reports/stream, one SSE event per new report or
// status change). The events give the map's report tiles (the style's 'reports' source, when it has one) a new
// version in their URL, so neither the browser nor a CDN serves the old ones; each event then goes to onEvent.
// `since` (a list's last_event_id) starts the stream where that list was read; without it, from now.
// A burst (a reconnect's backlog, a storm's reports) reloads the tiles once a RELOAD_MS, not once per event: each
// reload drops the tiles in flight and asks the server for every one in view again, on every screen.
const RELOAD_MS = 300;

// fn, called once `ms` after the first call of a burst, however many calls the burst makes.
export function afterBurst(fn, ms) {
  let waiting = false;
  return () => {
    if (waiting) return;
    waiting = true;
    setTimeout(() => { waiting = false; fn(); }, ms);
  };
}

export function followReports(map, onEvent = () => {}, since = null) {
  if (!('EventSource' in window)) return;
  const events = new EventSource(`/api/reports/stream${since == null ? '' : `?last_event_id=${since}`}`);
  let version = null;
  const reload = afterBurst(() => {
    const source = map.getSource('reports');
    if (source?.tiles) source.setTiles(source.tiles.map((t) => `${t.split('?')[0]}?v=${encodeURIComponent(version)}`));
  }, RELOAD_MS);
  events.addEventListener('report', (e) => {
    version = e.lastEventId;
    reload();
    onEvent(JSON.parse(e.data));
  });
  events.onerror = () => { /* the browser reconnects with Last-Event-ID */ };
}
