// Field reports as they happen: the server's stream (/api/reports/stream, one SSE event per new report or
// status change). Each event gives the map's report tiles (the style's 'reports' source, when it has one) a new
// version in their URL, so neither the browser nor a CDN serves the old ones, then goes to onEvent.
// `since` (a list's last_event_id) starts the stream where that list was read; without it, from now.
export function followReports(map, onEvent = () => {}, since = null) {
  if (!('EventSource' in window)) return;
  const events = new EventSource(`/api/reports/stream${since == null ? '' : `?last_event_id=${since}`}`);
  events.addEventListener('report', (e) => {
    const source = map.getSource('reports');
    if (source?.tiles) source.setTiles(source.tiles.map((t) => `${t.split('?')[0]}?v=${e.lastEventId}`));
    onEvent(JSON.parse(e.data));
  });
  events.onerror = () => { /* the browser reconnects with Last-Event-ID */ };
}
