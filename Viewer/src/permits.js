import { api, esc } from './api.js';
import { fmt } from './coords.js';

// The permit-check form in the parcel panel: draw the footprint on the map (click the corners,
// then "Xong"), give floors and height, and read every rule's working from the server.
const WORDS = { pass: 'Đạt', fail: 'Không đạt', review: 'Cần xem xét' };

export function permitForm(map, parcelId, container) {
  container.innerHTML = `
    <h3>Kiểm tra cấp phép xây dựng</h3>
    <p><button type="button" id="draw">Vẽ công trình</button> <button type="button" id="draw-done" disabled>Xong</button>
       <span id="draw-count"></span></p>
    <p><label>Số tầng <input id="floors" type="number" min="1" value="3" style="width:4rem"></label>
       <label>Cao (m) <input id="height" type="number" min="1" step="0.1" value="12" style="width:5rem"></label>
       <button type="button" id="check">Kiểm tra</button></p>
    <div id="permit-result"></div>`;
  const $ = (sel) => container.querySelector(sel);
  let points = [];
  let drawing = false;
  const source = () => map.getSource('footprint');
  if (!source()) {
    map.addSource('footprint', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: 'footprint-fill', type: 'fill', source: 'footprint', paint: { 'fill-color': '#1e88e5', 'fill-opacity': 0.4 } });
    map.addLayer({ id: 'footprint-line', type: 'line', source: 'footprint', paint: { 'line-color': '#0d47a1', 'line-width': 2 } });
  }
  const ring = () => (points.length >= 3 ? [...points, points[0]] : points);
  const show = () => source().setData(points.length >= 3
    ? { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring()] }, properties: {} }
    : { type: 'FeatureCollection', features: points.length ? [{ type: 'Feature', geometry: { type: 'MultiPoint', coordinates: points }, properties: {} }] : [] });
  const onClick = (e) => {
    if (!drawing) return;
    e.preventDefault();
    points.push([e.lngLat.lng, e.lngLat.lat]);
    $('#draw-count').textContent = `${points.length} đỉnh`;
    $('#draw-done').disabled = points.length < 3;
    show();
  };
  map.on('click', onClick);
  window.wardmap.drawing = () => drawing;
  $('#draw').addEventListener('click', () => { drawing = true; points = []; show(); $('#draw-count').textContent = 'bấm các góc công trình trên bản đồ'; });
  $('#draw-done').addEventListener('click', () => { drawing = false; $('#draw-count').textContent = `${points.length} đỉnh, đã xong`; });
  $('#check').addEventListener('click', async () => {
    drawing = false;
    const body = { parcel_id: parcelId, floors: Number($('#floors').value), height_m: Number($('#height').value) };
    if (points.length >= 3) body.footprint = { type: 'Polygon', coordinates: [ring()] };
    try {
      const r = await api('/api/permits/check', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      $('#permit-result').innerHTML = `<p class="verdict ${r.verdict}">Kết luận: <b>${WORDS[r.verdict]}</b> (bộ quy tắc ${esc(r.rule_set)}) —
        <a href="#" id="permit-print">bản in</a></p>
        <table class="rules"><tr><th>Quy tắc</th><th>Đo</th><th>Giới hạn</th><th>Kết quả</th></tr>
        ${r.rules.map((x) => `<tr title="${esc(x.reference)}${x.note ? ' — ' + esc(x.note) : ''}"><td>${esc(x.title)}</td><td>${esc(x.value ?? '—')} ${esc(x.unit)}</td>
          <td>${esc(x.limit ?? '—')}</td><td class="${esc(x.result)}">${esc(WORDS[x.result] ?? x.result)}</td></tr>`).join('')}</table>`;
      $('#permit-print').addEventListener('click', async (e) => {
        e.preventDefault();
        const html = await api(r.html);
        window.open(URL.createObjectURL(html));
      });
    } catch (e) { $('#permit-result').innerHTML = `<p class="error">${esc(e.message)}</p>`; }
  });
}

export { fmt };
