import maplibregl from './maplibre.js';
import { fmt } from './coords.js';
import { t } from './i18n.js';

// Where a report is sent from: a pin on the map. It stands at the map's centre and the map moves under it (as in
// ride-hailing apps, and easier on a phone than dragging a small pin); dragged, it stays where it was put; "Vị trí
// của tôi" puts it at the device's GPS fix. The accuracy sent is the fix's (the browser's 95 % radius,
// field-reports.md "Accuracy means different things") or, for a point put on the map, what a few pixels are at the
// map's zoom: a point picked on the ward's overview is no more precise than that.
const PICK_PX = 8;

export function reportPin(map, where) {
  let marker = null;
  let shown = false;
  let mode = 'centre';   // centre | pin (dragged) | gps
  let accuracy = null;   // metres; for centre, worked out when asked
  const metresPerPixel = () => (40075016.686 * Math.cos((map.getCenter().lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
  const onPick = () => Math.max(1, Math.round(PICK_PX * metresPerPixel()));
  const follow = () => { if (shown && mode === 'centre') { marker.setLngLat(map.getCenter()); say(); } };

  function say() {
    where.textContent = mode === 'gps' ? t(`Vị trí của bạn (GPS, ±${fmt(accuracy, 0)} m)`, `Your location (GPS, ±${fmt(accuracy, 0)} m)`)
      : mode === 'pin' ? t(`Vị trí: ghim đã đặt (±${fmt(accuracy, 0)} m; kéo để sửa)`, `Place: the pin as put (±${fmt(accuracy, 0)} m; drag to move it)`)
        : t(`Vị trí: ghim ở tâm bản đồ (±${fmt(onPick(), 0)} m; kéo bản đồ hoặc ghim)`, `Place: the pin at the map's centre (±${fmt(onPick(), 0)} m; move the map or the pin)`);
  }
  function place(lngLat, how, metres) {
    if (!marker) {
      marker = new maplibregl.Marker({ color: '#e65100', draggable: true });
      marker.getElement().classList.add('report-pin');
      marker.on('dragend', () => { mode = 'pin'; accuracy = onPick(); say(); });
      map.on('move', follow);
    }
    marker.setLngLat(lngLat).addTo(map);
    shown = true;
    mode = how;
    accuracy = metres;
    say();
  }

  return {
    /** Shows the pin at the map's centre, if it is not on the map already (the sender began a report). */
    show() { if (!shown) place(map.getCenter(), 'centre', null); },
    /** Asks the device where it is; the pin and the map go there. Resolves with a message when it cannot. */
    locate() {
      if (!navigator.geolocation) return Promise.resolve(t('Trình duyệt này không cho biết vị trí.', 'This browser cannot tell where it is.'));
      where.textContent = t('Đang lấy vị trí…', 'Finding your location…');
      return new Promise((resolve) => navigator.geolocation.getCurrentPosition((p) => {
        const at = [p.coords.longitude, p.coords.latitude];
        place(at, 'gps', Math.min(5000, Math.round(p.coords.accuracy * 10) / 10));
        map.jumpTo({ center: at, zoom: Math.max(map.getZoom(), 18) });
        resolve(null);
      }, (e) => {
        say();
        // Browsers give the position to https pages (and localhost) only: on the ward's plain-http intranet, the map.
        resolve(e.code === e.PERMISSION_DENIED
          ? (window.isSecureContext ? t('Chưa được phép dùng vị trí: cho phép trong trình duyệt, hoặc kéo bản đồ tới chỗ cần phản ánh.', 'Not allowed to use your location: allow it in the browser, or move the map to the place.')
            : t('Trình duyệt chỉ cho biết vị trí trên trang https: kéo bản đồ tới chỗ cần phản ánh.', 'Browsers give the location to https pages only: move the map to the place.'))
          : t('Không lấy được vị trí: thử lại, hoặc kéo bản đồ tới chỗ cần phản ánh.', 'Could not get your location: try again, or move the map to the place.'));
      }, { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 }));
    },
    /** Where the report goes and how sure that is, as the API takes it. */
    position() {
      const at = shown ? marker.getLngLat() : map.getCenter();
      return { lon: at.lng, lat: at.lat, accuracy_m: mode === 'centre' || !shown ? onPick() : accuracy, accuracy_source: mode === 'gps' ? 'browser-geolocation' : 'map' };
    },
    /** The report went: the pin goes, and the next one starts at the centre again. */
    clear() { marker?.remove(); shown = false; mode = 'centre'; accuracy = null; where.textContent = t('Vị trí: tâm bản đồ', 'Place: the map\'s centre'); },
  };
}
