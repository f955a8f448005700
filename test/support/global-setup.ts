import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SKIPS_FILE_ENV } from './requirements.js';

/** Gives the run one file where suites record why they were skipped (read by summary-reporter.ts). */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'vconf-skips-'));
  process.env[SKIPS_FILE_ENV] = join(dir, 'skips.jsonl');
  return () => rmSync(dir, { recursive: true, force: true });
}
