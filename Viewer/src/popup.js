import maplibregl from './maplibre.js';
import { esc } from './api.js';
import { ASSET_KINDS } from './legend.js';
import { STATUS, when } from './counts.js';
import { t, en, lang } from './i18n.js';

// What a dot on the map is, in a popup: an asset (which camera, which light, and whether it works) or a field
// report (what, how far along, since when). Only what the public tiles carry, so the IOC's widget can show it too.
const ASSET_STATUS = en
  ? { active: 'working', broken: 'broken', maintenance: 'under maintenance', planned: 'planned', removed: 'removed' }
  : { active: 'đang hoạt động', broken: 'hỏng', maintenance: 'đang bảo trì', planned: 'dự kiến', removed: 'đã tháo dỡ' };
let categories = null;   // report category code -> name, in the page's language, asked once
const categoryNames = () => (categories ??= fetch('/open311/v2/services.json', { headers: { 'Accept-Language': lang } })
  .then((r) => r.json()).then((list) => Object.fromEntries(list.map((s) => [s.service_code, s.service_name]))).catch(() => ({})));

export const isReportLayer = (l) => l.id === 'field-reports';
export const isAssetLayer = (l) => l.type === 'circle' && (l['source-layer'] === 'assets' || Boolean(l.metadata?.['wardmap:kind']));

/** The dots of the layers `which` picks within a finger's width of a tap, the top one first. */
export function dotsAt(map, point, which) {
  const layers = map.getStyle().layers.filter(which).map((l) => l.id);
  if (!layers.length) return [];
  const { x, y } = point;
  return map.queryRenderedFeatures([[x - 6, y - 6], [x + 6, y + 6]], { layers });
}
/** The top dot of those, or null. */
export const dotAt = (map, point, which) => dotsAt(map, point, which)[0] ?? null;

let open = null;
/** Opens the dot's popup (one at a time). */
export async function showDot(map, feature) {
  const p = feature.properties;
  const html = feature.sourceLayer === 'field_reports'
    ? `<b>${esc((await categoryNames())[p.category] ?? p.category)}</b><br>${esc(STATUS[p.status] ?? p.status)}`
      + `${p.overdue ? ` — <span class="error">${p.overdue === 'acceptance' ? t('quá hạn tiếp nhận', 'not accepted in time') : t('quá hạn xử lý', 'not resolved in time')}</span>` : ''}`
      + `${p.created_at ? `<br><small>${esc(when(p.created_at))}</small>` : ''}`
    : `<b>${esc(ASSET_KINDS[p.kind] ?? p.kind)}</b>${p.code ? ` ${esc(p.code)}` : ''}${p.name ? `<br>${esc(p.name)}` : ''}`
      + `${p.status ? `<br>${p.status === 'active' ? '' : '<span class="error">'}${esc(ASSET_STATUS[p.status] ?? p.status)}${p.status === 'active' ? '' : '</span>'}` : ''}`;
  open?.remove();
  open = new maplibregl.Popup({ maxWidth: '260px', className: 'dot-popup' }).setLngLat(feature.geometry.coordinates).setHTML(html).addTo(map);
  return open;
}
