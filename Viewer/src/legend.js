import { esc, landUseCodes, landUseName } from './api.js';
import { STATUS } from './counts.js';
import { t, en } from './i18n.js';

// The legend is the style's own colour tables: land use (the first code of a land use picks the colour), asset
// kinds and report statuses, each under its heading when the style draws it.
export const ASSET_KINDS = en
  ? { light: 'Street light', camera: 'Security camera', loudspeaker: 'Loudspeaker cluster', wifi: 'Wi-Fi point', school: 'School', led_screen: 'LED screen', drain: 'Drain' }
  : { light: 'Đèn chiếu sáng', camera: 'Camera an ninh', loudspeaker: 'Cụm loa', wifi: 'Điểm Wi-Fi', school: 'Trường học', led_screen: 'Màn hình LED', drain: 'Cống, rãnh thoát nước' };
const LAND_USE_SHOWN = ['ODT', 'ONT', 'LUC', 'HNK', 'CLN', 'NTS', 'TMD', 'DGD', 'TSC', 'DGT', 'DKV', 'NTD', 'SKC', 'DYT'];
// inView: the land-use codes the map draws now (landUsesInView), for a legend that lists only those; null: the ward's list.
export async function fillLegend(legend, layers, inView = null) {
  const items = [];
  // A second style picked while this one's land-use names load: the newer legend is the one kept.
  const turn = String(Number(legend.dataset.turn ?? 0) + 1);
  legend.dataset.turn = turn;
  // [value, colour] pairs of a `match` colour expression, or none when the colour is not one.
  const matchPairs = (match) => {
    if (!Array.isArray(match) || match[0] !== 'match') return [];
    const out = [];
    for (let i = 2; i < match.length - 1; i += 2) out.push([match[i], match[i + 1]]);
    return out;
  };
  const pairs = (id, paint) => matchPairs(layers.find((l) => l.id === id)?.paint?.[paint]);
  // Assets are one layer of every kind, or a layer a kind (assets-cameras: its metadata names the kind).
  const assets = new Map();
  for (const l of layers.filter((x) => x.type === 'circle' && (x['source-layer'] === 'assets' || x.metadata?.['wardmap:kind']))) {
    const only = l.metadata?.['wardmap:kind'];
    for (const [kind, colour] of matchPairs(l.paint?.['circle-color'])) if (ASSET_KINDS[kind] && (!only || kind === only)) assets.set(kind, colour);
  }
  const group = (title, entries, round = false) => {
    if (!entries.length) return;
    const head = document.createElement('li');
    head.className = 'legend-group';
    head.textContent = title;
    items.push(head);
    for (const [colour, html, ring] of entries) {
      const li = document.createElement('li');
      li.innerHTML = `<span class="swatch${round ? ' round' : ''}" style="background:${esc(colour)}${ring ? `;border:3px solid ${esc(ring)}` : ''}"></span>${html}`;
      items.push(li);
    }
  };
  const landUse = pairs(layers.some((l) => l.id === 'parcels-fill') ? 'parcels-fill' : 'zones-fill', 'fill-color').filter(([code]) => (inView ? inView.has(code) : LAND_USE_SHOWN.includes(code)));
  const names = landUse.length ? await landUseCodes() : [];
  const byCode = Object.fromEntries(names.map((n) => [n.code, landUseName(n.code, n.meaning_vi)]));
  group(t('Mục đích sử dụng đất', 'Land use'), landUse.map(([code, colour]) => [colour, `<b>${esc(code)}</b> ${esc(byCode[code])}`]));
  // The style rings a broken asset, or one under maintenance (its stroke on `status`).
  const outOfService = [...assets.values()].length && layers.some((l) => isRinged(l.paint?.['circle-stroke-color']))
    ? [['#ffffff', t('Hỏng hoặc đang bảo trì', 'Broken or under maintenance'), layers.map((l) => l.paint?.['circle-stroke-color']).find(isRinged)[3]]] : [];
  group(t('Hạ tầng', 'Infrastructure'), [...[...assets].map(([kind, colour]) => [colour, esc(ASSET_KINDS[kind])]), ...outOfService], true);
  const reports = pairs('field-reports', 'circle-color').filter(([status]) => STATUS[status]);
  // The style rings a report past a deadline (its stroke on `overdue`).
  const ring = layers.find((l) => l.id === 'field-reports')?.paint?.['circle-stroke-color'];
  const overdue = Array.isArray(ring) && ring[0] === 'case' ? [['#ffffff', t('Quá hạn tiếp nhận hoặc xử lý', 'Past its deadline to accept or resolve'), ring[2]]] : [];
  group(t('Phản ánh hiện trường', 'Field reports'), [...reports.map(([status, colour]) => [colour, esc(STATUS[status][0].toUpperCase() + STATUS[status].slice(1))]), ...overdue], true);
  if (legend.dataset.turn === turn) legend.replaceChildren(...items);
}

// A stroke that is a match on an asset's status (Styles.cs, OutOfServiceRing): [match, [get, status], [...], ring, none].
const isRinged = (stroke) => Array.isArray(stroke) && stroke[0] === 'match' && stroke[1]?.[1] === 'status';

// The land-use codes drawn in the map's frame now, as the style colours them (the first code of a compound one):
// the parcels' and the planning zones' (one palette), so a planning map zoomed out past its parcels keeps its legend.
export function landUsesInView(map) {
  const drawn = [['parcels-fill', 'land_use'], ['zones-fill', 'planned_use']].filter(([id]) => map.getLayer(id));
  return new Set(drawn.flatMap(([id, field]) =>
    map.queryRenderedFeatures({ layers: [id] }).map((f) => String(f.properties[field] ?? '').slice(0, 3))));
}
