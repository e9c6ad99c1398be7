import maplibregl, { withoutRepeatedFrames } from './maplibre.js';
import './style.css';
import { api, auth, esc, landUse, landUseNamed } from './api.js';
import { toVn2000, typedPoint, fmt } from './coords.js';
import { boundsOf } from './geojson.js';
import { permitForm } from './permits.js';
import { isDrawing } from './draw.js';
import { plannerTools } from './planning.js';
import { importTools } from './imports.js';
import { reportsPanel } from './reports.js';
import { parcelHistory } from './history.js';
import { dotAt, dotsAt, isAssetLayer, isReportLayer, showDot } from './popup.js';
import { fillLegend } from './legend.js';
import { measureTool } from './measure.js';
import { t, en, lang, locale, translatePage, switchLanguage } from './i18n.js';

// The viewer: the ward on a style from WardMap, a layer list, a legend, search, a parcel panel,
// coordinates in lon/lat and VN-2000. No business logic here: it asks the APIs.
const $ = (id) => document.getElementById(id);
translatePage();
$('lang').addEventListener('click', switchLanguage);
let styleName = new URLSearchParams(location.search).get('style') || 'cadastral';
$('style-select').value = styleName;

// index.html asked for the style already; if that failed, MapLibre asks again and reports why.
const style = (await window.wardmapStyle) ?? `/styles/${styleName}.json`;
// Labels appear at once (fadeDuration 0): a fade keeps MapLibre drawing frames for 0.3 s after every move,
// and on a laptop without a GPU, or a browser drawing in software, each of those frames is a full redraw.
// A link with a place on the map (#zoom/lat/lon, MapLibre's hash) keeps it; one with only a parcel goes to the parcel.
const linkedView = location.hash.length > 1;
// A style asked for later (another map from the picker) in the viewer's language too (its attribution), as index.html asks.
const transformRequest = (url, type) => (type === 'Style' ? { url, headers: { 'Accept-Language': lang } } : undefined);
// validateStyle false: the server's styles pass gl-style-validate in the tests (Tiles.Tests), and checking them
// again costs the page's main thread ~16 ms before its first frame (the style spec's validator, cold, in Node).
const map = new maplibregl.Map({ container: 'map', style, hash: true, fadeDuration: 0, validateStyle: false, transformRequest, attributionControl: { compact: true } });
withoutRepeatedFrames(map);
map.addControl(new maplibregl.NavigationControl(), 'top-right');
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
window.wardmap = { map, firstDrawMs: null, firstShownMs: null };

// Frames drawn: the one that completed the first map (load) is the last when none repeats another.
let frames = 0;
const count = () => { frames += 1; };
map.on('render', count);
map.once('load', () => { window.wardmap.loadFrame = frames; });
// The first full draw (page, bundle, style, tiles, glyphs), from navigation start, for the end-to-end test.
// MapLibre is idle once the last frame's drawing is issued; the frame is on screen after the browser has
// composited it, which a browser drawing WebGL in software does by reading the canvas back: the next
// animation frame starts after that.
map.once('idle', () => {
  window.wardmap.firstDrawMs = Math.round(performance.now());
  window.wardmap.idleFrame = frames;
  map.off('render', count);   // counted for the first draw only
  requestAnimationFrame(() => {
    window.wardmap.firstShownMs = Math.round(performance.now());
    $('status').textContent = t(`Vẽ xong sau ${window.wardmap.firstDrawMs} ms (hiện lên sau ${window.wardmap.firstShownMs} ms)`,
      `Drawn in ${window.wardmap.firstDrawMs} ms (on screen after ${window.wardmap.firstShownMs} ms)`);
  });
});

// On a narrow screen the sidebar opens over the map (style.css); the ☰ button is hidden on wider ones.
$('menu').addEventListener('click', () => {
  const open = document.body.classList.toggle('sidebar-open');
  $('menu').setAttribute('aria-expanded', String(open));
});
// What the sidebar sends to the map (a kind of conflict, drawing an area, a report to go to) and a search from
// the header need the map in view: on a narrow screen, where the sidebar lies over the map, it closes.
const closeSidebar = () => {
  document.body.classList.remove('sidebar-open');
  $('menu').setAttribute('aria-expanded', 'false');
};
$('sidebar').addEventListener('click', (e) => {
  if (e.target.closest('[data-kind], #area-draw, #measure-start, #report-list a')) closeSidebar();
});

// ---- layers and legend ------------------------------------------------------------------------
const LAYER_NAMES = en ? {
  'groups-fill': 'Residential groups', 'parcels-fill': 'Parcels', 'zones-fill': 'Planning zones', 'red-lines-fill': 'Red lines',
  roads: 'Roads', assets: 'Infrastructure (lights, cameras, loudspeakers…)', 'field-reports': 'Field reports', 'ward-line': 'Ward boundary',
} : {
  'groups-fill': 'Tổ dân phố', 'parcels-fill': 'Thửa đất', 'zones-fill': 'Quy hoạch (phân khu)', 'red-lines-fill': 'Chỉ giới đường đỏ',
  roads: 'Đường', assets: 'Hạ tầng (đèn, camera, loa…)', 'field-reports': 'Phản ánh hiện trường', 'ward-line': 'Ranh giới phường',
};
function buildLayerList() {
  const list = $('layer-list');
  list.innerHTML = '';
  for (const layer of map.getStyle().layers) {
    const label = LAYER_NAMES[layer.id];
    if (!label) continue;
    const li = document.createElement('li');
    const opacityProp = { fill: 'fill-opacity', line: 'line-opacity', circle: 'circle-opacity' }[layer.type];
    const current = map.getPaintProperty(layer.id, opacityProp) ?? 1;
    li.innerHTML = `<label><input type="checkbox" checked data-layer="${layer.id}"> ${label}</label>
      <input type="range" min="0" max="1" step="0.05" value="${typeof current === 'number' ? current : 1}" aria-label="${t('Độ trong suốt', 'Opacity of')} ${label}" data-opacity="${layer.id}">`;
    list.append(li);
  }
  list.querySelectorAll('[data-layer]').forEach((box) => box.addEventListener('change', () =>
    map.setLayoutProperty(box.dataset.layer, 'visibility', box.checked ? 'visible' : 'none')));
  list.querySelectorAll('[data-opacity]').forEach((range) => range.addEventListener('input', () => {
    const layer = map.getLayer(range.dataset.opacity);
    const prop = { fill: 'fill-opacity', line: 'line-opacity', circle: 'circle-opacity' }[layer.type];
    map.setPaintProperty(layer.id, prop, Number(range.value));
  }));
}

map.on('style.load', () => { buildLayerList(); fillLegend($('legend'), map.getStyle().layers); addHighlight(); addPlaceLayers(); updateEmbed(); planner.restyle(); });
$('style-select').addEventListener('change', (e) => {
  styleName = e.target.value;
  map.setStyle(`/styles/${styleName}.json`);
  linkTo({ style: styleName === 'cadastral' ? null : styleName });
});

// The address bar names the open parcel (?parcel=ID) and the style beside the map's place (#zoom/lat/lon), so a
// link copied from it opens the same parcel on the same map for a colleague (who sees what their role may see).
function linkTo(params) {
  const url = new URL(location.href);
  for (const [name, value] of Object.entries(params)) {
    if (value == null) url.searchParams.delete(name); else url.searchParams.set(name, value);
  }
  history.replaceState(history.state, '', url);
}

// ---- highlight and the parcel panel ------------------------------------------------------------
let selected = null;   // the open parcel (the embed highlights it)
let outlined = [];     // the parcels outlined in red: the open one, or a search's matches
let pointMarker = null;   // where typed coordinates point (showPoint)
let role = null;          // the signed-in key's role (showRole); null: the public
let reports = null;       // the report list and panel (reports.js), once the list is there
let reportsReady = null;  // resolves with it (a parcel opened from a link asks before the list is there)
let leaving = null;       // what the panel's content undoes when something else takes the panel (a report's marker)
let openList = null;   // the list the open parcel came from: { nodes, scroll, features, total, loadMore, onPage } (showParcelList)
const outline = () => ['in', ['id'], ['literal', outlined]];
function addHighlight() {
  if (!map.getSource('ward') || map.getLayer('parcel-selected')) return;
  map.addLayer({ id: 'parcel-selected', type: 'line', source: 'ward', 'source-layer': 'parcels',
    filter: outline(), paint: { 'line-color': '#d50000', 'line-width': 3 } });
}
function select(id, matches = id == null ? [] : [id]) {
  selected = id;
  outlined = matches;
  if (map.getLayer('parcel-selected')) map.setFilter('parcel-selected', outline());
  updateEmbed();
}

// The panel for something else: what was in it goes (leavePanel), no parcel open or outlined. again: the same
// thing drawn anew (a report changed while open): the reader keeps their place, and a sidebar open stays open.
function leavePanel() { leaving?.(); leaving = null; }
function openPanel(html, onLeave, again = false) {
  leavePanel();
  leaving = onLeave;
  if (!again) closeSidebar();   // on a narrow screen the panel is what to read now
  openList = null;
  select(null);
  linkTo({ parcel: null });
  pointMarker?.remove();
  $('panel').hidden = false;
  if (!again) $('panel').scrollTop = 0;
  $('panel-body').innerHTML = html;
  return $('panel-body');
}

async function showParcel(id) {
  leavePanel();
  const panel = $('panel');
  panel.hidden = false;
  $('panel-body').innerHTML = `<p>${t('Đang tải…', 'Loading…')}</p>`;
  try {
    const [parcel, planning, neighbours] = await Promise.all([
      api(`/api/parcels/${id}`), api(`/api/parcels/${id}/planning`), api(`/api/parcels/${id}/neighbors`), landUseNamed()]);
    const p = parcel.properties;
    select(id);
    linkTo({ parcel: id });
    const owner = p.owner_name ? `<tr><th>${t('Chủ sử dụng', 'Owner')}</th><td>${esc(p.owner_name)}</td></tr><tr><th>${t('Số GCN', 'Certificate no.')}</th><td>${esc(p.certificate_no)}</td></tr>` : '';
    $('panel-body').innerHTML = `${openList ? listNav(id) : ''}
      <h2>${parcelName(p)}</h2>
      <table class="record">
        <tr><th>${t('Mục đích sử dụng', 'Land use')}</th><td>${landUse(p.land_use, p.land_use_name)}</td></tr>
        <tr><th>${t('Diện tích pháp lý', 'Legal area')}</th><td>${fmt(p.legal_area_m2, 1)} m²</td></tr>
        ${p.declared_area_m2 ? `<tr><th>${t('Diện tích kê khai', 'Declared area')}</th><td>${fmt(p.declared_area_m2, 1)} m²</td></tr>` : ''}
        <tr><th>${t('Địa chỉ', 'Address')}</th><td>${esc(p.address)}</td></tr>
        <tr><th>${t('Hệ tọa độ gốc', 'Surveyed in')}</th><td>VN-2000, ${esc(p.crs)}</td></tr>
        ${owner}
      </table>
      <h3>${t('Quy hoạch', 'Planning')}</h3>
      <table class="zones"><tr><th>${t('Khu', 'Zone')}</th><th>${t('Chức năng', 'Planned use')}</th><th>${t('Diện tích', 'Area')}</th><th>${t('Tỷ lệ', 'Share')}</th></tr>
        ${planning.zones.map((z) => `<tr><td>${esc(z.zone_code)}</td><td>${landUse(z.planned_use, z.planned_use_name)}</td><td>${fmt(z.area_m2, 1)} m²</td><td>${fmt(z.share_pct, 1)} %</td></tr>`).join('')}
      </table>
      ${planning.red_lines.length ? `<p class="warn">${t('Chỉ giới/hành lang qua thửa', 'Red lines and corridors across the parcel')}: ${planning.red_lines.map((r) => `${esc(r.name)} (${fmt(r.area_m2, 1)} m²)`).join('; ')}</p>` : ''}
      <h3>${t('Thửa liền kề', 'Neighbouring parcels')}</h3>
      <ul class="neighbours">${neighbours.features.map((n) =>
        `<li><a href="#" data-parcel="${n.id}">${parcelName(n.properties)}</a> — ${t('cạnh chung', 'shared edge')} ${fmt(n.properties.shared_length_m)} m</li>`).join('')}</ul>
      <div id="parcel-reports"></div>
      <div id="parcel-history"></div>
      <div id="extract-box"></div>
      <div id="permit"></div>`;
    // The extract and the changes carry the owner's name: land officers only (the API's rule); permit checks:
    // officers and planners.
    if (role === 'officer' || role === 'admin') parcelHistory(id, $('parcel-history'));
    $('extract-box').innerHTML = role === 'officer' || role === 'admin'
      ? `<p><button type="button" id="extract">${t('Trích lục (PDF)', 'Parcel extract (PDF)')}</button></p>`
      : `<p><small>${t('Trích lục (có tên chủ sử dụng) dành cho cán bộ địa chính: đăng nhập để in.', 'The parcel extract (with the owner\'s name) is for land officers: sign in to print it.')}</small></p>`;
    const box = $('parcel-reports');
    reportsReady.then((r) => r.forParcel(id, box));
    if (role) permitForm(map, id, $('permit'));
    else $('permit').innerHTML = `<p><small>${t('Đăng nhập (cán bộ) để kiểm tra cấp phép xây dựng trên thửa này.', 'Sign in (officers) to check a building permit on this parcel.')}</small></p>`;
    $('panel-body').querySelectorAll('[data-parcel]').forEach((a) => a.addEventListener('click', (e) => { e.preventDefault(); showParcel(Number(a.dataset.parcel)); }));
    $('extract')?.addEventListener('click', async () => {
      try { window.open(URL.createObjectURL(await api(`/api/parcels/${id}/extract.pdf`))); } catch (e) { alert(e.message); }
    });
    return parcel;
  } catch (e) {
    $('panel-body').innerHTML = `<p class="error">${esc(e.message)}</p>`;
    linkTo({ parcel: null });
    return null;
  }
}
// The panel put away: no parcel open, none outlined, none in the link.
function hidePanel() { leavePanel(); $('panel').hidden = true; openList = null; select(null); linkTo({ parcel: null }); }
$('panel-close').addEventListener('click', () => { hidePanel(); pointMarker?.remove(); planner.clear(); });
// Escape puts the panel away, as the × does (while drawing, Escape is the drawing's: draw.js).
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || e.defaultPrevented || $('panel').hidden || e.target.closest?.('input, textarea, select')) return;
  $('panel-close').click();
});
// Opened from a link: the parcel's record, and the parcel on the map unless the link placed the map itself.
const linkedParcel = Number(new URLSearchParams(location.search).get('parcel'));
if (Number.isInteger(linkedParcel) && linkedParcel > 0) {
  map.once('load', async () => {
    const parcel = await showParcel(linkedParcel);
    if (parcel && !linkedView) goTo([parcel]);
  });
}

const PARCELS_FROM = 15;   // the zoom the catalogue's parcel tiles start at (Tiles/TileCatalog.cs)
map.on('click', async (e) => {
  if (isDrawing()) return;   // drawing a footprint or an area: clicks are its corners (draw.js)
  // A report's dot (the IOC map draws them) opens the report, with any others sent from the same spot listed under
  // it; an asset's says which one it is and whether it works.
  const here = [...new Map(dotsAt(map, e.point, isReportLayer).map((f) => [f.properties.public_id, f.properties])).values()];
  if (here.length && reports) return reports.show(here[0].public_id, here.slice(1));
  const asset = dotAt(map, e.point, isAssetLayer);
  if (asset) {
    const popup = await showDot(map, asset);
    const box = popup.getElement().querySelector('.maplibregl-popup-content').appendChild(document.createElement('div'));
    return reports?.forAsset(asset.id, box);
  }
  const hit = map.queryRenderedFeatures(e.point, { layers: ['parcels-fill'].filter((l) => map.getLayer(l)) })[0];
  if (hit?.id != null) return showParcel(hit.id);
  try {
    const parcel = await api(`/api/parcels/at?lon=${e.lngLat.lng}&lat=${e.lngLat.lat}`);
    showParcel(parcel.id);
    // Tapped on the ward's overview, where parcels are not drawn yet: the map goes to the parcel opened, so it is seen.
    if (map.getZoom() < PARCELS_FROM) goTo([parcel]);
  } catch { /* nothing here */ }
});
map.on('mouseenter', 'parcels-fill', () => { map.getCanvas().style.cursor = 'pointer'; });
map.on('mouseleave', 'parcels-fill', () => { map.getCanvas().style.cursor = ''; });

// ---- places: a road, a residential group or an asset found by name ----------------------------------
let placeShown = { type: 'FeatureCollection', features: [] };   // kept across a change of style
function addPlaceLayers() {
  if (map.getSource('place')) return;
  map.addSource('place', { type: 'geojson', data: placeShown });
  map.addLayer({ id: 'place-line', type: 'line', source: 'place', filter: ['!=', ['geometry-type'], 'Point'],
    paint: { 'line-color': '#d50000', 'line-width': 4, 'line-opacity': 0.8 } });
  map.addLayer({ id: 'place-point', type: 'circle', source: 'place', filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-radius': 9, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#d50000', 'circle-stroke-width': 3 } });
}
function showPlace(place) {
  placeShown = { type: 'FeatureCollection', features: place ? [place] : [] };
  map.getSource('place')?.setData(placeShown);
  if (!place) return;
  goTo([place]);
  $('status').textContent = placeLabel(place);
}
// Road and group names say what they are ("Đường Ngô Quyền", "Tổ dân phố số 4"); an asset's code is how its unit knows it.
const placeLabel = ({ properties: p }) => `${p.name}${p.kind === 'asset' && p.code ? ` (${p.code})` : ''}${p.population != null ? ` — ${p.population} ${t('người', 'people')}` : ''}`;
// "Thửa 120, tờ 5" / "Parcel 120, sheet 5": how a parcel is named, its number then its map sheet.
const parcelName = (p) => t(`Thửa ${p.parcel_no}, tờ ${p.sheet_no}`, `Parcel ${p.parcel_no}, sheet ${p.sheet_no}`);

// ---- search -------------------------------------------------------------------------------------
const MATCHES = 20;   // parcels listed per page of a sheet, address or owner search; "Xem thêm" asks for the next
$('search').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = $('search-input').value.trim();
  if (!q) return;
  closeSidebar();
  openList = null;   // a new search: the last list's way back goes
  const point = typedPoint(q, zone.value);
  if (point) return showPoint(point);
  // A report's id (the one its sender was given to follow it): the report, where it was sent.
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(q)) {
    const r = await (await reportsReady).show(q);
    if (r) map.jumpTo({ center: [r.lon, r.lat], zoom: Math.max(map.getZoom(), 18) });
    return;
  }
  pointMarker?.remove();   // the last typed point's marker goes with the next search
  const numbers = q.match(/^(\d+)\s*[/\s,-]\s*(\d+)$/);
  const sheet = q.match(/^(?:(?:tờ|to|sheet)\s*(?:số\s*)?(\d+)|(\d+)\s*\/)$/i);   // "tờ 12", "to 12", "sheet 12", "12/": the whole map sheet
  const owner = q.match(/^(?:chủ|owner)[:\s]+(.+)$/i);
  const url = numbers ? `/api/parcels?sheet=${numbers[1]}&no=${numbers[2]}`
    : sheet ? `/api/parcels?sheet=${sheet[1] ?? sheet[2]}&limit=${MATCHES}`
    : owner ? `/api/parcels?owner=${encodeURIComponent(owner[1])}&limit=${MATCHES}` : `/api/parcels?q=${encodeURIComponent(q)}&limit=${MATCHES}`;
  // Free text is an address, or the name of a road, a residential group or an asset: both are asked.
  const text = !numbers && !sheet && !owner;
  showPlace(null);
  try {
    const [fc, places] = await Promise.all([api(url), text ? api(`/api/places?q=${encodeURIComponent(q)}`) : { features: [] }]);
    const found = fc.features.length + places.features.length;
    $('status').textContent = found ? '' : fc.removed ? gone(numbers, fc.removed) : t(`Không tìm thấy "${q}"`, `Nothing found for "${q}"`);
    if (found === 1 && fc.features.length === 1) { showParcel(fc.features[0].id); goTo(fc.features); }
    else if (found === 1) { hidePanel(); showPlace(places.features[0]); }
    else if (found > 1) showMatches(q, url, fc, places.features);
  } catch (err) { $('status').textContent = err.message; }
});

// A parcel number no longer on the map says when it went and with which file (merged, taken for a road).
const gone = ([, sheet, no], r) => t(`Thửa ${no}, tờ ${sheet} không còn trên bản đồ: bỏ khi nhập ${r.file} ngày ${new Date(r.at).toLocaleDateString(locale)} (gộp thửa hoặc thu hồi)`,
  `Parcel ${no} of sheet ${sheet} is no longer on the map: it went with the import of ${r.file} on ${new Date(r.at).toLocaleDateString(locale)} (merged or taken)`);

// A point typed as coordinates (a surveyor's VN-2000 X Y, or lat/lon): marked on the map, with the parcel there opened.
async function showPoint({ lon, lat, vn2000 }) {
  pointMarker ??= new maplibregl.Marker({ color: '#d50000' });
  pointMarker.setLngLat([lon, lat]).addTo(map);
  map.jumpTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 18) });
  $('status').textContent = `${lat.toFixed(6)}, ${lon.toFixed(6)}${vn2000 ? ` (${t('từ VN-2000', 'from VN-2000')}, ${zone.selectedOptions[0].textContent})` : ''}`;
  try {
    showParcel((await api(`/api/parcels/at?lon=${lon}&lat=${lat}`)).id);
  } catch (err) {
    hidePanel();
    $('status').textContent += ` — ${err.status === 404 ? t('không có thửa đất tại điểm này', 'no parcel at this point') : err.message}`;
  }
}

// Fits the features in the part of the map the parcel panel (on the right) leaves free, when the map is wide
// enough to leave some (on a tablet held upright the panel covers most of it: then the whole map).
function goTo(features) {
  const panel = $('panel');
  const covered = panel.hidden ? 0 : panel.offsetWidth + 10;
  const right = covered > 0 && covered < map.getContainer().clientWidth * 0.6 ? covered + 60 : 100;
  map.fitBounds(boundsOf(features.map((f) => f.geometry)), { padding: { top: 100, bottom: 100, left: 100, right }, maxZoom: 19, duration: 0 });
}

// Several parcels match (an address, an owner, a sheet): the map shows them outlined, the panel lists them to
// pick, a page at a time; "Xem thêm" adds the next page (the server says how many match in all).
// Places found by name come first, each a link that shows it.
function showMatches(q, url, fc, places = []) {
  const item = (f) => `<li><a href="#" data-parcel="${f.id}">${parcelName(f.properties)}</a>
      — ${esc(f.properties.land_use)}, ${esc(f.properties.address)}${f.properties.owner_name ? `, ${esc(f.properties.owner_name)}` : ''}</li>`;
  const matched = fc.numberMatched ?? fc.features.length;
  planner.clear();
  const placeList = places.length ? `<h2>${t('Địa điểm khớp', 'Places matching')} "${esc(q)}"</h2><ul class="places">${places.map((p, i) =>
    `<li><a href="#" data-place="${i}">${esc(placeLabel(p))}</a></li>`).join('')}</ul>` : '';
  showParcelList(`${placeList}${matched || !places.length ? `<h2>${matched} ${t('thửa khớp', matched === 1 ? 'parcel matches' : 'parcels match')} "${esc(q)}"</h2>` : ''}`, fc.features, matched, item,
    async (n) => (await api(`${url}&offset=${n}`)).features, matched ? outlineListed : () => {});
  $('panel-body').querySelector('.places')?.addEventListener('click', (e) => {
    const a = e.target.closest('[data-place]');
    if (!a) return;
    e.preventDefault();
    select(null);
    showPlace(places[Number(a.dataset.place)]);
  });
  if (!matched) showPlace(places[0]);
}

// The listed parcels outlined on the map (their tiles' outlines) and fitted beside the panel.
const outlineListed = (features) => { goTo(features); select(null, features.map((f) => f.id)); };

// A list of parcels in the panel under a header, a page at a time ("Xem thêm" asks nextPage for the page after
// the n listed); onPage shows the list so far on the map.
function showParcelList(header, first, total, item, nextPage, onPage = outlineListed) {
  const features = [...first];
  leavePanel();
  openList = null;
  linkTo({ parcel: null });
  $('panel').hidden = false;
  $('panel-body').innerHTML = `${header}<ul class="matches"></ul><button type="button" class="more" hidden></button>`;
  const list = $('panel-body').querySelector('.matches');
  const more = $('panel-body').querySelector('.more');
  const show = (page, quiet = false) => {
    list.insertAdjacentHTML('beforeend', page.map(item).join(''));
    if (!quiet) onPage(features);
    more.hidden = features.length >= total || page.length === 0;
    more.textContent = `${t('Xem thêm', 'More')} (${features.length}/${total})`;
  };
  // The next page, added to the list; quiet (stepping from a parcel to the next one): the map stays on the parcel.
  const loadMore = async (quiet = false) => {
    const next = await nextPage(features.length);
    features.push(...next);
    show(next, quiet);
    return next.length;
  };
  list.addEventListener('click', (e) => {
    const a = e.target.closest('[data-parcel]');
    if (!a) return;
    e.preventDefault();
    // The list as it is (its pages, where it was scrolled to) is kept for the way back from the parcel.
    openList = { nodes: [...$('panel-body').childNodes], scroll: $('panel').scrollTop, features, total, loadMore, onPage };
    openFromList(Number(a.dataset.parcel));
  });
  more.addEventListener('click', async () => {
    more.disabled = true;   // a second click before the page arrives would ask for the same page
    try { await loadMore(); } catch (err) { $('status').textContent = err.message; }
    more.disabled = false;
  });
  show(features);
}

// A parcel opened from a list (search matches, a kind of conflict, an area's parcels) keeps the way back to the
// list and steps to the parcel before or after it, so a planner can go through 200 conflicts one by one.
async function openFromList(id) {
  const listed = openList?.features.find((f) => f.id === id);
  if (listed?.geometry) goTo([listed]);
  const parcel = await showParcel(id);
  if (parcel && !listed?.geometry) goTo([parcel]);
}
function listNav(id) {
  const { features, total } = openList;
  const i = features.findIndex((f) => f.id === id);
  const step = (j, label, rel) => (j >= 0 && j < total
    ? `<a href="#" data-step="${j}" rel="${rel}">${label}</a>` : `<span class="off">${label}</span>`);
  return `<p class="list-nav"><a href="#" data-back>← ${t('Danh sách', 'The list')}</a>${i < 0 ? ''
    : ` · ${step(i - 1, t('‹ trước', '‹ previous'), 'prev')} ${fmt(i + 1, 0)}/${fmt(total, 0)} ${step(i + 1, t('sau ›', 'next ›'), 'next')}`}</p>`;
}
$('panel-body').addEventListener('click', async (e) => {
  if (!openList) return;
  if (e.target.closest('[data-back]')) {
    e.preventDefault();
    const { nodes, scroll, features, onPage } = openList;
    openList = null;
    select(null);
    linkTo({ parcel: null });
    $('panel-body').replaceChildren(...nodes);
    $('panel').scrollTop = scroll;
    onPage(features);
    return;
  }
  const step = e.target.closest('[data-step]');
  if (!step) return;
  e.preventDefault();
  const j = Number(step.dataset.step);
  try {
    while (j >= openList.features.length && await openList.loadMore(true) > 0) { /* the page the next parcel is on */ }
  } catch (err) { $('status').textContent = err.message; return; }
  if (openList.features[j]) openFromList(openList.features[j].id);
});

// The planner's conflicts and area overlay (planning.js), shown to planners.
const planner = plannerTools(map, { showParcelList, select, goTo, parcelName, pageSize: MATCHES, zone: () => zone.value });

// The administrator's import from the browser (imports.js).
const importer = importTools(map, { open: openPanel });

// ---- coordinates, sign-in, embed -----------------------------------------------------------------
// The point under the pointer (a tap on a tablet) in WGS 84 and in the chosen VN-2000 zone (remembered).
const zone = $('vn-zone');
zone.value = localStorage.getItem('wardmap.vnZone') || zone.value;
let pointer = null;
function showCoords() {
  if (!pointer) return;
  const { lng, lat } = pointer;
  const vn = toVn2000(lng, lat, zone.value);
  $('coords').textContent = `${lat.toFixed(6)}, ${lng.toFixed(6)} (WGS 84) · X ${fmt(vn.x)} m, Y ${fmt(vn.y)} m`;
}
map.on('mousemove', (e) => { pointer = e.lngLat; showCoords(); });
map.on('click', (e) => { pointer = e.lngLat; showCoords(); });
// Measuring (measure.js) in the same zone: a change of zone measures again.
const measure = measureTool(map, () => zone.value);
zone.addEventListener('change', () => { localStorage.setItem('wardmap.vnZone', zone.value); showCoords(); measure.show(); });

// Signed in, the open parcel is shown again with what the role may see and do (owner, extract, permit check).
const ROLE_NAMES = en ? { officer: 'land officer', planner: 'planner', admin: 'administrator' } : { officer: 'cán bộ địa chính', planner: 'cán bộ quy hoạch', admin: 'quản trị' };
function showRole(signedIn) {
  role = signedIn && signedIn !== 'public' ? signedIn : null;
  $('sign-in').textContent = role ? `${ROLE_NAMES[role] ?? role} (${t('đăng xuất', 'sign out')})` : t('Đăng nhập', 'Sign in');
  if (selected != null && !$('panel').hidden) showParcel(selected);
  planner.show(role === 'planner' || role === 'admin');
  importer.show(role === 'admin');
  reports?.refresh();
}
$('sign-in').addEventListener('click', async () => {
  if (auth.key) { auth.key = null; showRole(null); return; }
  const key = prompt(t('Khóa API của cán bộ (./wardmap keys create --role officer):', 'Officer\'s API key (./wardmap keys create --role officer):'));
  if (!key) return;
  auth.key = key.trim();
  try { showRole((await api('/api/me')).role); } catch (e) { auth.key = null; alert(e.message); }
});
if (auth.key) api('/api/me').then((me) => showRole(me.role)).catch(() => { auth.key = null; });

// The widget at this view; with a parcel open, outlined in red (highlight: a feature of the first layer).
function updateEmbed() {
  const c = map.getCenter();
  const url = `${location.origin}/widget?layers=parcels,roads,field_reports&center=${c.lng.toFixed(5)},${c.lat.toFixed(5)}&zoom=${map.getZoom().toFixed(1)}&style=ioc`
    + (selected ? `&highlight=${selected}` : '') + ($('embed-legend').checked ? '&legend=1' : '') + ($('embed-summary').checked ? '&summary=1' : '')
    + (en ? '&lang=en' : '');
  $('embed').value = `<iframe src="${url}" width="600" height="400" style="border:0" title="${t('Bản đồ phường', 'Ward map')}"></iframe>`;
}
map.on('moveend', updateEmbed);
$('embed-legend').addEventListener('change', updateEmbed);
$('embed-summary').addEventListener('change', updateEmbed);
$('copy-embed').addEventListener('click', async () => {
  await navigator.clipboard?.writeText($('embed').value).catch(() => {});
  $('embed').select();
  $('status').textContent = t('Đã sao chép mã nhúng', 'Embed code copied');
});

// Land officers move reports along from the list; it is listed again when the role changes. A link with a report
// (?report=ID, as the report's panel writes it) opens it, and the map goes there unless the link placed the map.
reportsReady = new Promise((resolve) => map.once('load', async () => {
  reports = await reportsPanel(map, () => role === 'officer' || role === 'admin', { open: openPanel, showParcel, linkTo });
  resolve(reports);
  const linked = new URLSearchParams(location.search).get('report');
  if (linked && !(Number.isInteger(linkedParcel) && linkedParcel > 0)) {
    const r = await reports.show(linked);
    if (r && !linkedView) map.jumpTo({ center: [r.lon, r.lat], zoom: 18 });
  }
}));
