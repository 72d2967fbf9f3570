import { defineConfig } from 'vite';

/**
 * The dashboard builds to static files in web/dist, served by `aibridge server` at `/`. JSX is compiled
 * for Preact by Vite's own transformer (no Babel); `npm run dev -w web` proxies the API to a local server.
 */
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/api': process.env.AIBRIDGE_URL ?? 'http://127.0.0.1:8080' },
  },
});
