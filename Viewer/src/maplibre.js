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
export default maplibregl;
