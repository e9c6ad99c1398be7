import { defineConfig } from 'vite';
import { resolve, join } from 'node:path';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

// Brotli and gzip copies beside each bundle (x.js.br, x.js.gz), made once at build time: GisServer sends the
// one the browser accepts, so a ward's intranet carries ~0.4 MB for the first map instead of 1.8 MB.
const precompress = () => {
  let dir;
  return {
    name: 'wardmap-precompress',
    apply: 'build',
    // Where this build writes (`vite build --outDir …` too), not always dist/.
    configResolved(config) { dir = resolve(config.root, config.build.outDir, config.build.assetsDir); },
    closeBundle() {
      for (const name of readdirSync(dir).filter((n) => /\.(m?js|css)$/.test(n))) {
        const data = readFileSync(join(dir, name));
        writeFileSync(join(dir, `${name}.br`), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
        writeFileSync(join(dir, `${name}.gz`), gzipSync(data, { level: 9 }));
      }
    },
  };
};

// The pages start MapLibre's worker from an inline script, before any bundle has run (index.html): it needs
// the worker file's hashed name, known once the bundle is written.
const workerUrlInHtml = () => ({
  name: 'wardmap-worker-url',
  transformIndexHtml: {
    order: 'post',
    handler(html, ctx) {
      if (!ctx.bundle) return html.replaceAll('%MAPLIBRE_WORKER%', '/node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs');   // vite dev
      const file = Object.keys(ctx.bundle).find((n) => /maplibre-gl-worker-.*\.mjs$/.test(n));
      if (!file) throw new Error('the MapLibre worker is not in the bundle (src/maplibre.js imports it)');
      return html.replaceAll('%MAPLIBRE_WORKER%', `/${file}`);
    },
  },
});

// Two pages: the viewer (/) and the chromeless IOC widget (/widget). Everything is bundled: no CDN at run time.
export default defineConfig({
  base: '/',
  plugins: [precompress(), workerUrlInHtml()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    target: 'es2022',   // top-level await (main.js waits for the style index.html fetched early); MapLibre needs WebGL 2 anyway
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, 'index.html'), widget: resolve(import.meta.dirname, 'widget.html') },
    },
  },
});
