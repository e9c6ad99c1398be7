import { fmt, toVn2000 } from './coords.js';
import { polygonDrawing, KEYS_HINT } from './draw.js';
import { t, count } from './i18n.js';

// Measuring on the map (index.html "Đo khoảng cách, diện tích"): click points; the length of the path, and once
// there are three, the perimeter and area of the shape they close. Measured as the cadastre measures: in the plane
// of the VN-2000 zone picked in the footer — a parcel's legal area is its area in its TM-3 zone (the importers use
// ST_Area there; ../shared/domain/vn2000.md) — not on the sphere, so a parcel measured here matches its record.
const $ = (id) => document.getElementById(id);
const HINT = `${t('bấm các điểm cần đo trên bản đồ', 'click the points to measure on the map')}${KEYS_HINT}`;

export function measureTool(map, zone) {
  const drawing = polygonDrawing(map, 'measure', '#6a1b9a', show, { done: () => $('measure-done'), undo: () => $('measure-undo') });

  function show() {
    const epsg = zone();
    const p = drawing.points.map(([lon, lat]) => toVn2000(lon, lat, epsg));
    const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
    let length = 0;
    for (let i = 1; i < p.length; i++) length += dist(p[i - 1], p[i]);
    let text = p.length < 2 ? HINT : `${count(p.length, 'điểm', 'point')}: ${t(`dài ${fmt(length)} m`, `${fmt(length)} m long`)}`;
    if (p.length >= 3) {
      // Shoelace formula over the closed ring, in metres of the zone's plane.
      let twice = 0;
      for (let i = 0; i < p.length; i++) { const a = p[i], b = p[(i + 1) % p.length]; twice += a.y * b.x - b.y * a.x; }
      const perimeter = fmt(length + dist(p[p.length - 1], p[0])), area = fmt(Math.abs(twice) / 2, 1);
      text += t(`; khép kín: chu vi ${perimeter} m, diện tích ${area} m²`, `; closed: perimeter ${perimeter} m, area ${area} m²`);
    }
    $('measure-result').textContent = p.length ? `${text} (VN-2000, ${epsg})` : '';
  }

  $('measure-start').addEventListener('click', () => {
    drawing.start();
    $('measure-done').disabled = false;
    $('measure-result').textContent = HINT;
  });
  $('measure-done').addEventListener('click', () => { drawing.finish(); $('measure-done').disabled = true; });
  return { show };
}
