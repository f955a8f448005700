import type { Reporter, RunnerTestFile, RunnerTask } from 'vitest';

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
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
