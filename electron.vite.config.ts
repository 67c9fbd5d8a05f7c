import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

// The Electron build: main (core + electron door), preload (sandboxed: CommonJS), renderer.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    // The replayer's worker thread is its own entry: main.ts hands its built path to the core.
    build: { rollupOptions: { input: { index: resolve(root, 'src-main/electron/main.ts'), 'replay-injector': resolve(root, 'src-main/core/replay/injector-worker.ts') } } },
  },
  preload: {
    // A sandboxed preload cannot require() packages: bundle everything it uses.
    build: {
      rollupOptions: {
        input: { index: resolve(root, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react()],
    build: { rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } } },
  },
});
