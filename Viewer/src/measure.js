import { fmt, toVn2000 } from './coords.js';
import { polygonDrawing } from './draw.js';

// Measuring on the map (index.html "Đo khoảng cách, diện tích"): click points; the length of the path, and once
// there are three, the perimeter and area of the shape they close. Measured as the cadastre measures: in the plane
// of the VN-2000 zone picked in the footer — a parcel's legal area is its area in its TM-3 zone (the importers use
// ST_Area there; ../shared/domain/vn2000.md) — not on the sphere, so a parcel measured here matches its record.
const $ = (id) => document.getElementById(id);

export function measureTool(map, zone) {
  const drawing = polygonDrawing(map, 'measure', '#6a1b9a', show);

  function show() {
    const epsg = zone();
    const p = drawing.points.map(([lon, lat]) => toVn2000(lon, lat, epsg));
    const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
    let length = 0;
    for (let i = 1; i < p.length; i++) length += dist(p[i - 1], p[i]);
    let text = p.length < 2 ? 'bấm các điểm cần đo trên bản đồ' : `${p.length} điểm: dài ${fmt(length)} m`;
    if (p.length >= 3) {
      // Shoelace formula over the closed ring, in metres of the zone's plane.
      let twice = 0;
      for (let i = 0; i < p.length; i++) { const a = p[i], b = p[(i + 1) % p.length]; twice += a.y * b.x - b.y * a.x; }
      text += `; khép kín: chu vi ${fmt(length + dist(p[p.length - 1], p[0]))} m, diện tích ${fmt(Math.abs(twice) / 2, 1)} m²`;
    }
    $('measure-result').textContent = p.length ? `${text} (VN-2000, ${epsg})` : '';
  }

  $('measure-start').addEventListener('click', () => {
    drawing.start();
    $('measure-done').disabled = false;
    $('measure-result').textContent = 'bấm các điểm cần đo trên bản đồ';
  });
  $('measure-done').addEventListener('click', () => { drawing.finish(); $('measure-done').disabled = true; });
  return { show };
}
