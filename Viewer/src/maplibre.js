// MapLibre GL JS 6 loads its web worker from a file beside its module; after bundling, tell it where
// Vite put that file (served from this server: no CDN).
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';

maplibregl.setWorkerUrl(new URL(workerUrl, location.href).href);
export default maplibregl;
