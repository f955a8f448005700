/**
 * Failover time: three `vconf serve` instances on one PostgreSQL and Redis, two Chromium pages in
 * one meeting entering through different instances; the instance hosting the room is killed with
 * SIGKILL, and the time until both pages decode video and receive audio again on new peer
 * connections is measured. The killed instance is started again before the next kill, so every
 * kill finds three instances.
 *
 *   npm run build && node dist/bench/failover.js [kills=6]
 *
 * Needs PostgreSQL (VCONF_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test), Redis
 * (VCONF_TEST_REDIS) and Chromium (CHROMIUM_PATH). Everything runs on this machine, on loopback.
 */
import type { Page } from 'playwright-core';
import { startInstances } from '../tools/cluster.js';
import { inboundTotals, launchBrowser, newParticipant, peerConnectionCount } from '../tools/chromium.js';
import { machineInfo } from './support/machine.js';

const kills = Number(process.argv[2] ?? 6);
const APP = { appKey: 'bench-app', appSecret: 'bench-secret' };
const directory = {
  orgs: [
    {
      corpId: 'dingbench',
      name: 'Bench Corp',
      users: [{ unionId: 'bench-host', userId: 'host', name: 'Bench Host', canCreateMeetings: true }],
      apps: [{ ...APP, scopes: ['VideoConference.Conference.Write', 'VideoConference.Conference.Read'] }],
    },
  ],
  suites: [],
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Both pages decode video (frames advancing) and receive audio on connections made after `marks`. */
async function mediaBack(pages: Page[], marks: number[]): Promise<void> {
  await Promise.all(
    pages.map(async (page, i) => {
      const first = await until(() => inboundTotals(page, marks[i]), (t) => t.videoStreams >= 1 && t.audioStreams >= 1, 30_000);
      await until(() => inboundTotals(page, marks[i]), (t) => t.framesDecoded > first.framesDecoded, 10_000);
    }),
  );
}

async function main(): Promise<void> {
  console.log(JSON.stringify(machineInfo()));
  const cluster = await startInstances({ count: 3, directory });
  const browser = await launchBrowser();
  try {
    const post = async (path: string, body: object, token?: string) => {
      const res = await fetch(`${cluster.balancer.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { 'x-acs-dingtalk-access-token': token } : {}) },
        body: JSON.stringify(body),
      });
      return (await res.json()) as Record<string, string>;
    };
    const { accessToken } = await post('/v1.0/oauth2/accessToken', APP);
    const meeting = await post('/v1.0/conference/videoConferences', { userId: 'bench-host', confTitle: 'Failover' }, accessToken);
    const link = new URL(meeting.externalLinkUrl!);
    const pages: Page[] = [];
    for (const [name, index] of [['Ann', 0], ['Ben', 1]] as const) {
      const entry = await cluster.entryThrough(index);
      const { page } = await newParticipant(browser);
      await page.goto(`${entry.url}${link.pathname}${link.search}`);
      await page.getByTestId('display-name-input').fill(name);
      await page.getByTestId('enter-room-button').click();
      await page.getByTestId('page-room').waitFor();
      pages.push(page);
    }
    await mediaBack(pages, [0, 0]);

    const times: number[] = [];
    for (let k = 0; k < kills; k++) {
      const hostId = await until(() => cluster.roomHost(meeting.conferenceId!), (h) => h !== undefined, 10_000);
      const host = cluster.list.find((i) => i.id === hostId)!;
      const marks = await Promise.all(pages.map((p) => peerConnectionCount(p)));
      const killed = performance.now();
      host.proc.kill('SIGKILL');
      await mediaBack(pages, marks);
      const ms = performance.now() - killed;
      times.push(ms);
      console.log(`kill ${k + 1}: ${hostId} → media back on both pages in ${ms.toFixed(0)} ms`);
      await host.exited;
      await host.restart();
      // Let the pages settle on their new host before the next kill.
      await new Promise((r) => setTimeout(r, 3000));
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log('| kills | p50 (ms) | p95 (ms) | min | max |');
    console.log('|---|---|---|---|---|');
    console.log(`| ${sorted.length} | ${percentile(sorted, 50).toFixed(0)} | ${percentile(sorted, 95).toFixed(0)} | ${sorted[0]!.toFixed(0)} | ${sorted[sorted.length - 1]!.toFixed(0)} |`);
  } finally {
    await browser.close();
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
