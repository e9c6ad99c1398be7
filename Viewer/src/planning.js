import { api, esc, save, landUse, landUseNamed } from './api.js';
import { fmt } from './coords.js';
import { polygonDrawing, KEYS_HINT } from './draw.js';
import { t, en, count } from './i18n.js';

// The planner's tools in the sidebar (index.html #planner): the planning conflicts by kind, and an area drawn on
// the map with what it would touch. The panel's parcel list and the map's outline come from main.js.
const $ = (id) => document.getElementById(id);

// Parcels whose registered use contradicts the plan of the zone covering most of them (GET /api/planning/conflicts).
const CONFLICT_KINDS = en ? {
  acquisition: 'Acquisition (homes, businesses in a road or public-facility zone)',
  conversion: 'Change of use (farmland in a zone planned for another use)',
  mismatch: 'Mismatch (homes, businesses in a zone kept for farming)',
} : {
  acquisition: 'Thu hồi (nhà ở, kinh doanh trong khu đường, công trình công cộng)',
  conversion: 'Chuyển mục đích (đất nông nghiệp trong khu quy hoạch khác)',
  mismatch: 'Không phù hợp (nhà ở, kinh doanh trong khu giữ đất nông nghiệp)',
};

export function plannerTools(map, { showParcelList, select, goTo, parcelName, pageSize, zone }) {
  let conflicts = null;   // the conflict table, asked once per sign-in
  let shown = null;       // the conflicts of the kind picked, drawn in red from their own geometry: at any zoom
                          // (parcel tiles start at z15), again after a change of style
  const area = polygonDrawing(map, 'area', '#ef6c00', (n) => {
    $('area-count').textContent = count(n, 'đỉnh', 'corner');
    $('area-done').disabled = n < 3;
  }, { done: () => $('area-done'), undo: () => $('area-undo') });

  function draw(features) {
    shown = features;
    const data = { type: 'FeatureCollection', features: features ?? [] };
    if (map.getSource('conflicts')) return map.getSource('conflicts').setData(data);
    if (!features) return;
    const labels = map.getStyle().layers.find((l) => l.type === 'symbol')?.id;   // under the names
    map.addSource('conflicts', { type: 'geojson', data });
    map.addLayer({ id: 'conflicts-fill', type: 'fill', source: 'conflicts', paint: { 'fill-color': '#d50000', 'fill-opacity': 0.3 } }, labels);
    map.addLayer({ id: 'conflicts-line', type: 'line', source: 'conflicts', paint: { 'line-color': '#b71c1c', 'line-width': 1.5 } }, labels);
  }

  // A kind: all its parcels in red, listed in the panel a page at a time, fitted beside it.
  $('conflict-kinds').addEventListener('click', (e) => {
    const kind = e.target.closest('[data-kind]')?.dataset.kind;
    if (!kind || !conflicts) return;
    const all = conflicts.filter((f) => f.properties.kind === kind);
    const item = (f) => `<li><a href="#" data-parcel="${f.id}">${parcelName(f.properties)}</a>
      — ${esc(f.properties.land_use)} ${t('trong khu', 'in zone')} ${esc(f.properties.zone_code)} (${esc(f.properties.planned_use)}), ${fmt(f.properties.area_in_zone_m2, 1)} m²</li>`;
    select(null);
    area.clear();
    showFileArea(null);
    draw(all);
    showParcelList(`<h2>${count(all.length, 'thửa', 'parcel')}: ${CONFLICT_KINDS[kind]}</h2>`, all.slice(0, pageSize), all.length, item, async (n) => all.slice(n, n + pageSize), () => {});
    if (all.length) goTo(all);   // beside the panel, now open
  });

  // The whole table, for a report (the server's CSV opens in Excel with its Vietnamese intact).
  $('conflicts-csv').addEventListener('click', async () => {
    try { save(await api('/api/planning/conflicts?format=csv'), t('xung-dot-quy-hoach.csv', 'planning-conflicts.csv')); } catch (err) { $('status').textContent = err.message; }
  });

  // An area a plan would take (a road to widen, a park): the parcels it touches (the part inside each), the zones,
  // and the people of each residential group living there (POST /api/planning/overlay).
  $('area-draw').addEventListener('click', () => { draw(null); showFileArea(null); area.start(); $('area-count').textContent = `${t('bấm các góc của vùng trên bản đồ', 'click the area\'s corners on the map')}${KEYS_HINT}`; });
  $('area-done').addEventListener('click', async () => {
    area.finish();
    $('area-done').disabled = true;
    $('area-count').textContent = `${count(area.corners, 'đỉnh', 'corner')}, ${t('đang tính…', 'working it out…')}`;
    try {
      const request = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(area.polygon()) };
      const r = await overlay(request);
      $('area-count').textContent = count(area.corners, 'đỉnh', 'corner');
      showOverlay(r, request, `${t('Vùng vẽ', 'Area drawn')}: ${fmt(r.area_m2, 1)} m²`);
    } catch (err) { $('area-count').textContent = err.message; }
    $('area-done').disabled = false;
  });

  // The area from a file (a plan's boundary from the drawing office): the server reads it as an import would, in
  // VN-2000 from its .prj or crs, or — a file that declares none — in the zone picked in the footer.
  $('area-file').addEventListener('change', async (e) => {
    const files = [...e.target.files];
    if (!files.length) return;
    const form = new FormData();
    files.forEach((f) => form.append('file', f));
    form.append('fallback_srs', zone());
    draw(null);
    area.clear();
    $('area-count').textContent = t('đang đọc tệp…', 'reading the file…');
    try {
      const request = { method: 'POST', body: form };
      const r = await overlay(request);
      const s = r.source;
      $('area-count').textContent = '';
      showFileArea(r.geometry);
      showOverlay(r, request, `${t('Vùng từ tệp', 'Area from')} ${esc(s.file)}: ${fmt(r.area_m2, 1)} m²`, `<p><small>${count(s.polygons, 'đa giác', 'polygon')}, ${esc(s.crs)}${s.crs_assumed
        ? ` (${t('tệp không khai báo hệ tọa độ: đọc theo múi ở chân trang', 'the file declares no CRS: read in the footer\'s zone')})` : ''}${s.left_out
        ? `; ${t('bỏ qua', 'left out')} ${count(s.left_out, 'đường, điểm', 'line or point', 'lines or points')}` : ''}${s.repaired
        ? `; ${t('sửa', 'repaired')} ${count(s.repaired, 'đa giác tự cắt', 'self-crossing polygon')}` : ''}</small></p>`);
      goTo([{ geometry: r.geometry }]);
    } catch (err) { $('area-count').textContent = err.message; }
    e.target.value = '';   // the same file picked again is read again
  });

  const overlay = async (request) => Promise.all([api('/api/planning/overlay', request), landUseNamed()]).then(([r]) => r);
  // An area's parcels (the part inside each), the people of each residential group and the zones, in the panel;
  // the parcels as a spreadsheet too (the same request again, as CSV), for the list of land users to notify.
  function showOverlay(r, request, title, more = '') {
    const parcels = r.parcels.map((p) => ({ id: p.id, properties: p }));
    const header = `<h2>${title}</h2>${more}
      <p>${t('Dân số ảnh hưởng (ước tính theo đất ở)', 'People affected (estimated from residential land)')}: <b>${fmt(r.population_affected, 0)}</b> ${t('người', 'people')}</p>
      <table class="zones"><tr><th>${t('Tổ dân phố', 'Residential group')}</th><th>${t('Dân số', 'Population')}</th><th>${t('Đất ở trong vùng', 'Its homes in the area')}</th><th>${t('Ảnh hưởng', 'Affected')}</th></tr>
        ${r.groups.map((g) => `<tr><td>${esc(g.name)}</td><td>${fmt(g.population, 0)}</td><td>${fmt(g.residential_share_pct, 1)} %</td><td>${fmt(g.population_affected, 0)}</td></tr>`).join('')}</table>
      <table class="zones"><tr><th>${t('Khu quy hoạch', 'Planning zone')}</th><th>${t('Chức năng', 'Planned use')}</th><th>${t('Trong vùng', 'In the area')}</th></tr>
        ${r.zones.map((z) => `<tr><td>${esc(z.zone_code)}</td><td>${landUse(z.planned_use, z.planned_use_name)}</td><td>${fmt(z.area_m2, 1)} m²</td></tr>`).join('')}</table>
      <h3>${count(parcels.length, 'thửa đất', 'parcel')} ${t('trong vùng', 'in the area')}</h3>
      ${parcels.length ? `<p><button type="button" class="area-csv">${t('Tải danh sách thửa (CSV)', 'Download the parcels (CSV)')}</button></p>` : ''}`;
    const item = (f) => `<li><a href="#" data-parcel="${f.id}">${parcelName(f.properties)}</a>
      — ${esc(f.properties.land_use)}, ${fmt(f.properties.area_inside_m2, 1)} m² ${t('trong vùng', 'inside')} (${fmt(f.properties.share_pct, 1)} %)</li>`;
    showParcelList(header, parcels.slice(0, pageSize), parcels.length, item, async (n) => parcels.slice(n, n + pageSize),
      () => select(null, parcels.map((p) => p.id)));
    document.querySelector('#panel-body .area-csv')?.addEventListener('click', async (e) => {
      e.target.disabled = true;
      try { save(await api('/api/planning/overlay?format=csv', request), t('thua-dat-trong-vung.csv', 'parcels-in-area.csv')); } catch (err) { $('status').textContent = err.message; }
      e.target.disabled = false;
    });
  }

  // The file's area on the map, outlined as a drawn one is (again after a change of style).
  let fileArea = null;
  function showFileArea(geometry) {
    fileArea = geometry;
    const data = { type: 'FeatureCollection', features: geometry ? [{ type: 'Feature', geometry, properties: {} }] : [] };
    if (map.getSource('area-file')) return map.getSource('area-file').setData(data);
    if (!geometry) return;
    map.addSource('area-file', { type: 'geojson', data });
    map.addLayer({ id: 'area-file-fill', type: 'fill', source: 'area-file', paint: { 'fill-color': '#ef6c00', 'fill-opacity': 0.15 } });
    map.addLayer({ id: 'area-file-line', type: 'line', source: 'area-file', paint: { 'line-color': '#ef6c00', 'line-width': 2.5 } });
  }

  return {
    // Planners and admins see the tools (the API's rule); each sign-in asks for the conflicts afresh.
    async show(visible) {
      $('planner').hidden = !visible;
      conflicts = null;
      if (!visible) return;
      $('conflict-kinds').innerHTML = `<li>${t('Đang tìm…', 'Looking…')}</li>`;
      try {
        conflicts = (await api('/api/planning/conflicts')).features;
      } catch (err) { $('conflict-kinds').innerHTML = `<li class="error">${esc(err.message)}</li>`; return; }
      $('conflict-kinds').innerHTML = Object.entries(CONFLICT_KINDS).map(([kind, name]) =>
        `<li><button type="button" data-kind="${kind}">${name}: <b>${conflicts.filter((f) => f.properties.kind === kind).length}</b></button></li>`).join('');
    },
    // The panel closed, or it lists something else: the red parcels and the drawn area leave the map.
    clear() { draw(null); area.clear(); showFileArea(null); },
    restyle() { if (shown) draw(shown); if (fileArea) showFileArea(fileArea); },
  };
}
