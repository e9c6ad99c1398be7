// MapLibre GL JS 6 loads its web worker from a file beside its module; after bundling, tell it where
// Vite put that file (served from this server: no CDN).
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';

maplibregl.setWorkerUrl(new URL(workerUrl, location.href).href);
// MapLibre starts its workers (one; on Safari up to three) with `new Worker(url)` when its worker pool starts
// (prewarm() here, else with the first map). The page's inline script started one early (index.html): the pool
// is handed that one first.
const started = window.wardmapWorker;
if (started) {
  const NativeWorker = globalThis.Worker;
  let handed = false;
  globalThis.Worker = function Worker(...args) {
    if (handed) return new NativeWorker(...args);
    handed = true;
    return started;
  };
  try { maplibregl.prewarm(); } finally { globalThis.Worker = NativeWorker; }
}

/**
 * One frame less each time labelled tiles arrive. With fadeDuration 0 (both pages) MapLibre places every label
 * afresh in each frame, yet marks the placement it has just made "stale" when that frame brought new labelled
 * tiles, and a stale placement asks for one more frame that places and draws the same again (Style's
 * _updatePlacement, MapLibre 6.17 to 6.20). A browser drawing in software (no GPU: headless, a wall screen's
 * mini PC) spends 0.1-0.4 s on that frame, and the first map is not done until it is. With fadeDuration 0 the
 * next frame places afresh anyway, so a finished placement's staleness asks for nothing: it is dropped.
 * MapLibre's internals: ViewerTests checks that the first map goes idle in the frame that completed it.
 */
export function withoutRepeatedFrames(map) {
  const style = Object.getPrototypeOf(map.style ?? {});
  if (typeof style._updatePlacement !== 'function' || style._updatePlacement.wardmap) return;
  const updatePlacement = style._updatePlacement;
  style._updatePlacement = function (...args) {
    const again = updatePlacement.apply(this, args);
    if (!again || this.map?._fadeDuration !== 0 || !this.pauseablePlacement?.isDone() || !this.placement?.stale) return again;
    this.placement.stale = false;
    return false;
  };
  style._updatePlacement.wardmap = true;
}

export default maplibregl;
