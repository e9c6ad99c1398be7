import { api, esc } from './api.js';
import { afterBurst, followReports } from './live.js';
import { t, en, locale, count } from './i18n.js';

// Residents' reports in the viewer: send one at the map's centre, list them by status, as they come and change.
const PAGE = 20;
const MONTHS = 24;   // the months offered for the monthly count and spreadsheet, this one and the 23 before
const NONE = `<li>${t('Không có phản ánh', 'No reports')}</li>`;
export const STATUS = en
  ? { new: 'new', accepted: 'accepted', in_progress: 'in progress', resolved: 'resolved', rejected: 'rejected' }
  : { new: 'mới', accepted: 'đã tiếp nhận', in_progress: 'đang xử lý', resolved: 'đã xử lý', rejected: 'từ chối' };

// The button for each move an officer may make next (the report's next_statuses, from the server's life cycle).
const MOVE = en
  ? { accepted: 'Accept', in_progress: 'Start work', resolved: 'Resolved', rejected: 'Reject' }
  : { accepted: 'Tiếp nhận', in_progress: 'Bắt đầu xử lý', resolved: 'Đã xử lý xong', rejected: 'Từ chối' };

// A month ("2026-11", or none: every report) as the list's since/until, which the server reads in Việt Nam time.
export function monthRange(month) {
  const q = new URLSearchParams();
  if (month) {
    const [y, m] = month.split('-').map(Number);
    q.set('since', `${month}-01`);
    q.set('until', `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`);
  }
  return q;
}

// The month's (or every) report counted as the city asks for them (GET /api/reports/summary): open, overdue,
// resolved by the deadline. The viewer's report panel and the IOC widget (summary=1) say it alike.
export function summaryLine(s, month) {
  const overdue = s.overdue.acceptance + s.overdue.resolution;
  const onTime = s.resolved ? ` · ${Math.round((100 * s.resolved_on_time) / s.resolved)} % ${t('xử lý đúng hạn', 'resolved on time')} (${s.resolved_on_time}/${s.resolved})` : '';
  return `${month ? `${t('Tháng', 'Month')} ${month.slice(5)}/${month.slice(0, 4)}` : t('Tất cả', 'All')}: `
    + `${count(s.total, 'phản ánh', 'report')} · ${s.open} ${t('đang mở', 'open')} · ${overdue} ${t('quá hạn', 'overdue')}` + onTime;
}

// canHandle: the signed-in role may move reports along (land officers); returns a function that lists again.
export async function reportsPanel(map, canHandle) {
  const $ = (id) => document.getElementById(id);
  const services = await api('/open311/v2/services.json').catch(() => []);
  const names = Object.fromEntries(services.map((s) => [s.service_code, s.service_name]));
  $('report-category').innerHTML = services.map((s) => `<option value="${esc(s.service_code)}">${esc(s.service_name)}</option>`).join('');
  const when = (iso) => new Date(iso).toLocaleString(locale, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
  const item = (r) => `<li data-id="${esc(r.id)}" data-created="${esc(r.created_at)}"><a href="#" data-lon="${r.lon}" data-lat="${r.lat}"><b>${STATUS[r.status]}</b> · ${esc(names[r.category] ?? r.category)}</a>
    · ${esc(r.placement?.group?.name)} · ${when(r.created_at)} ${r.overdue ? `<span class="error">${r.overdue_for === 'acceptance' ? t('quá hạn tiếp nhận', 'not accepted in time') : t('quá hạn xử lý', 'not resolved in time')}</span>` : ''}
    ${r.text ? `<br><small>${esc(r.text.length > 80 ? `${r.text.slice(0, 80)}…` : r.text)}</small>` : ''}
    ${canHandle() && r.next_statuses?.length ? `<br>${r.next_statuses.map((to) => `<button type="button" class="move" data-move="${to}">${MOVE[to]}</button>`).join(' ')}` : ''}</li>`;
  // Newest first, a page at a time: "Xem thêm" follows the server's `next` link, which continues after the
  // last report shown, so reports sent meanwhile do not push ones already read onto the next page.
  let shown = 0, total = 0, next = null, since = null;
  const counter = () => {
    $('report-more').hidden = !next;
    $('report-more').textContent = `${t('Xem thêm', 'More')} (${shown}/${total})`;
  };
  // The months the ward accounts for, this one first: a list rather than a month input, which Firefox and
  // Safari show as a bare text box and Chromium as dashes.
  const today = new Date();
  for (let i = 0; i < MONTHS; i++) {
    const d = new Date(today.getFullYear(), today.getMonth() - i, 1);
    const mm = String(d.getMonth() + 1).padStart(2, '0');
    $('report-month').add(new Option(`${mm}/${d.getFullYear()}`, `${d.getFullYear()}-${mm}`));
  }
  // The month picked (or none: every report), as the server reads it.
  const monthQuery = () => monthRange($('report-month').value);
  // The spreadsheet of the reports the list shows (its status), of one month if one is picked: the ward's monthly
  // account to the city.
  function csvLink() {
    const q = new URLSearchParams({ format: 'csv' });
    if ($('report-status').value) q.set('status', $('report-status').value);
    for (const [k, v] of monthQuery()) q.set(k, v);
    $('report-csv').href = `/api/reports?${q}`;
  }
  async function summary() {
    const month = $('report-month').value;
    const s = await api(`/api/reports/summary?${monthQuery()}`).catch(() => null);
    if (s) $('report-summary').textContent = summaryLine(s, month);
  }
  const summaryLater = afterBurst(summary, 2000);
  $('report-month').addEventListener('change', () => { csvLink(); summary(); });
  async function load(more) {
    const status = $('report-status').value;
    csvLink();
    if (!more) shown = 0;
    $('report-more').disabled = true;   // a second click before the page arrives would ask for the same page
    const page = await api(more ? next : `/api/reports?limit=${PAGE}${status ? `&status=${status}` : ''}`).catch(() => ({ total: 0, reports: [] }));
    $('report-more').disabled = false;
    const html = page.reports.map(item).join('');
    $('report-list').innerHTML = more ? $('report-list').innerHTML + html : html || NONE;
    shown += page.reports.length;
    ({ total, next } = page);
    since ??= page.last_event_id;
    counter();
    wire();
  }
  // A report in the list takes the map to where it was sent; an officer's buttons move it along (a rejection
  // needs a reason, which the resident reads).
  function wire() {
    $('report-list').querySelectorAll('[data-lon]').forEach((a) => { a.onclick = (e) => {
      e.preventDefault();
      map.jumpTo({ center: [Number(a.dataset.lon), Number(a.dataset.lat)], zoom: Math.max(map.getZoom(), 18) });
    }; });
    $('report-list').querySelectorAll('[data-move]').forEach((b) => { b.onclick = async () => {
      const id = b.closest('[data-id]').dataset.id, to = b.dataset.move;
      const reason = to === 'rejected' ? prompt(t('Lý do từ chối (người gửi sẽ đọc):', 'Why it is rejected (the sender reads this):'))?.trim() : undefined;
      if (to === 'rejected' && !reason) return;
      try {
        const r = await api(`/api/reports/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: to, reason }) });
        document.getElementById('status').textContent = `${t('Phản ánh', 'Report')} ${id.slice(0, 8)}: ${STATUS[to]}`;
        placeReport(r);   // the answer is the report as it now is; the stream's event for the change finds it in place
      } catch (err) { document.getElementById('status').textContent = err.message; }
    }; });
  }
  // Live: a new report, or one whose status changed, takes its place in the list (newest first) when it fits
  // the status filter, and leaves it when it no longer does. One older than the last shown waits for its page.
  async function place(event) {
    summaryLater();   // a burst of events counts once
    const r = await api(`/api/reports/${event.report}`).catch(() => null);
    if (r) placeReport(r);
  }
  function placeReport(r) {
    const status = $('report-status').value;
    const fits = !status || r.status === status;
    const old = $('report-list').querySelector(`li[data-id="${r.id}"]`);
    if (old) {
      if (fits) old.outerHTML = item(r);
      else { old.remove(); shown--; total--; }
    } else if (fits) {
      const rows = [...$('report-list').querySelectorAll('li[data-id]')];
      const after = rows.find((li) => Date.parse(li.dataset.created) < Date.parse(r.created_at));
      if (!after && next) return;   // belongs to a page not loaded yet
      if (!rows.length) $('report-list').innerHTML = '';   // the "none" line
      if (after) after.insertAdjacentHTML('beforebegin', item(r));
      else $('report-list').insertAdjacentHTML('beforeend', item(r));
      shown++; total++;
    } else return;
    if (!$('report-list').children.length) $('report-list').innerHTML = NONE;
    counter();
    wire();
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
      document.getElementById('status').textContent = `${t('Đã gửi phản ánh', 'Report sent:')} ${r.id.slice(0, 8)} → ${r.unit}`;
      $('report-text').value = '';
      placeReport(r);   // the answer is the report; the stream's event for it finds it in place
    } catch (err) { document.getElementById('status').textContent = err.message; }
  });
  // The stream follows on from where the first list was read: nothing sent in between is missed.
  await load(false);
  summary();
  followReports(map, place, since);
  return refresh;
}
