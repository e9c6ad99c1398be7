// GeoJSON helpers shared by the viewer and the widget (no map library here: the widget's bundle stays small).

// Every [lon, lat] of GeoJSON coordinates, however deeply nested (point, line, polygon, multi-).
const positions = (c) => (typeof c[0] === 'number' ? [c] : c.flatMap(positions));

/** The [[west, south], [east, north]] around GeoJSON geometries, as map.fitBounds takes it. */
export function boundsOf(geometries) {
  const all = geometries.flatMap((g) => positions(g.coordinates));
  const lons = all.map((p) => p[0]), lats = all.map((p) => p[1]);
  return [[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]];
}
