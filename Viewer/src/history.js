import { api, esc } from './api.js';
import { fmt } from './coords.js';
import { t, locale } from './i18n.js';

// A parcel's changes as the ward's imports brought them (biến động: GET /api/parcels/{id}/history): a new owner or
// use, a re-survey, a split. Officers only, since owners' names are among the values (the API's rule).
export const FIELDS = {
  land_use: t('mục đích sử dụng', 'land use'), owner_name: t('chủ sử dụng', 'owner'), owner_id: t('số giấy tờ của chủ', 'owner\'s ID'),
  certificate_no: t('số GCN', 'certificate no.'), address: t('địa chỉ', 'address'), declared_area_m2: t('diện tích kê khai', 'declared area'),
  legal_area_m2: t('diện tích pháp lý', 'legal area'), land_use_source: t('mã loại đất gốc', 'land-use code as received'), ward_code: t('mã phường', 'ward code'),
  geom: t('hình (đo lại)', 'shape (re-surveyed)'),
};
const day = (iso) => new Date(iso).toLocaleDateString(locale, { day: '2-digit', month: '2-digit', year: 'numeric' });
const value = (field, v) => (v == null || v === '' ? '—' : field.endsWith('_m2') ? `${fmt(v, 1)} m²` : esc(v));

function what(c) {
  if (c.change === 'added') return t('thửa xuất hiện (tách thửa hoặc đo mới)', 'the parcel appeared (split off or newly surveyed)');
  if (c.change === 'removed') return t('thửa bị bỏ khỏi bản đồ (gộp hoặc thu hồi)', 'the parcel left the map (merged or taken)');
  return c.fields.map((f) => (f === 'geom' ? FIELDS.geom : `${FIELDS[f] ?? esc(f)}: ${value(f, c.before?.[f])} → ${value(f, c.after?.[f])}`)).join('; ');
}

export async function parcelHistory(id, box) {
  try {
    const h = await api(`/api/parcels/${id}/history`);
    const since = h.since ? ` ${t('từ lần nhập đầu', 'since the first import')} (${day(h.since)})` : '';
    box.innerHTML = `<h3>${t('Biến động', 'Changes')}</h3>${h.changes.length
      ? `<ul class="history">${h.changes.map((c) => `<li>${what(c)}<br><small>${day(c.at)} · ${esc(c.file)} · ${esc(c.who)}</small></li>`).join('')}</ul>`
      : `<p><small>${t('Chưa có thay đổi nào', 'No change')}${since}</small></p>`}`;
  } catch (e) {
    box.innerHTML = `<p class="error">${esc(e.message)}</p>`;
  }
}
