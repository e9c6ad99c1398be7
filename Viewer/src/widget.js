import maplibregl from './maplibre.js';
import './style.css';

// The IOC widget: a chromeless map for an iframe, public data only.
// /widget?layers=parcels,roads&bbox=w,s,e,n | center=lon,lat&zoom=z &highlight=id &style=ioc
const q = new URLSearchParams(location.search);
const style = ['base', 'cadastral', 'planning', 'ioc'].includes(q.get('style')) ? q.get('style') : 'ioc';
// No label fade, as in the viewer (main.js): wall screens often draw in software.
const options = { container: 'map', style: `/styles/${style}.json`, fadeDuration: 0, attributionControl: false, interactive: q.get('interactive') !== '0' };
const center = q.get('center')?.split(',').map(Number);
if (center?.length === 2 && center.every(Number.isFinite)) Object.assign(options, { center, zoom: Number(q.get('zoom')) || 15 });
const map = new maplibregl.Map(options);
window.wardmap = { map, reports: 0 };

const bbox = q.get('bbox')?.split(',').map(Number);
if (bbox?.length === 4 && bbox.every(Number.isFinite)) map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { duration: 0, padding: 10 });

map.on('style.load', () => {
  const wanted = q.get('layers')?.split(',').filter(Boolean);
  if (wanted?.length) {
    for (const layer of map.getStyle().layers) {
      const source = layer['source-layer'];
      const data = { group_labels: 'groups', zone_labels: 'zones' }[source] ?? source;   // names go with their polygons
      if (data && !wanted.includes(data) && data !== 'ward_boundary') map.setLayoutProperty(layer.id, 'visibility', 'none');
    }
  }
  const id = Number(q.get('highlight'));
  if (Number.isFinite(id) && id > 0)
    map.addLayer({ id: 'highlight', type: 'line', source: 'ward', 'source-layer': q.get('layers')?.split(',')[0] || 'parcels',
      filter: ['==', ['id'], id], paint: { 'line-color': '#d50000', 'line-width': 4 } });
});

// Field reports live: each event from the IOC stream refreshes the tiles of the report layer, which has a
// source of its own (the style's 'reports'): the parcels, roads and the rest stay as they are.
if ((q.get('layers') || '').split(',').includes('field_reports') && 'EventSource' in window) {
  const events = new EventSource('/api/reports/stream');
  // Each event gives the tiles a new version in their URL, so neither the browser nor a CDN serves the old ones.
  events.addEventListener('report', (e) => {
    window.wardmap.reports++;
    const source = map.getSource('reports');
    if (!source?.tiles) return;
    const base = source.tiles.map((t) => t.split('?')[0]);
    source.setTiles(base.map((t) => `${t}?v=${e.lastEventId}`));
  });
  events.onerror = () => { /* the browser reconnects with Last-Event-ID */ };
}
