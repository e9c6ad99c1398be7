import proj4 from 'proj4';
import { locale } from './i18n.js';

// VN-2000 TM-3 zones the ward uses (EPSG definitions; the +towgs84 is position-vector, see vn2000.md).
const towgs84 = '+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278';
const zone = (lon0) => `+proj=tmerc +lat_0=0 +lon_0=${lon0} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 ${towgs84} +units=m +no_defs`;
proj4.defs('EPSG:9209', zone(105.5));
proj4.defs('EPSG:9210', zone(105.75));
proj4.defs('EPSG:5899', zone(107.75));

/** lon/lat -> VN-2000 as surveyors write it: X northing, Y easting. */
export function toVn2000(lon, lat, epsg) {
  const [e, n] = proj4('EPSG:4326', epsg, [lon, lat]);
  return { x: n, y: e, epsg };
}

/** VN-2000 X (northing), Y (easting) in a zone -> [lon, lat]. */
export function fromVn2000(x, y, epsg) {
  return proj4(epsg, 'EPSG:4326', [y, x]);
}

/**
 * A point typed into the search box, or null: "X Y" in VN-2000 metres (both at least 100 000; X, the northing, is
 * always the larger in Việt Nam, so either order is read right) or latitude and longitude in degrees, with decimals
 * (either order).
 * Two numbers apart by a space, ";" or ","; with a space or ";" between them a decimal comma is read too (2315298,81).
 */
export function typedPoint(text, epsg) {
  let parts = text.trim().split(/\s*;\s*|\s+/);
  parts = parts.length === 2 ? parts.map((p) => p.replace(/,$/, '').replace(',', '.')) : text.split(',');
  if (parts.length !== 2 || !parts.every((p) => /^\s*-?\d+(\.\d+)?\s*$/.test(p))) return null;
  const [a, b] = parts.map(Number);
  if (Math.min(a, b) >= 100000) {
    const [lon, lat] = fromVn2000(Math.max(a, b), Math.min(a, b), epsg);
    return { lon, lat, vn2000: true };
  }
  if (!parts.every((p) => p.includes('.'))) return null;   // "12 105" is sheet 12, parcel 105: degrees have decimals
  const [lat, lon] = a >= 102 && a <= 110 ? [b, a] : [a, b];
  return lat >= 8 && lat <= 24 && lon >= 102 && lon <= 110 ? { lon, lat, vn2000: false } : null;
}

export const fmt = (v, d = 2) => v.toLocaleString(locale, { minimumFractionDigits: d, maximumFractionDigits: d });
