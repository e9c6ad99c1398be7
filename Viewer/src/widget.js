import maplibregl, { withoutRepeatedFrames } from './maplibre.js';
import './style.css';
import { boundsOf } from './geojson.js';
import { afterBurst, followReports } from './live.js';
import { fillLegend, landUsesInView } from './legend.js';
import { t, lang, translatePage } from './i18n.js';
import { monthRange, summaryLine } from './counts.js';
import { dotAt, isAssetLayer, isReportLayer, showDot } from './popup.js';

// The IOC widget: a chromeless map for an iframe, public data only.
// /widget?layers=parcels,roads&bbox=w,s,e,n | center=lon,lat&zoom=z &highlight=id &style=ioc &legend=1 &summary=1 &lang=en
// The server makes the style for the asked layers (/styles/{style}.json?layers=...): the style's own drawing of
// each, or another style's for one it lacks (parcels on the IOC map), so the widget draws what it is asked for.
const q = new URLSearchParams(location.search);
translatePage();
const style = ['base', 'cadastral', 'planning', 'ioc'].includes(q.get('style')) ? q.get('style') : 'ioc';
const layers = (q.get('layers') || '').split(',').filter(Boolean);
const styleUrl = `/styles/${style}.json${layers.length ? `?layers=${encodeURIComponent(layers.join(','))}` : ''}`;
const styleResponse = await fetch(styleUrl, { headers: { 'Accept-Language': lang } });
if (!styleResponse.ok) {
  // An embed with a wrong layer name says which one (the server's problem+json, in the widget's language), not a blank frame.
  const problem = await styleResponse.json().catch(() => ({}));
  document.body.textContent = `${t('Không mở được bản đồ', 'The map cannot open')}: ${problem.detail ?? styleResponse.status}`;
  throw new Error(`${styleUrl}: ${problem.detail ?? styleResponse.status}`);
}

// No label fade and no second check of the server's style, as in the viewer (main.js): wall screens often draw in software.
const options = { container: 'map', style: await styleResponse.json(), fadeDuration: 0, validateStyle: false, attributionControl: false, interactive: q.get('interactive') !== '0' };
const center = q.get('center')?.split(',').map(Number);
const bbox = q.get('bbox')?.split(',').map(Number);
const hasCenter = center?.length === 2 && center.every(Number.isFinite);
const hasBbox = bbox?.length === 4 && bbox.every(Number.isFinite);
if (hasCenter) Object.assign(options, { center, zoom: Number(q.get('zoom')) || 15 });
const map = new maplibregl.Map(options);
withoutRepeatedFrames(map);
window.wardmap = { map, reports: 0 };
// A bbox round one point (an open-data page of one asset) stops at street level.
if (hasBbox) map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { duration: 0, padding: 10, maxZoom: 18 });

// highlight=ID outlines one feature of the first asked layer (parcels when none is asked): a catalogue id,
// or for field reports the report's id as the IOC knows it. Without a center or bbox the map goes to it.
const highlight = q.get('highlight');
if (highlight) {
  const layer = layers[0] || 'parcels';
  map.once('style.load', () => {
    const drawn = map.getStyle().layers.find((l) => l.metadata?.['wardmap:layer'] === layer);
    if (!drawn) return;   // this style does not draw that layer
    const filter = layer === 'field_reports' ? ['==', ['get', 'public_id'], highlight] : ['==', ['id'], Number(highlight)];
    const where = { source: drawn.source, 'source-layer': drawn['source-layer'], filter };
    map.addLayer(drawn.type === 'circle'
      ? { id: 'highlight', type: 'circle', ...where, paint: { 'circle-radius': 11, 'circle-opacity': 0, 'circle-stroke-color': '#d50000', 'circle-stroke-width': 3 } }
      : { id: 'highlight', type: 'line', ...where, paint: { 'line-color': '#d50000', 'line-width': 4 } });
    // The open-data collection it is in: an asset kind's (cameras) is the assets collection.
    if (!hasCenter && !hasBbox) goTo(layer, drawn.metadata['wardmap:kind'] ? 'assets' : drawn['source-layer'], highlight);
  });
}

// The feature's place from the public APIs: a report's point, or the OGC API feature's bounding box.
async function goTo(layer, collection, id) {
  const url = layer === 'field_reports' ? `/api/reports/${encodeURIComponent(id)}` : `/ogc/collections/${collection}/items/${encodeURIComponent(id)}`;
  const response = await fetch(url);
  if (!response.ok) return;   // no such feature: the map stays on the ward
  const found = await response.json();
  const geometry = layer === 'field_reports' ? { type: 'Point', coordinates: [found.lon, found.lat] } : found.geometry;
  map.fitBounds(boundsOf([geometry]), { duration: 0, padding: 40, maxZoom: 18 });
}

// A tap on a dot says what it is: which camera or light and whether it works, a report's kind and how far along it
// is. Public attributes only, from the tiles the widget already has.
map.on('click', (e) => {
  const dot = dotAt(map, e.point, (l) => isReportLayer(l) || isAssetLayer(l));
  if (dot) showDot(map, dot);
});

// legend=1: the style's legend in a corner, for a wall screen that has no sidebar to read it in. Its land uses are
// those the frame draws, again after each move once the tiles are in: the ward's whole list would cover half a
// 600 x 400 frame.
if (q.get('legend') === '1') {
  const legend = document.createElement('ul');
  legend.className = 'widget-legend';
  legend.setAttribute('aria-label', t('Chú giải', 'Legend'));
  document.body.append(legend);
  let shown = null;
  const fill = () => {
    const inView = landUsesInView(map);
    const key = [...inView].sort().join();
    if (key === shown) return;
    shown = key;
    fillLegend(legend, map.getStyle().layers, inView);
  };
  map.once('idle', fill);
  map.on('moveend', () => map.once('idle', fill));
}

// summary=1: this month's reports counted (open, overdue, resolved on time) in a corner, for the IOC's wall. Again
// after a burst of report events, and every minute, since a report falls overdue with the clock, not with an event.
let counted = () => {};
if (q.get('summary') === '1') {
  const box = document.createElement('p');
  box.className = 'widget-summary';
  box.setAttribute('aria-live', 'polite');
  document.body.append(box);
  // The month in Việt Nam, whatever the screen's clock zone: the server counts months there.
  const month = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit' }).format(new Date());
  // Public data only, as the whole widget: no officer's key (api.js) goes with it.
  const count = async () => {
    const now = month();
    const response = await fetch(`/api/reports/summary?${monthRange(now)}`, { headers: { 'Accept-Language': lang } }).catch(() => null);
    if (response?.ok) box.textContent = summaryLine(await response.json(), now);
  };
  count();
  setInterval(count, 60_000);
  counted = afterBurst(count, 2000);
}

// Field reports live: each event refreshes the tiles of the report layer, which has a source of its own (the
// style's 'reports'): the parcels, roads and the rest stay as they are; and the count, when it is shown.
if (layers.includes('field_reports') || q.get('summary') === '1') followReports(map, () => { window.wardmap.reports++; counted(); });
