/**
 * Build of the renderer as a plain web app (served by the WebSocket front door, loaded by
 * Electron from out/renderer, and driven by the end-to-end tests in Chromium).
 *
 *   npx vite build --config vite.web.config.ts    → out/renderer
 *   npx vite --config vite.web.config.ts          → dev server (no backend: point it at one)
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dev server of @vitejs/plugin-react injects an inline module script (the React Refresh
 * preamble) into index.html, which the production CSP (`script-src 'self'`) blocks. Relax the
 * CSP for `vite serve` only; production builds keep the strict policy from index.html.
 */
function devCspRelax(): Plugin {
  return {
    name: 'benchtop-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
    },
  };
}

export default defineConfig({
  root: resolve(here, 'src-renderer'),
  base: './',
  plugins: [react(), devCspRelax()],
  build: {
    outDir: resolve(here, 'out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod ships comments Rollup cannot place; harmless, and not ours to fix.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1' },
});
