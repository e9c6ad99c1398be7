import { api, esc } from './api.js';

// Residents' reports in the viewer: send one at the map's centre, list them by status.
const PAGE = 20;
const STATUS = { new: 'mới', accepted: 'đã tiếp nhận', in_progress: 'đang xử lý', resolved: 'đã xử lý', rejected: 'từ chối' };

export async function reportsPanel(map) {
  const $ = (id) => document.getElementById(id);
  const services = await api('/open311/v2/services.json').catch(() => []);
  const names = Object.fromEntries(services.map((s) => [s.service_code, s.service_name]));
  $('report-category').innerHTML = services.map((s) => `<option value="${esc(s.service_code)}">${esc(s.service_name)}</option>`).join('');
  const when = (iso) => new Date(iso).toLocaleString('vi-VN', { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
  const item = (r) => `<li><a href="#" data-lon="${r.lon}" data-lat="${r.lat}"><b>${STATUS[r.status]}</b> · ${esc(names[r.category] ?? r.category)}</a>
    · ${esc(r.placement?.group?.name)} · ${when(r.created_at)} ${r.overdue ? '<span class="error">quá hạn</span>' : ''}
    ${r.text ? `<br><small>${esc(r.text.length > 80 ? `${r.text.slice(0, 80)}…` : r.text)}</small>` : ''}</li>`;
  // Newest first, a page at a time: "Xem thêm" follows the server's `next` link, which continues after the
  // last report shown, so reports sent meanwhile do not push ones already read onto the next page.
  let shown = 0, next = null;
  async function load(more) {
    const status = $('report-status').value;
    if (!more) shown = 0;
    $('report-more').disabled = true;   // a second click before the page arrives would ask for the same page
    const page = await api(more ? next : `/api/reports?limit=${PAGE}${status ? `&status=${status}` : ''}`).catch(() => ({ total: 0, reports: [] }));
    $('report-more').disabled = false;
    const html = page.reports.map(item).join('');
    $('report-list').innerHTML = more ? $('report-list').innerHTML + html : html || '<li>Không có phản ánh</li>';
    shown += page.reports.length;
    next = page.next;
    $('report-more').hidden = !next;
    $('report-more').textContent = `Xem thêm (${shown}/${page.total})`;
    // A report in the list takes the map to where it was sent.
    $('report-list').querySelectorAll('[data-lon]').forEach((a) => { a.onclick = (e) => {
      e.preventDefault();
      map.jumpTo({ center: [Number(a.dataset.lon), Number(a.dataset.lat)], zoom: Math.max(map.getZoom(), 18) });
    }; });
  }
  const refresh = () => load(false);
  $('report-more').addEventListener('click', () => load(true));
  $('report-status').addEventListener('change', refresh);
  $('report-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const c = map.getCenter();
    try {
      const r = await api('/api/reports', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({ category: $('report-category').value, text: $('report-text').value, lon: c.lng, lat: c.lat, accuracy_m: 10, accuracy_source: 'map-centre' }),
      });
      document.getElementById('status').textContent = `Đã gửi phản ánh ${r.id.slice(0, 8)} → ${r.unit}`;
      $('report-text').value = '';
      refresh();
    } catch (err) { document.getElementById('status').textContent = err.message; }
  });
  refresh();
}
