import { execFile } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killStartedServers, REPO_ROOT, runCli, startCli, tempDir, type RunningCli } from './run-cli.js';
import { SEED_NODE_SAMPLE } from './seed-sample.js';

// Servers a failed assertion left running.
afterAll(() => killStartedServers());

interface Banner {
  appKey: string;
  appSecret: string;
  users: string;
  curl: string;
  sdk: string;
}

/** Picks the credentials and the two copy-paste examples out of the start-up banner. */
function readBanner(stdout: string): Banner {
  const field = (name: string) => new RegExp(`^  ${name}\\s+(.+)$`, 'm').exec(stdout)?.[1] ?? '';
  const block = (heading: string) => {
    const start = stdout.indexOf(heading);
    if (start < 0) return '';
    const rest = stdout.slice(start).split('\n').slice(1);
    const end = rest.findIndex((line) => line.trim() === '');
    return rest
      .slice(0, end < 0 ? undefined : end)
      .map((line) => line.replace(/^ {2}/, ''))
      .join('\n');
  };
  return {
    appKey: field('appKey'),
    appSecret: field('appSecret'),
    users: field('users'),
    curl: block('Create a meeting with curl:'),
    sdk: block("Or with DingTalk's official Node SDK"),
  };
}

/** Runs a program to completion; resolves with its output whatever the exit code. */
function run(file: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A scratch project directory that sees the repo's node_modules, like a user's after `npm i`. */
function scratchProject() {
  const t = tempDir('vconf-sample-');
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(t.dir, 'node_modules'), 'dir');
  return t;
}

async function accessToken(url: string, appKey: string, appSecret: string): Promise<string> {
  const res = await fetch(`${url}/v1.0/oauth2/accessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appKey, appSecret }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function queryConference(url: string, token: string, conferenceId: string) {
  const res = await fetch(`${url}/v1.0/conference/videoConferences/${conferenceId}`, {
    headers: { 'x-acs-dingtalk-access-token': token },
  });
  return { status: res.status, body: (await res.json()) as { confInfo?: { title: string; creatorId: string } } };
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('vconf serve on an empty data directory', () => {
  const data = tempDir('vconf-serve-');
  let server: RunningCli;
  let banner: Banner;

  beforeAll(async () => {
    server = await startCli(['serve', '--data', data.dir, '--port', '0']);
    banner = readBanner(server.stdout());
  });
  afterAll(async () => {
    if (server.proc.exitCode === null) await server.stop();
    data.remove();
  });

  it('prints the demo credentials and copy-paste examples for curl and the SDK', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(banner.appKey).toBe('dingdemo-app');
    expect(banner.appSecret).toMatch(/^\S{16,}$/);
    expect(banner.users).toBe('demo-alice (Alice), demo-bob (Bob), demo-carol (Carol)');
    expect(banner.curl).toContain(`curl -s ${server.url}/v1.0/oauth2/accessToken`);
    expect(banner.curl).toContain(banner.appSecret);
    expect(banner.curl).toContain(`${server.url}/v1.0/conference/videoConferences`);
    expect(banner.sdk).toContain('createVideoConferenceWithOptions');
    expect(banner.sdk).toContain(`endpoint: '${new URL(server.url).host}'`);
  });

  it('answers GET /healthz with 200', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('creates a meeting with the printed curl example, pasted as is', async () => {
    const { code, stdout, stderr } = await run('sh', ['-c', banner.curl], data.dir);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as { conferenceId: string; roomCode: string; externalLinkUrl: string };
    expect(body.conferenceId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(body.roomCode).toMatch(/^\d{11}$/);
    expect(body.externalLinkUrl.startsWith(`${server.url}/app?roomCode=${body.roomCode}&token=`)).toBe(true);
  });

  it('creates a meeting with the printed SDK example once the token is filled in', async () => {
    const token = await accessToken(server.url, banner.appKey, banner.appSecret);
    expect(banner.sdk).toContain("'<accessToken>'");
    const project = scratchProject();
    try {
      writeFileSync(join(project.dir, 'sample.mjs'), banner.sdk.replace('<accessToken>', token));
      const { code, stdout, stderr } = await run(process.execPath, ['sample.mjs'], project.dir);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout.trim()).toMatch(new RegExp(`^${server.url.replaceAll('.', '\\.')}/app\\?roomCode=\\d{11}&token=\\S+$`));
    } finally {
      project.remove();
    }
  });

  it("runs the seed page's Node.js sample with only endpoint/protocol and the token changed", async () => {
    // The sample's own ids must exist: add them to the demo organization while the server runs.
    const file = join(data.dir, 'seed-users.json');
    writeFileSync(
      file,
      JSON.stringify({
        orgs: [
          {
            corpId: 'dingdemo',
            name: 'vconf demo',
            users: [
              { unionId: '27SaQ3iiHLN0uwqcPisedfreNwiEiE', name: 'XXX' },
              { unionId: 'iSKzJxxxxx', name: 'Invitee' },
            ],
          },
        ],
      }),
    );
    const imported = await runCli(['directory', 'import', file, '--data', data.dir]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);

    const token = await accessToken(server.url, banner.appKey, banner.appSecret);
    const source = SEED_NODE_SAMPLE.replace('config.protocol = "https";', 'config.protocol = "http";')
      .replace('config.regionId = "central";', `config.regionId = "central";\n    config.endpoint = "${new URL(server.url).host}";`)
      .replace('"<your access token>"', JSON.stringify(token));
    expect(source).not.toBe(SEED_NODE_SAMPLE);
    // The sample is TypeScript written for CommonJS interop; compile it as its authors would.
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
    }).outputText;

    const project = scratchProject();
    try {
      writeFileSync(join(project.dir, 'sample.js'), js);
      // The sample prints nothing and swallows errors; this preload reports what the SDK call returned.
      writeFileSync(
        join(project.dir, 'observe.cjs'),
        `const conference = require('@alicloud/dingtalk/conference_1_0').default;
const call = conference.prototype.createVideoConferenceWithOptions;
conference.prototype.createVideoConferenceWithOptions = async function (...args) {
  try {
    const res = await call.apply(this, args);
    console.log('RESULT ' + JSON.stringify(res.body));
    return res;
  } catch (err) {
    console.log('ERROR ' + err.code + ' ' + err.statusCode + ' ' + err.message);
    throw err;
  }
};\n`,
      );
      const { code, stdout, stderr } = await run(process.execPath, ['-r', './observe.cjs', 'sample.js'], project.dir);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '));
      expect(line).toMatch(/^RESULT /);
      const body = JSON.parse(line!.slice('RESULT '.length)) as { conferenceId: string; roomCode: string };
      expect(body.conferenceId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(body.roomCode).toMatch(/^\d{11}$/);

      const found = await queryConference(server.url, token, body.conferenceId);
      expect(found.status).toBe(200);
      expect(found.body.confInfo).toMatchObject({ title: "XXX's video meeting", creatorId: '27SaQ3iiHLN0uwqcPisedfreNwiEiE' });
    } finally {
      project.remove();
    }
  });

  it('stops with exit code 0 on SIGTERM and keeps the demo credentials on the next start', async () => {
    const tokenBefore = await accessToken(server.url, banner.appKey, banner.appSecret);
    expect(await server.stop('SIGTERM')).toBe(0);
    const again = await startCli(['serve', '--data', data.dir, '--port', '0']);
    try {
      const second = readBanner(again.stdout());
      expect(second.appKey).toBe(banner.appKey);
      expect(second.appSecret).toBe(banner.appSecret);
      expect(second.users).toBe(banner.users);
      // Tokens survive the restart too: asking again returns the same one.
      expect(await accessToken(again.url, banner.appKey, banner.appSecret)).toBe(tokenBefore);
    } finally {
      expect(await again.stop('SIGTERM')).toBe(0);
    }
  });
});

describe('vconf serve options', () => {
  it('refuses --port abc with exit code 2 and a message naming the option', async () => {
    const data = tempDir('vconf-serve-');
    try {
      const { code, stdout, stderr } = await runCli(['serve', '--port', 'abc', '--data', data.dir]);
      expect(code).toBe(2);
      expect(stderr.trim()).toBe('vconf: --port must be an integer from 0 to 65535, got "abc"');
      expect(stdout).toBe('');
    } finally {
      data.remove();
    }
  });

  it('refuses an unknown flag with exit code 2 and no stack trace', async () => {
    const { code, stderr } = await runCli(['serve', '--prot', '8080']);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe("vconf: Unknown option '--prot'");
  });

  it('listens on the port given in VCONF_PORT', async () => {
    const data = tempDir('vconf-serve-');
    const port = await freePort();
    const server = await startCli(['serve', '--data', data.dir], { VCONF_PORT: String(port) });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
      data.remove();
    }
  });

  it('lets a flag win over its environment variable', async () => {
    const data = tempDir('vconf-serve-');
    const server = await startCli(['serve', '--data', data.dir, '--port', '0'], { VCONF_PORT: 'not-a-port' });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
      data.remove();
    }
  });

  it('prints usage, with every serve option and its variable, when run without arguments', async () => {
    const { code, stdout } = await runCli([]);
    expect(code).toBe(0);
    expect(stdout).toContain('vconf serve [options]');
    expect(stdout).toContain('vconf directory import FILE [--data DIR | --database URL]');
    for (const [flag, env] of [
      ['--port', 'VCONF_PORT'],
      ['--host', 'VCONF_HOST'],
      ['--data', 'VCONF_DATA'],
      ['--directory', 'VCONF_DIRECTORY'],
      ['--public-url', 'VCONF_PUBLIC_URL'],
    ]) {
      expect(stdout).toMatch(new RegExp(`${flag}\\s+${env}`));
    }
  });

  it('refuses an unknown command with exit code 2 and the usage', async () => {
    const { code, stderr } = await runCli(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "frobnicate"');
    expect(stderr).toContain('vconf serve [options]');
  });
});
