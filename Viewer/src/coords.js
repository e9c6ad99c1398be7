import proj4 from 'proj4';

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

export const fmt = (v, d = 2) => v.toLocaleString('vi-VN', { minimumFractionDigits: d, maximumFractionDigits: d });
