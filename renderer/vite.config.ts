// Builds the renderer (the Vue app) into dist/web. The same output runs in Electron (served by the
// cvlab:// protocol) and in a browser (served by `npm run serve`), so paths are relative (base
// './') and nothing is fetched from the network: Monaco's workers are bundled as local files.
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [vue()],
  worker: { format: 'es' },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // Monaco's TypeScript worker alone is ~7 MB; that is expected, not a warning worth reading.
    chunkSizeWarningLimit: 12_000,
    sourcemap: false,
  },
});
