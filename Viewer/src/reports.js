import maplibregl from './maplibre.js';
import { api, esc, newKey } from './api.js';
import { afterBurst, followReports } from './live.js';
import { t, en, locale, count } from './i18n.js';
import { STATUS, monthRange, summaryLine, when } from './counts.js';
import { fmt } from './coords.js';
import { reportPin } from './pin.js';

// Residents' reports in the viewer: send one from a pin on the map (or the device's GPS fix), with a photo; see
// where the server placed it (group, parcel, road, asset, who handles it, by when, likely duplicates); list them by
// status, as they come and change.
const PAGE = 20;
const MONTHS = 24;   // the months offered for the monthly count and spreadsheet, this one and the 23 before
const NONE = `<li>${t('Không có phản ánh', 'No reports')}</li>`;
// The button for each move an officer may make next (the report's next_statuses, from the server's life cycle).
const MOVE = en
  ? { accepted: 'Accept', in_progress: 'Start work', resolved: 'Resolved', rejected: 'Reject' }
  : { accepted: 'Tiếp nhận', in_progress: 'Bắt đầu xử lý', resolved: 'Đã xử lý xong', rejected: 'Từ chối' };

// A phone's photo is often 4–12 MB: more than the server takes (5 MB), and slow on a mobile network. One larger than
// MAX_PHOTO_BYTES goes as a JPEG at most MAX_PHOTO_PX on its long side (turned as the camera held it), plenty to
// see a pothole or a broken light.
const MAX_PHOTO_BYTES = 1_500_000, MAX_PHOTO_PX = 2048;
async function fitPhoto(file) {
  if (file.size <= MAX_PHOTO_BYTES) return file;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, MAX_PHOTO_PX / Math.max(bitmap.width, bitmap.height));
    const canvas = Object.assign(document.createElement('canvas'), { width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const jpeg = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return jpeg ? new File([jpeg], `${file.name.replace(/\.[^.]*$/, '')}.jpg`, { type: 'image/jpeg' }) : file;
  } catch { return file; }   // not an image this browser reads: the server says what is wrong with it
}

// canHandle: the signed-in role may move reports along (land officers); panel: the viewer's side panel
// (open(html, onLeave, again) -> its body; showParcel(id); linkTo(params)). Returns { refresh, show(id), forParcel(id, box),
// forAsset(id, box) }.
export async function reportsPanel(map, canHandle, panel) {
  const $ = (id) => document.getElementById(id);
  const services = await api('/open311/v2/services.json').catch(() => []);
  const names = Object.fromEntries(services.map((s) => [s.service_code, s.service_name]));
  $('report-category').innerHTML = services.map((s) => `<option value="${esc(s.service_code)}">${esc(s.service_name)}</option>`).join('');
  const item = (r) => `<li data-id="${esc(r.id)}" data-created="${esc(r.created_at)}"><a href="#" data-report="${esc(r.id)}" data-lon="${r.lon}" data-lat="${r.lat}"><b>${STATUS[r.status]}</b> · ${esc(names[r.category] ?? r.category)}</a>
    · ${esc(r.placement?.group?.name)} · ${when(r.created_at)} ${r.overdue ? `<span class="error">${r.overdue_for === 'acceptance' ? t('quá hạn tiếp nhận', 'not accepted in time') : t('quá hạn xử lý', 'not resolved in time')}</span>` : ''}
    ${r.text ? `<br><small>${esc(r.text.length > 80 ? `${r.text.slice(0, 80)}…` : r.text)}</small>` : ''}
    ${moves(r) ? `<br>${moves(r)}` : ''}</li>`;
  // The buttons for the moves the signed-in officer may make next.
  const moves = (r) => (canHandle() ? (r.next_statuses ?? []).map((to) => `<button type="button" class="move" data-move="${to}">${MOVE[to]}</button>`).join(' ') : '');
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
  // An officer moves a report along (a rejection needs a reason, which the resident reads). The answer is the
  // report as it now is, in the list and the panel; the stream's event for the change finds it in place.
  async function move(id, to) {
    const reason = to === 'rejected' ? prompt(t('Lý do từ chối (người gửi sẽ đọc):', 'Why it is rejected (the sender reads this):'))?.trim() : undefined;
    if (to === 'rejected' && !reason) return;
    try {
      const r = await api(`/api/reports/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: to, reason }) });
      document.getElementById('status').textContent = `${t('Phản ánh', 'Report')} ${id.slice(0, 8)}: ${STATUS[to]}`;
      placeReport(r);
      if (openReport === r.id) showReport(r, true);
    } catch (err) { document.getElementById('status').textContent = err.message; }
  }
  // A report in the list takes the map to where it was sent and opens it in the panel; an officer's buttons move it.
  function wire() {
    $('report-list').querySelectorAll('[data-report]').forEach((a) => { a.onclick = (e) => {
      e.preventDefault();
      map.jumpTo({ center: [Number(a.dataset.lon), Number(a.dataset.lat)], zoom: Math.max(map.getZoom(), 18) });
      show(a.dataset.report);
    }; });
    $('report-list').querySelectorAll('[data-move]').forEach((b) => { b.onclick = () => move(b.closest('[data-id]').dataset.id, b.dataset.move); });
  }
  // Live: a new report, or one whose status changed, takes its place in the list (newest first) when it fits
  // the status filter, and leaves it when it no longer does. One older than the last shown waits for its page.
  async function place(event) {
    summaryLater();   // a burst of events counts once
    const r = await api(`/api/reports/${event.report}`).catch(() => null);
    if (!r) return;
    placeReport(r);
    // The open report as it now is (accepted, resolved…), unless it is drawn so already (an officer's own move).
    if (openReport === r.id && r.updated_at !== openUpdated) showReport(r, true);
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

  // ---- sending one ------------------------------------------------------------------------------
  const pin = reportPin(map, $('report-where'));
  $('report-form').addEventListener('focusin', () => pin.show());
  $('report-gps').addEventListener('click', async () => {
    const why = await pin.locate();
    if (why) $('report-where').textContent = why;
  });
  // One key per report being written: a retry after the network dropped the answer sends the same key, and the
  // server answers with the report it already has (field-reports.md, "Never lose one"); a change makes a new report.
  let key = null;
  let sent = null;   // the id of the report this page sent last: its panel says to keep the id
  $('report-form').addEventListener('input', () => { key = null; });
  $('report-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const send = $('report-form').querySelector('[type=submit]');
    const address = $('report-address').value.trim();
    const fields = { category: $('report-category').value, text: $('report-text').value, ...(address ? { address } : {}), ...pin.position() };
    const photo = $('report-photo').files[0] && await fitPhoto($('report-photo').files[0]);
    // With a photo, a multipart form (the API's other way in); without, JSON.
    const form = new FormData();
    if (photo) { for (const [name, value] of Object.entries(fields)) form.append(name, String(value)); form.append('photo', photo); }
    key ??= newKey();
    send.disabled = true;
    try {
      const r = await api('/api/reports', {
        method: 'POST',
        headers: { 'Idempotency-Key': key, ...(photo ? {} : { 'Content-Type': 'application/json' }) },
        body: photo ? form : JSON.stringify(fields),
      });
      document.getElementById('status').textContent = `${t('Đã gửi phản ánh', 'Report sent:')} ${r.id.slice(0, 8)} → ${r.unit}`;
      $('report-form').reset();
      key = null;
      pin.clear();
      sent = r.id;
      placeReport(r);   // the answer is the report; the stream's event for it finds it in place
      showReport(r);
    } catch (err) { document.getElementById('status').textContent = err.message; }
    send.disabled = false;
  });

  // ---- one report in the panel --------------------------------------------------------------------
  // What the sender and the officer want to know: where the server placed it, who handles it and by when, whether
  // it repeats one already sent, and what has happened to it. Its place is marked on the map (the cadastral map
  // does not draw reports), and the address bar names it (?report=ID) so a link opens it again.
  let openReport = null, openUpdated = null, marker = null;
  let alsoHere = { id: null, list: [] };   // other reports under the tap that opened report `id` (their tiles' properties)
  const at = (iso) => (iso ? new Date(iso).toLocaleString(locale, { weekday: 'short', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' }) : '');
  const distance = (m) => t(`cách ${fmt(m, 0)} m`, `${fmt(m, 0)} m away`);
  const away = (m) => (m > 0.5 ? ` (${distance(m)})` : '');
  // The report as the signed-in role sees it, in the panel; resolves with it (null when it cannot be had). also: other
  // reports at the same spot on the map, listed under it to open in turn.
  async function show(id, also = []) {
    try {
      const r = await api(`/api/reports/${id}`);
      alsoHere = { id: r.id, list: also };
      showReport(r);
      return r;
    } catch (err) { document.getElementById('status').textContent = err.message; return null; }
  }
  // again: the open report drawn anew as it now is (the reader keeps their place in the panel).
  function showReport(r, again = false) {
    const p = r.placement ?? {};
    const row = (th, td) => (td ? `<tr><th>${th}</th><td>${td}</td></tr>` : '');
    const ward = p.ward === 'uncertain' ? t(`Vị trí có thể ngoài phường: cách ranh giới ${fmt(p.ward_distance_m, 0)} m, trong sai số ±${fmt(r.accuracy_m ?? 0, 0)} m`,
      `The place may be outside the ward: ${fmt(p.ward_distance_m, 0)} m beyond its boundary, within the ±${fmt(r.accuracy_m ?? 0, 0)} m of the fix`)
      : p.ward === 'outside_near' ? t(`Ngoài phường ${fmt(p.ward_distance_m, 0)} m, gần ranh giới`, `${fmt(p.ward_distance_m, 0)} m outside the ward, near its boundary`) : '';
    const dups = p.duplicates ?? [];
    const others = alsoHere.id === r.id ? alsoHere.list : [];
    const body = panel.open(`
      ${r.id === sent ? `<p class="sent">${t('Đã gửi. Giữ mã phản ánh để theo dõi:', 'Sent. Keep the report\'s id to follow it:')}</p>` : ''}
      <h2>${esc(names[r.category] ?? r.category)}</h2>
      <p><b>${STATUS[r.status]}</b> · ${when(r.created_at)} · <code>${esc(r.id)}</code></p>
      ${moves(r) ? `<p class="moves">${moves(r)}</p>` : ''}
      ${r.text ? `<p>${esc(r.text)}</p>` : ''}
      ${ward ? `<p class="warn">${ward}</p>` : ''}
      <table class="record">
        ${row(t('Địa chỉ', 'Address'), esc(r.address))}
        ${row(t('Tổ dân phố', 'Residential group'), p.group ? `${esc(p.group.name)}${p.group.leader ? ` — ${t('tổ trưởng', 'leader')} ${esc(p.group.leader)}` : ''}` : '')}
        ${row(t('Thửa đất', 'Parcel'), p.parcel ? `<a href="#" data-parcel="${p.parcel.id}">${t(`Thửa ${p.parcel.parcel_no}, tờ ${p.parcel.sheet_no}`, `Parcel ${p.parcel.parcel_no}, sheet ${p.parcel.sheet_no}`)}</a>${away(p.parcel.distance_m)}` : '')}
        ${row(t('Đường', 'Road'), p.road ? `${esc(p.road.name)}${away(p.road.distance_m)}` : '')}
        ${row(t('Thiết bị', 'Asset'), p.asset ? `${esc(p.asset.name ?? p.asset.kind)}${p.asset.code ? ` (${esc(p.asset.code)})` : ''}${away(p.asset.distance_m)}` : '')}
        ${row(t('Đơn vị xử lý', 'Handled by'), esc(r.unit))}
        ${r.status === 'new' ? row(t('Tiếp nhận trước', 'To accept by'), at(r.accept_by)) : ''}
        ${['new', 'accepted', 'in_progress'].includes(r.status) ? row(t('Xử lý xong trước', 'To resolve by'), at(r.due_at)) : ''}
        ${r.overdue ? row('', `<span class="error">${r.overdue_for === 'acceptance' ? t('quá hạn tiếp nhận', 'not accepted in time') : t('quá hạn xử lý', 'not resolved in time')}</span>`) : ''}
        ${row(t('Vị trí', 'Place'), `${r.lat.toFixed(6)}, ${r.lon.toFixed(6)}${r.accuracy_m != null ? ` (±${fmt(r.accuracy_m, 0)} m)` : ''}`)}
        ${row(t('Người gửi', 'Sent by'), esc([r.contact_name, r.contact_phone].filter(Boolean).join(', ')))}
      </table>
      ${dups.length ? `<h3>${t('Có thể trùng với', 'May repeat')} ${count(dups.length, 'phản ánh gần đây', 'recent report')}</h3>
        <ul class="duplicates">${dups.map((d) => `<li><a href="#" data-report="${esc(d.id)}">${STATUS[d.status] ?? esc(d.status)} · ${when(d.created_at)}</a> — ${distance(d.distance_m)}</li>`).join('')}</ul>` : ''}
      ${others.length ? `<h3>${t('Cũng ở chỗ này', 'Also at this spot')}</h3><ul class="also-here">${others.map((o) =>
        `<li><a href="#" data-report="${esc(o.public_id)}">${STATUS[o.status] ?? esc(o.status)} · ${esc(names[o.category] ?? o.category)}</a></li>`).join('')}</ul>` : ''}
      <div class="photo"></div>
      <h3>${t('Diễn biến', 'History')}</h3>
      <ul class="history">${(r.history ?? []).map((h) => `<li>${when(h.at)}: ${h.from ? `${STATUS[h.from]} → ` : ''}<b>${STATUS[h.to]}</b>${h.reason ? ` — ${esc(h.reason)}` : ''}${h.who ? ` (${esc(h.who)})` : ''}</li>`).join('')}</ul>`,
    () => { openReport = null; marker?.remove(); panel.linkTo({ report: null }); }, again);
    openReport = r.id;
    openUpdated = r.updated_at;
    panel.linkTo({ report: r.id });
    marker ??= new maplibregl.Marker({ color: '#1565c0' });
    marker.setLngLat([r.lon, r.lat]).addTo(map);
    body.querySelectorAll('.moves [data-move]').forEach((b) => { b.onclick = () => move(r.id, b.dataset.move); });
    body.querySelector('[data-parcel]')?.addEventListener('click', (e) => { e.preventDefault(); panel.showParcel(Number(e.target.dataset.parcel)); });
    // Another one from the same spot: it opens with the rest (this one included) still listed under it.
    body.querySelectorAll('.also-here [data-report]').forEach((a) => a.addEventListener('click', (e) => {
      e.preventDefault();
      show(a.dataset.report, [{ public_id: r.id, status: r.status, category: r.category }, ...others.filter((o) => o.public_id !== a.dataset.report)]);
    }));
    body.querySelectorAll('.duplicates [data-report]').forEach((a) => a.addEventListener('click', async (e) => {
      e.preventDefault();
      await show(a.dataset.report);
      map.jumpTo({ center: marker.getLngLat() });
    }));
    // The photo is the officers' (it may show people and houses): fetched with the key, shown once it comes.
    if (r.has_photo && canHandle()) {
      api(`/api/reports/${r.id}/photo`).then((blob) => {
        if (openReport !== r.id) return;
        const img = Object.assign(document.createElement('img'), { src: URL.createObjectURL(blob), alt: t('Ảnh kèm phản ánh', 'The report\'s photo') });
        img.onload = () => URL.revokeObjectURL(img.src);
        body.querySelector('.photo')?.replaceChildren(img);
      }).catch(() => {});
    } else if (r.has_photo) body.querySelector('.photo').innerHTML = `<p><small>${t('Có ảnh kèm (cán bộ xem được).', 'A photo is attached (officers can see it).')}</small></p>`;
  }
  // The stream follows on from where the first list was read: nothing sent in between is missed.
  await load(false);
  summary();
  followReports(map, place, since);

  // The reports placed on one parcel or asset (query: parcel=ID, asset=ID&open=true), newest first, into box as
  // links that open each; nothing when there are none. A land officer reviewing a permit sees the parcel's
  // illegal-construction reports; the IOC, what is open about a broken light.
  async function listFor(query, box, title) {
    const page = await api(`/api/reports?${query}&limit=5`).catch(() => null);
    if (!page?.total || !box.isConnected) return;
    box.innerHTML = `<h3>${title} (${fmt(page.total, 0)})</h3><ul class="placed-reports">${page.reports.map((r) =>
      `<li><a href="#" data-report="${esc(r.id)}">${STATUS[r.status]} · ${esc(names[r.category] ?? r.category)}</a> · ${when(r.created_at)}</li>`).join('')}</ul>`;
    box.querySelectorAll('[data-report]').forEach((a) => a.addEventListener('click', (e) => { e.preventDefault(); show(a.dataset.report); }));
  }
  return {
    refresh,
    show,
    forParcel: (id, box) => listFor(`parcel=${id}`, box, t('Phản ánh tại thửa này', 'Reports on this parcel')),
    forAsset: (id, box) => listFor(`asset=${id}&open=true`, box, t('Phản ánh đang mở', 'Open reports')),
  };
}
