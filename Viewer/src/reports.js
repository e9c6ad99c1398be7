import { api, esc } from './api.js';

// Residents' reports in the viewer: send one at the map's centre, list them by status.
const STATUS = { new: 'mới', accepted: 'đã tiếp nhận', in_progress: 'đang xử lý', resolved: 'đã xử lý', rejected: 'từ chối' };

export async function reportsPanel(map) {
  const $ = (id) => document.getElementById(id);
  const services = await api('/open311/v2/services.json').catch(() => []);
  $('report-category').innerHTML = services.map((s) => `<option value="${esc(s.service_code)}">${esc(s.service_name)}</option>`).join('');
  async function refresh() {
    const status = $('report-status').value;
    const list = await api(`/api/reports?limit=20${status ? `&status=${status}` : ''}`).catch(() => ({ reports: [] }));
    $('report-list').innerHTML = list.reports.map((r) => `<li><a href="#" data-lon="${r.lon}" data-lat="${r.lat}"><b>${STATUS[r.status]}</b> · ${esc(r.category)}</a>
      · ${esc(r.placement?.group?.name)} ${r.overdue ? '<span class="error">quá hạn</span>' : ''}</li>`).join('') || '<li>Không có phản ánh</li>';
    // A report in the list takes the map to where it was sent.
    $('report-list').querySelectorAll('[data-lon]').forEach((a) => a.addEventListener('click', (e) => {
      e.preventDefault();
      map.jumpTo({ center: [Number(a.dataset.lon), Number(a.dataset.lat)], zoom: Math.max(map.getZoom(), 18) });
    }));
  }
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
