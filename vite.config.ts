import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** Where the page finds the segmentation model (web/src/media/background/segmenter.ts uses the same path). */
const SEGMENTATION_PATH = 'vendor/selfie-segmentation/';

/**
 * What background blur needs from @mediapipe/selfie_segmentation, shipped as-is inside the bundle so
 * the browser fetches it from vconf's own origin: the loader script, the graph, the landscape model
 * (made for video calls, 144x256 input) and the wasm runtime with its glue (SIMD build, and the plain
 * build the loader falls back to on browsers without wasm SIMD).
 */
const SEGMENTATION_FILES = [
  'selfie_segmentation.js',
  'selfie_segmentation.binarypb',
  'selfie_segmentation_landscape.tflite',
  'selfie_segmentation_solution_simd_wasm_bin.js',
  'selfie_segmentation_solution_simd_wasm_bin.wasm',
  'selfie_segmentation_solution_wasm_bin.js',
  'selfie_segmentation_solution_wasm_bin.wasm',
];

function selfieSegmentationAssets(): Plugin {
  const packageDir = dirname(createRequire(import.meta.url).resolve('@mediapipe/selfie_segmentation/package.json'));
  const types: Record<string, string> = { js: 'text/javascript', wasm: 'application/wasm' };
  return {
    name: 'vconf-selfie-segmentation-assets',
    // Build: the files go under dist/web/vendor/selfie-segmentation/ with their own names (the loader
    // asks for them by name through locateFile, so no content hash).
    generateBundle() {
      for (const file of SEGMENTATION_FILES) {
        this.emitFile({ type: 'asset', fileName: SEGMENTATION_PATH + file, source: readFileSync(join(packageDir, file)) });
      }
    },
    // `vite` dev server: the same path, straight from node_modules.
    configureServer(server) {
      server.middlewares.use('/' + SEGMENTATION_PATH, (req, res, next) => {
        const file = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
        if (!SEGMENTATION_FILES.includes(file)) return next();
        res.setHeader('content-type', types[file.split('.').pop()!] ?? 'application/octet-stream');
        res.end(readFileSync(join(packageDir, file)));
      });
    },
  };
}

// The meeting-room front end: web/ is built into dist/web and served by the vconf process itself
// (index.html for /app and /join, player.html for recordings, hashed files under /assets/, the
// segmentation model under /vendor/).
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  publicDir: false,
  plugins: [selfieSegmentationAssets()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Background pictures stay files (cached, and the same kind of request as the model), never data: URLs.
    assetsInlineLimit: (file) => (file.includes('/media/background/images/') ? false : undefined),
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
