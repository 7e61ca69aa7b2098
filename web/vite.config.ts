import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The map application, built into static files that the service serves at `/`
 * (server/web/static.ts). `npm run dev:web` serves it with hot reload and hands API and tile
 * requests to a running service on :8080.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Map libraries are large by nature; the benchmark reports the real sizes.
    chunkSizeWarningLimit: 2048,
    sourcemap: true,
  },
  server: {
    proxy: Object.fromEntries(['/api', '/tiles', '/ogc'].map((p) => [p, 'http://127.0.0.1:8080'])),
  },
});
