import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/domain/passwords.js';
import { CLI, cliEnv, killStartedServers, REPO_ROOT, runCli, startCli, tempDir } from './run-cli.js';

afterAll(() => killStartedServers());

/** Runs the built `vconf args…` with `input` on stdin. */
function runWithInput(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { env: cliEnv(), cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
    proc.stdin.end(input);
  });
}

describe('vconf user', () => {
  it('password: prints a salted scrypt hash of stdin; the same password hashes differently each time', async () => {
    const a = await runWithInput(['user', 'password', 'uX'], 'correct horse battery\n');
    const b = await runWithInput(['user', 'password', 'uX'], 'correct horse battery\n');
    expect(a.code).toBe(0);
    const hash = /^"passwordHash": "(scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+)"\n$/.exec(a.stdout)?.[1];
    expect(hash).toBeDefined();
    expect(verifyPassword('correct horse battery', hash!)).toBe(true);
    expect(verifyPassword('correct horse battery\n', hash!)).toBe(false);
    expect(b.stdout).not.toBe(a.stdout);
    const short = await runWithInput(['user', 'password', 'uX'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 8/);
  });

  it('link: a one-time link that a running server honours once; the password from the directory file works', async () => {
    const data = tempDir('vconf-user-');
    try {
      const hashed = await runWithInput(['user', 'password', 'u1'], 'pass-for-u1\n');
      const file = join(data.dir, 'dir.json');
      const line = JSON.parse(`{${hashed.stdout.trim()}}`) as { passwordHash: string };
      writeFileSync(file, JSON.stringify({ orgs: [{ corpId: 'dingone', name: 'One', users: [{ unionId: 'u1', name: 'Una', ...line }] }] }));
      expect((await runCli(['directory', 'import', file, '--data', data.dir])).code).toBe(0);

      const unknown = await runCli(['user', 'link', 'nobody', '--data', data.dir]);
      expect(unknown.code).toBe(2);
      const made = await runCli(['user', 'link', 'u1', '--data', data.dir, '--public-url', 'https://meet.example.com']);
      expect(made.code).toBe(0);
      const link = /^https:\/\/meet\.example\.com\/signin\?token=([A-Za-z0-9_-]{32})\n$/.exec(made.stdout);
      expect(link).not.toBeNull();

      const server = await startCli(['serve', '--data', data.dir, '--port', '0']);
      try {
        const first = await fetch(`${server.url}/signin?token=${link![1]}`, { redirect: 'manual' });
        expect(first.headers.get('location')).toBe('/me');
        const cookie = /vconf_session=[^;]+/.exec(first.headers.get('set-cookie') ?? '')![0];
        expect(await (await fetch(`${server.url}/api/me`, { headers: { cookie } })).json()).toMatchObject({ unionId: 'u1', name: 'Una', corpId: 'dingone' });
        const second = await fetch(`${server.url}/signin?token=${link![1]}`, { redirect: 'manual' });
        expect(second.headers.get('location')).toBe('/signin?link=invalid');
        const signin = await fetch(`${server.url}/api/signin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ unionId: 'u1', password: 'pass-for-u1' }),
        });
        expect(signin.status).toBe(200);
      } finally {
        await server.stop();
      }
    } finally {
      data.remove();
    }
  });
});
