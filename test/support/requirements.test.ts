/**
 * The test-requirements mechanism end to end: a suite needing a tool this machine lacks is
 * skipped with the reason printed at the end of the run, and fails the run under CI=true.
 * Each case is a separate vitest process on the fixture suite in requirements-fixture/.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const config = fileURLToPath(new URL('./requirements-fixture/vitest.config.ts', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

function runFixture(ci: boolean): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.CI;
  if (ci) env.CI = 'true';
  return new Promise((resolve) => {
    execFile(process.execPath, [vitest, 'run', '--config', config], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

describe('suites that need what the machine lacks', () => {
  // Both runs at once: each is a cold vitest start.
  const runs = Promise.all([runFixture(false), runFixture(true)]);

  it('are skipped with the reason and how to get it, and the run passes', async () => {
    const [local] = await runs;
    expect(local.code, local.output).toBe(0);
    expect(local.output).toContain('Skipped 1 suite(s) this machine cannot run');
    expect(local.output).toContain('needs-tool.fixture.ts: definitely-not-installed is not installed; apt-get install -y definitely-not-installed');
    expect(local.output).toContain('Tests: 1 passed, 0 failed, 1 skipped');
  });

  it('fail the run under CI=true, naming what is missing', async () => {
    const [, ci] = await runs;
    expect(ci.code, ci.output).not.toBe(0);
    expect(ci.output).toContain('CI=true skips nothing');
    expect(ci.output).toContain('definitely-not-installed is not installed');
    expect(ci.output).not.toContain('Skipped 1 suite(s)');
  });
});
