import { api, esc, save } from './api.js';
import { t, en, locale } from './i18n.js';
import { fmt } from './coords.js';
import { FIELDS } from './history.js';

// The administrator's import from the browser (POST /api/imports: the same importer and report as `./wardmap
// import`): a layer's file(s) — a shapefile's parts, a GeoPackage, GeoJSON, CSV or a .zip —, the report on the
// page with every row rejected, repaired or flagged (file, row, field, why), and the last runs to read again. A
// file that cannot be loaded whole leaves the layer as it was (the importer's rule), and the page says so.
const $ = (id) => document.getElementById(id);
const LAYERS = {
  parcels: t('Thửa đất (địa chính)', 'Parcels (cadastre)'), zones: t('Quy hoạch phân khu', 'Planning zones'),
  red_lines: t('Chỉ giới đường đỏ, hành lang', 'Red lines and corridors'), roads: t('Đường', 'Roads'),
  groups: t('Tổ dân phố (kèm dân số)', 'Residential groups (with population)'), assets: t('Hạ tầng (đèn, camera, loa…)', 'Infrastructure (lights, cameras…)'),
  ward_boundary: t('Ranh giới phường', 'Ward boundary'),
};
const STATUS = { succeeded: t('đã nhập', 'imported'), skipped: t('bỏ qua: tệp đã nhập rồi', 'skipped: already imported'), dry_run: t('chỉ kiểm tra', 'checked only'), failed: t('không nhập được', 'failed'), running: t('đang nhập', 'running') };
const CHANGE = { added: t('thêm', 'added'), changed: t('sửa', 'changed'), removed: t('bỏ', 'removed') };
const MODE = { upsert: t('cập nhật theo mã', 'updated by key'), replace: t('thay thế cả lớp', 'the layer replaced') };
const SHOWN = 100;   // rows of each list on the page; the whole report is in the JSON
// The importer says each reason, note and error in English and in Vietnamese (reason / reason_vi, …).
const said = (item, key) => (en ? item[key] : item[`${key}_vi`] ?? item[key]);

export function importTools(map, panel) {
  $('import-layer').innerHTML = Object.entries(LAYERS).map(([name, label]) => `<option value="${name}">${esc(label)}</option>`).join('');
  const population = () => { $('import-population-box').hidden = $('import-layer').value !== 'groups'; };
  $('import-layer').addEventListener('change', population);
  population();
  const when = (iso) => (iso ? new Date(iso).toLocaleString(locale, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }) : '');

  // The rows the import changes in the layer (biến động): by key, what happened to each and which fields; a run that
  // was loaded keeps them all, with their values before and after, to download.
  const changed = ({ changes: c, run_id: run, status }) => (c?.rows?.length ? `<h3>${t('Các dòng thay đổi', 'Rows changed')} (${fmt(c.added + c.changed + c.removed, 0)})</h3>
      <table class="zones changes"><tr><th>${t('Mã', 'Key')}</th><th>${t('Thay đổi', 'Change')}</th><th>${t('Trường', 'Fields')}</th></tr>
      ${c.rows.map((x) => `<tr><td>${esc(x.key)}</td><td>${CHANGE[x.change] ?? esc(x.change)}</td><td>${x.fields.map((f) => esc(FIELDS[f] ?? f)).join(', ')}</td></tr>`).join('')}</table>
      ${c.added + c.changed + c.removed > c.rows.length ? `<p><small>${t(`${fmt(c.rows.length, 0)} dòng đầu`, `the first ${fmt(c.rows.length, 0)}`)}</small></p>` : ''}
      ${status === 'succeeded' && run ? `<p><a href="#" class="changes-csv">${t('Tải toàn bộ thay đổi, kèm giá trị trước và sau (CSV)', 'Download every change, with the values before and after (CSV)')}</a></p>` : ''}` : '');

  // A report in the panel: what was loaded, then the rows to look at, each with its file, row and field.
  function showReport(r) {
    const rows = (title, list) => (list?.length ? `<h3>${title} (${fmt(list.length, 0)})</h3>
      <table class="zones"><tr><th>${t('Tệp', 'File')}</th><th>${t('Dòng', 'Row')}</th><th>${t('Trường', 'Field')}</th><th>${t('Lý do', 'Why')}</th></tr>
      ${list.slice(0, SHOWN).map((i) => `<tr><td>${esc(i.file ?? r.file)}</td><td>${i.row}</td><td>${esc(i.field)}</td><td>${esc(said(i, 'reason'))}${i.value != null ? ` <small>(${esc(i.value)})</small>` : ''}</td></tr>`).join('')}</table>
      ${list.length > SHOWN ? `<p><small>${t(`và ${fmt(list.length - SHOWN, 0)} dòng khác: xem báo cáo đầy đủ (JSON)`, `and ${fmt(list.length - SHOWN, 0)} more: see the whole report (JSON)`)}</small></p>` : ''}` : '');
    const files = [r.file, ...(r.more_files ?? [])].map(esc).join(' + ');
    const body = panel.open(`<h2>${t('Nhập', 'Import of')} ${esc(LAYERS[r.layer] ?? r.layer)}</h2>
      <p><b>${STATUS[r.status] ?? esc(r.status)}</b> — ${files}${r.run_id ? ` · ${t('lần nhập', 'run')} ${r.run_id}` : ''}${r.who ? ` · ${esc(r.who)}` : ''}${r.started_at ? ` · ${when(r.started_at)}` : ''}</p>
      ${r.error ? `<p class="error">${esc(said(r, 'error'))}</p>` : ''}
      <table class="record">
        <tr><th>${t('Đã đọc', 'Read')}</th><td>${fmt(r.rows_read, 0)} ${t('dòng', 'rows')}</td></tr>
        <tr><th>${r.status === 'succeeded' ? t('Đã nhập', 'Loaded') : t('Nhập được', 'Loadable')}</th><td>${fmt(r.rows_loaded, 0)}${MODE[r.mode] ? ` (${MODE[r.mode]})` : ''}</td></tr>
        ${r.rows_deleted ? `<tr><th>${t('Đã xóa', 'Removed')}</th><td>${fmt(r.rows_deleted, 0)}</td></tr>` : ''}
        <tr><th>${t('Bị loại', 'Rejected')}</th><td>${fmt(r.rows_rejected, 0)}</td></tr>
        ${r.changes ? `<tr><th>${t('Thay đổi', 'Changes')}</th><td>${['added', 'changed', 'removed'].map((k) => `${fmt(r.changes[k], 0)} ${CHANGE[k]}`).join(', ')}</td></tr>` : ''}
        ${r.source_crs ? `<tr><th>${t('Hệ tọa độ', 'CRS')}</th><td>${esc(r.source_crs)}</td></tr>` : ''}
        ${r.seconds != null ? `<tr><th>${t('Thời gian', 'Time')}</th><td>${fmt(r.seconds, 1)} s</td></tr>` : ''}
      </table>
      ${r.notes?.length ? `<ul>${said(r, 'notes').map((n) => `<li><small>${esc(n)}</small></li>`).join('')}</ul>` : ''}
      ${changed(r)}
      ${rows(t('Dòng bị loại', 'Rows rejected'), r.rejected)}${rows(t('Dòng đã sửa', 'Rows repaired'), r.repaired)}${rows(t('Dòng cần xem lại', 'Rows to look at'), r.flagged)}
      <p><a href="#" class="report-json">${t('Tải báo cáo đầy đủ (JSON)', 'Download the whole report (JSON)')}</a></p>`);
    body.querySelector('.changes-csv')?.addEventListener('click', async (e) => {
      e.preventDefault();
      try { save(await api(`/api/imports/${r.run_id}/changes.csv`), `bien-dong-lan-nhap-${r.run_id}.csv`); } catch (err) { $('import-status').textContent = err.message; }
    });
    body.querySelector('.report-json').addEventListener('click', (e) => {
      e.preventDefault();
      save(new Blob([JSON.stringify(r, null, 2)], { type: 'application/json' }), `import-${r.run_id ?? r.layer}.json`);
    });
  }

  // The map shows the new data at once: its tiles asked for again under a new name, past the browser's cache of
  // them (a minute) and MapLibre's own; the server dropped the layer's cached tiles when the import committed.
  function redraw(run) {
    for (const [id, source] of Object.entries(map.getStyle().sources)) {
      if (source.type !== 'vector' || !source.tiles) continue;
      map.getSource(id).setTiles(source.tiles.map((url) => {
        const [path, query = ''] = url.split('?');   // the path keeps its {z}/{x}/{y} as they are
        const q = new URLSearchParams(query);
        q.set('v', `import-${run}`);
        return `${path}?${q}`;
      }));
    }
  }

  // " (3 thêm, 12 sửa)": what a run changed in the layer, when it changed anything.
  const changeCounts = (c) => {
    const parts = c ? ['added', 'changed', 'removed'].filter((k) => c[k]).map((k) => `${fmt(c[k], 0)} ${CHANGE[k]}`) : [];
    return parts.length ? ` (${parts.join(', ')})` : '';
  };

  async function listRuns() {
    const runs = await api('/api/imports').catch(() => []);
    $('import-runs').innerHTML = runs.slice(0, 10).map((r) => `<li><a href="#" data-run="${r.id}">${when(r.started_at)} · ${esc(LAYERS[r.layer] ?? r.layer)}</a>
      — ${esc(r.file)}: ${STATUS[r.status] ?? esc(r.status)}${r.status === 'succeeded' ? `, ${fmt(r.rows_loaded, 0)}/${fmt(r.rows_read, 0)} ${t('dòng', 'rows')}` : r.rows_read ? `, ${fmt(r.rows_read, 0)} ${t('dòng đã đọc', 'rows read')}` : ''}${changeCounts(r.changes)}${r.rows_rejected ? `, <span class="error">${fmt(r.rows_rejected, 0)} ${t('bị loại', 'rejected')}</span>` : ''}</li>`).join('');
  }
  $('import-runs').addEventListener('click', async (e) => {
    const a = e.target.closest('[data-run]');
    if (!a) return;
    e.preventDefault();
    try { showReport(await api(`/api/imports/${a.dataset.run}`)); } catch (err) { $('import-status').textContent = err.message; }
  });

  $('import-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData();
    form.append('layer', $('import-layer').value);
    for (const f of $('import-files').files) form.append('file', f);
    if ($('import-layer').value === 'groups' && $('import-population').files[0]) form.append('population', $('import-population').files[0]);
    if ($('import-srs').value.trim()) form.append('srs', $('import-srs').value.trim());
    for (const [box, field] of [['import-upsert', 'upsert'], ['import-force', 'force'], ['import-dry-run', 'dry_run']]) if ($(box).checked) form.append(field, 'true');
    const send = $('import-form').querySelector('[type=submit]');
    send.disabled = true;
    $('import-status').textContent = t('Đang nhập… (một lớp lớn mất vài chục giây)', 'Importing… (a large layer takes some tens of seconds)');
    try {
      const r = await api('/api/imports', { method: 'POST', body: form });
      $('import-status').textContent = `${LAYERS[r.layer] ?? r.layer}: ${STATUS[r.status] ?? r.status}, ${fmt(r.rows_loaded, 0)}/${fmt(r.rows_read, 0)} ${t('dòng', 'rows')}`;
      showReport(r);
      if (r.status === 'succeeded') redraw(r.run_id);
    } catch (err) {
      // A refused import (422) names the file, row and field; the layer keeps what it had.
      $('import-status').innerHTML = `<span class="error">${esc(err.message)}</span>`;
    }
    send.disabled = false;
    listRuns();
  });

  return {
    async show(visible) {
      $('admin').hidden = !visible;
      if (visible) listRuns();
    },
  };
}
