import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The project's setup and reporter, on the one fixture suite of this directory.
export default defineConfig({
  // Vitest's cache would otherwise land in node_modules/ under this directory.
  cacheDir: join(tmpdir(), 'vconf-requirements-fixture'),
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.fixture.ts'],
    pool: 'forks',
    globalSetup: [fileURLToPath(new URL('../global-setup.ts', import.meta.url))],
    reporters: ['default', fileURLToPath(new URL('../summary-reporter.ts', import.meta.url))],
  },
});
