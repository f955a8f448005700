import { existsSync, readFileSync } from 'node:fs';
import type { Reporter, RunnerTestFile, RunnerTask } from 'vitest';
import { SKIPS_FILE_ENV } from './requirements.js';

/** The suites skipped because the machine lacks something, as test/support/requirements.ts recorded them. */
function skippedSuites(): string[] {
  const file = process.env[SKIPS_FILE_ENV];
  if (!file || !existsSync(file)) return [];
  const bySuite = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const { suite, reasons } = JSON.parse(line) as { suite: string; reasons: string[] };
    bySuite.set(suite, reasons);
  }
  return [...bySuite].sort().map(([suite, reasons]) => `  ${suite}: ${reasons.join('; ')}`);
}

/** Ends the run with one plain line, `Tests: N passed, N failed`, that CI tooling can read. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const visit = (task: RunnerTask): void => {
      if (task.type === 'suite') {
        task.tasks.forEach(visit);
        // A suite that failed in a hook has no failing test of its own: count it so it is not lost.
        if (task.result?.state === 'fail' && !task.tasks.some((t) => t.result?.state === 'fail')) failed++;
        return;
      }
      const state = task.result?.state;
      if (state === 'pass') passed++;
      else if (state === 'fail') failed++;
      else skipped++;
    };
    files.forEach(visit);
    const skips = skippedSuites();
    if (skips.length > 0) {
      process.stdout.write(`\nSkipped ${skips.length} suite(s) this machine cannot run (with CI=true they fail instead):\n${skips.join('\n')}\n`);
    }
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
