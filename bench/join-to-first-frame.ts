/**
 * Join latency: time from opening a meeting's join link in Chromium to the first decoded frame of a
 * remote participant's video, over repeated joins into a meeting where one participant publishes.
 *
 *   npm run build && node dist/bench/join-to-first-frame.js [joins=12]
 *
 * Each join is a fresh browser context (new device, no cached name): open link → pre-join screen →
 * type a name → Join now → first remote frame. Chromium, vconf and the SFU share this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, newParticipant } from '../tools/chromium.js';
import { createLogger, startServer } from '../src/server.js';

const joins = Number(process.argv[2] ?? 12);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vconf-bench-join-'));
  const server = await startServer(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      directoryFile: undefined,
      publicUrl: undefined,
      phoneNumbers: [],
      qpsLimit: 1000,
      logLevel: 'warn',
      rtcListenIp: '127.0.0.1',
      rtcAnnouncedIp: undefined,
      rtcPorts: [41000, 41999],
    },
    createLogger('warn'),
  );
  const browser = await launchBrowser();
  try {
    const demo = server.demo!;
    const post = async (path: string, body: object, token?: string) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { 'x-acs-dingtalk-access-token': token } : {}) },
        body: JSON.stringify(body),
      });
      return (await res.json()) as Record<string, string>;
    };
    const { accessToken } = await post('/v1.0/oauth2/accessToken', { appKey: demo.appKey, appSecret: demo.appSecret });
    const meeting = await post('/v1.0/conference/videoConferences', { userId: demo.users[0]!.unionId, confTitle: 'Join latency' }, accessToken);
    const link = meeting.externalLinkUrl!;

    const anchor = await newParticipant(browser);
    await anchor.page.goto(link);
    await anchor.page.getByTestId('display-name-input').fill('Anchor');
    await anchor.page.getByTestId('enter-room-button').click();
    await anchor.page.getByTestId('page-room').waitFor();

    const total: number[] = [];
    const afterClick: number[] = [];
    for (let i = 0; i < joins; i++) {
      const { context, page } = await newParticipant(browser);
      const opened = performance.now();
      await page.goto(link);
      await page.getByTestId('display-name-input').fill(`Joiner ${i + 1}`);
      const clicked = performance.now();
      await page.getByTestId('enter-room-button').click();
      await page.waitForFunction(
        () => [...document.querySelectorAll<HTMLVideoElement>('[data-testid="participant-tile"][data-local="false"] video')].some((v) => v.videoWidth > 0),
        undefined,
        { polling: 10, timeout: 15_000 },
      );
      const firstFrame = performance.now();
      total.push(firstFrame - opened);
      afterClick.push(firstFrame - clicked);
      await context.close();
    }
    const row = (name: string, values: number[]) => {
      const s = [...values].sort((a, b) => a - b);
      return `| ${name} | ${s.length} | ${percentile(s, 50).toFixed(0)} | ${percentile(s, 95).toFixed(0)} | ${s[0]!.toFixed(0)} | ${s[s.length - 1]!.toFixed(0)} |`;
    };
    console.log('| measure (ms) | joins | p50 | p95 | min | max |');
    console.log('|---|---|---|---|---|---|');
    console.log(row('open link → first remote frame', total));
    console.log(row('click "Join now" → first remote frame', afterClick));
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
