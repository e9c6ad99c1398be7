import { t } from './i18n.js';

// A polygon drawn on the map by clicking its corners: a house's footprint (permits.js), an area a plan would
// touch (planning.js), a shape measured (measure.js). One drawing takes clicks at a time; meanwhile a click on the
// map adds a corner instead of opening the parcel under it (main.js asks isDrawing()).
let active = null;
const listening = new WeakSet();   // maps whose clicks already reach the active drawing
export const isDrawing = () => active !== null;
export const stopDrawing = () => active?.finish();

// The keys' hint beside a tool's own words, on a device with a keyboard (a tablet has the "Bỏ góc cuối" button).
export const KEYS_HINT = matchMedia('(pointer: coarse)').matches ? ''
  : ` (${t('⌫ bỏ góc vừa bấm, Enter xong, Esc hủy', '⌫ takes back a corner, Enter finishes, Esc cancels')})`;

// Keys while drawing, as desktop GIS has them: Backspace (or Ctrl+Z) takes back the last corner, so a misplaced
// click is not a new start; Enter is the tool's own "Xong"; Escape throws the unfinished drawing away. Not while
// typing in a field (the floors, a search). Handled keys are marked (defaultPrevented) for main.js's Escape.
document.addEventListener('keydown', (e) => {
  if (!active || e.target.closest?.('input, textarea, select, [contenteditable]')) return;
  const undo = e.key === 'Backspace' || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z');
  if (!undo && e.key !== 'Enter' && e.key !== 'Escape') return;
  e.preventDefault();
  if (undo) active.undo();
  else if (e.key === 'Enter') active.done();
  else active.cancel();
});

// name: the GeoJSON source (and its `${name}-fill`, `${name}-line` layers); onCorner(n) after each corner (and
// after one is taken back); buttons: the tool's own, as functions that find them — done ("Xong", which Enter
// presses and a cancel disables) and undo ("Bỏ góc cuối", the tablet's Backspace: enabled while there is a
// corner to take back).
export function polygonDrawing(map, name, color, onCorner = () => {}, buttons = {}) {
  let points = [];
  const button = (which) => buttons[which]?.() ?? null;
  const undoable = () => { const b = button('undo'); if (b) b.disabled = active !== drawing || !points.length; };
  button('undo')?.addEventListener('click', () => drawing.undo());
  const polygon = () => (points.length >= 3 ? { type: 'Polygon', coordinates: [[...points, points[0]]] } : null);
  // The corners as dots, two of them joined, three or more closed.
  const show = () => {
    const features = points.length ? [{ type: 'Feature', geometry: { type: 'MultiPoint', coordinates: points }, properties: {} }] : [];
    if (points.length === 2) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: points }, properties: {} });
    if (polygon()) features.push({ type: 'Feature', geometry: polygon(), properties: {} });
    map.getSource(name)?.setData({ type: 'FeatureCollection', features });
  };
  if (!listening.has(map)) {
    listening.add(map);
    map.on('click', (e) => active?.add([e.lngLat.lng, e.lngLat.lat]));
  }
  const drawing = {
    start() {
      if (!map.getSource(name)) {
        map.addSource(name, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        map.addLayer({ id: `${name}-fill`, type: 'fill', source: name, paint: { 'fill-color': color, 'fill-opacity': 0.35 } });
        map.addLayer({ id: `${name}-line`, type: 'line', source: name, paint: { 'line-color': color, 'line-width': 2 } });
        map.addLayer({ id: `${name}-corners`, type: 'circle', source: name, paint: { 'circle-color': color, 'circle-radius': 4 } });
      }
      points = [];
      active = drawing;
      document.body.classList.add('drawing');   // on a phone the panel steps down out of the way (style.css)
      show();
      undoable();
    },
    add(corner) { points.push(corner); show(); onCorner(points.length); undoable(); },
    undo() { if (active === drawing && points.length) { points.pop(); show(); onCorner(points.length); undoable(); } },
    done() { const b = button('done'); if (b && !b.disabled) b.click(); },
    cancel() { drawing.clear(); onCorner(0); const b = button('done'); if (b) b.disabled = true; },
    finish() {
      if (active === drawing) { active = null; document.body.classList.remove('drawing'); }
      undoable();
    },
    clear() { drawing.finish(); points = []; show(); },
    polygon,
    get corners() { return points.length; },
    get points() { return [...points]; },
  };
  return drawing;
}
