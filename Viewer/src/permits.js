import { api, esc } from './api.js';
import { fmt } from './coords.js';
import { polygonDrawing, stopDrawing } from './draw.js';

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
  stopDrawing();   // a drawing left unfinished on another parcel's form
  const footprint = polygonDrawing(map, 'footprint', '#1e88e5', (n) => {
    $('#draw-count').textContent = `${n} đỉnh`;
    $('#draw-done').disabled = n < 3;
  });
  footprint.clear();   // the last parcel's footprint
  $('#draw').addEventListener('click', () => { footprint.start(); $('#draw-count').textContent = 'bấm các góc công trình trên bản đồ'; });
  $('#draw-done').addEventListener('click', () => { footprint.finish(); $('#draw-count').textContent = `${footprint.corners} đỉnh, đã xong`; });
  $('#check').addEventListener('click', async () => {
    footprint.finish();
    const body = { parcel_id: parcelId, floors: Number($('#floors').value), height_m: Number($('#height').value) };
    if (footprint.polygon()) body.footprint = footprint.polygon();
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
