// Field reports as they happen: the server's stream (/api/reports/stream, one SSE event per new report or
// status change). The events give the map's report tiles (the style's 'reports' source, when it has one) a new
// version in their URL, so neither the browser nor a CDN serves the old ones; each event then goes to onEvent.
// `since` (a list's last_event_id) starts the stream where that list was read; without it, from now.
// A burst (a reconnect's backlog, a storm's reports) reloads the tiles once a RELOAD_MS, not once per event: each
// reload drops the tiles in flight and asks the server for every one in view again, on every screen.
const RELOAD_MS = 300;

export function followReports(map, onEvent = () => {}, since = null) {
  if (!('EventSource' in window)) return;
  const events = new EventSource(`/api/reports/stream${since == null ? '' : `?last_event_id=${since}`}`);
  let version = null, waiting = false;
  const reload = () => {
    waiting = false;
    const source = map.getSource('reports');
    if (source?.tiles) source.setTiles(source.tiles.map((t) => `${t.split('?')[0]}?v=${encodeURIComponent(version)}`));
  };
  events.addEventListener('report', (e) => {
    version = e.lastEventId;
    if (!waiting) { waiting = true; setTimeout(reload, RELOAD_MS); }
    onEvent(JSON.parse(e.data));
  });
  events.onerror = () => { /* the browser reconnects with Last-Event-ID */ };
}
