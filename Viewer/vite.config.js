import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// Two pages: the viewer (/) and the chromeless IOC widget (/widget). Everything is bundled: no CDN at run time.
export default defineConfig({
  base: '/',
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
