import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The meeting-room front end: web/ is built into dist/web and served by the vconf process itself
// (index.html for /app and /join, player.html for recordings, hashed files under /assets/).
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // No source maps in the build: production serves none (docs/security.md).
    sourcemap: false,
    // Two pages: the app, and the recording player (hls.js only loads there).
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./web/index.html', import.meta.url)),
        player: fileURLToPath(new URL('./web/player.html', import.meta.url)),
      },
    },
  },
});
