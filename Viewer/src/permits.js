import { api, esc } from './api.js';
import { polygonDrawing, stopDrawing, KEYS_HINT } from './draw.js';
import { t, en, locale, count } from './i18n.js';

// The permit-check form in the parcel panel: draw the footprint on the map (click the corners,
// then "Xong"), give floors and height, and read every rule's working from the server.
const WORDS = en ? { pass: 'Pass', fail: 'Fail', review: 'Needs review' } : { pass: 'Đạt', fail: 'Không đạt', review: 'Cần xem xét' };
// The rules by their id in English (the server names them as the permit file is written, in Vietnamese; their legal
// references, in the row's tooltip, stay as cited).
const RULES_EN = {
  residential_land: 'Parcel has residential land', footprint_inside_parcel: 'Building inside the parcel',
  red_line_overlap: 'Clear of red lines and protection corridors', setback: 'Setback from the red line', density: 'Building density',
  floors: 'Floors', height: 'Building height', zone_use: 'Planning zone allows housing', planning_conflict: 'Planned road or public works on the parcel',
};
const title = (rule) => (en && RULES_EN[rule.rule]) || rule.title;
// Measures and limits: numbers as the language writes them (0,05 / 0.05), "ODT hoặc ONT" in English as "ODT or ONT".
const shown = (v) => (v == null ? '—' : typeof v === 'number' ? v.toLocaleString(locale, { maximumFractionDigits: 2 }) : en ? v.replaceAll(' hoặc ', ' or ') : v);
const unit = (u) => (en && u === 'tầng' ? 'floors' : u);
// The working under each rule (why it failed or needs a person), shown, not left to a tooltip a tablet cannot open;
// the legal reference stays in the row's tooltip and on the printable report.
const note = (rule) => (en && rule.note_en) || rule.note;

export function permitForm(map, parcelId, container) {
  container.innerHTML = `
    <h3>${t('Kiểm tra cấp phép xây dựng', 'Building permit check')}</h3>
    <p><button type="button" id="draw">${t('Vẽ công trình', 'Draw the building')}</button> <button type="button" id="draw-undo" disabled>${t('Bỏ góc cuối', 'Undo corner')}</button> <button type="button" id="draw-done" disabled>${t('Xong', 'Done')}</button>
       <span id="draw-count"></span></p>
    <p><label>${t('Số tầng', 'Floors')} <input id="floors" type="number" min="1" value="3" style="width:4rem"></label>
       <label>${t('Cao (m)', 'Height (m)')} <input id="height" type="number" min="1" step="0.1" value="12" style="width:5rem"></label>
       <button type="button" id="check">${t('Kiểm tra', 'Check')}</button></p>
    <div id="permit-result"></div>`;
  const $ = (sel) => container.querySelector(sel);
  stopDrawing();   // a drawing left unfinished on another parcel's form
  const footprint = polygonDrawing(map, 'footprint', '#1e88e5', (n) => {
    $('#draw-count').textContent = count(n, 'đỉnh', 'corner');
    $('#draw-done').disabled = n < 3;
  }, { done: () => $('#draw-done'), undo: () => $('#draw-undo') });
  footprint.clear();   // the last parcel's footprint
  $('#draw').addEventListener('click', () => {
    footprint.start();
    $('#draw-count').textContent = `${t('bấm các góc công trình trên bản đồ', 'click the building\'s corners on the map')}${KEYS_HINT}`;
    $('#draw').scrollIntoView({ block: 'nearest' });   // on a phone the panel is a short sheet now: its buttons in view
  });
  $('#draw-done').addEventListener('click', () => { footprint.finish(); $('#draw-count').textContent = `${count(footprint.corners, 'đỉnh', 'corner')}, ${t('đã xong', 'done')}`; });
  $('#check').addEventListener('click', async () => {
    footprint.finish();
    const body = { parcel_id: parcelId, floors: Number($('#floors').value), height_m: Number($('#height').value) };
    if (footprint.polygon()) body.footprint = footprint.polygon();
    try {
      const r = await api('/api/permits/check', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      $('#permit-result').innerHTML = `<p class="verdict ${r.verdict}">${t('Kết luận', 'Verdict')}: <b>${WORDS[r.verdict]}</b> (${t('bộ quy tắc', 'rule set')} ${esc(r.rule_set)}) —
        <a href="#" id="permit-print">${t('bản in', 'printable report')}</a></p>
        <table class="rules"><tr><th>${t('Quy tắc', 'Rule')}</th><th>${t('Đo', 'Measured')}</th><th>${t('Giới hạn', 'Limit')}</th><th>${t('Kết quả', 'Result')}</th></tr>
        ${r.rules.map((x) => `<tr title="${esc(x.reference)}"><td>${esc(title(x))}${note(x) ? `<div class="note">${esc(note(x))}</div>` : ''}</td><td>${esc(shown(x.value))} ${esc(unit(x.unit))}</td>
          <td>${esc(shown(x.limit))}${typeof x.limit === 'number' ? ` ${esc(unit(x.unit))}` : ''}</td><td class="${esc(x.result)}">${esc(WORDS[x.result] ?? x.result)}</td></tr>`).join('')}</table>`;
      $('#permit-print').addEventListener('click', async (e) => {
        e.preventDefault();
        const html = await api(r.html);
        window.open(URL.createObjectURL(html));
      });
    } catch (e) { $('#permit-result').innerHTML = `<p class="error">${esc(e.message)}</p>`; }
  });
}

