/**
 * Two-way join latency: how long until the person already in the room and a newcomer both decode
 * each other's video, over repeated joins into a meeting where one participant publishes.
 *
 *   npm run build && node dist/bench/two-way-join.js [joins=20]
 *
 * Each join is a fresh browser context (new device, no cached name): open link → pre-join screen →
 * type a name → Join now; then both pages are polled (every 10 ms) until each has a remote tile whose
 * <video> shows a decoded frame. Reported: link opened → both decoding, Join clicked → both decoding,
 * and the two one-way times (the newcomer sees the anchor; the anchor sees the newcomer) after the
 * click, plus how many `subscribe-offer`s reached the anchor during the join. Chromium, vconf and
 * the SFU share this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, newParticipant } from '../tools/chromium.js';
import { createLogger, startServer } from '../src/server.js';
import { machineInfo } from './support/machine.js';

const joins = Number(process.argv[2] ?? 20);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Resolves with the bench clock's time once the page decodes a remote participant's video. */
async function decodingRemote(page: Page): Promise<number> {
  await page.waitForFunction(
    () => [...document.querySelectorAll<HTMLVideoElement>('[data-testid="participant-tile"][data-local="false"] video')].some((v) => v.videoWidth > 0),
    undefined,
    { polling: 10, timeout: 20_000 },
  );
  return performance.now();
}

/** Counts the `subscribe-offer` frames the page's room socket receives (the page itself is unchanged). */
async function countOffers(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __offers: number };
    w.__offers = 0;
    const Original = window.WebSocket;
    window.WebSocket = class extends Original {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (e: MessageEvent) => {
          if (typeof e.data === 'string' && e.data.includes('"subscribe-offer"')) w.__offers++;
        });
      }
    };
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vconf-bench-two-way-'));
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
    const meeting = await post('/v1.0/conference/videoConferences', { userId: demo.users[0]!.unionId, confTitle: 'Two-way join' }, accessToken);
    const link = meeting.externalLinkUrl!;

    const anchor = await newParticipant(browser);
    await countOffers(anchor.page);
    await anchor.page.goto(link);
    await anchor.page.getByTestId('display-name-input').fill('Anchor');
    await anchor.page.getByTestId('enter-room-button').click();
    await anchor.page.getByTestId('page-room').waitFor();
    const remoteTiles = () => anchor.page.locator('[data-testid="participant-tile"][data-local="false"]').count();

    const total: number[] = [];
    const afterClick: number[] = [];
    const newcomerSees: number[] = [];
    const anchorSees: number[] = [];
    const offers: number[] = [];
    for (let i = 0; i < joins; i++) {
      // The previous newcomer has gone from the anchor's grid, and its renegotiations have settled.
      while ((await remoteTiles()) > 0) await anchor.page.waitForTimeout(50);
      await anchor.page.waitForTimeout(300);
      const offersBefore = await anchor.page.evaluate(() => (window as unknown as { __offers: number }).__offers);
      const { context, page } = await newParticipant(browser);
      const opened = performance.now();
      await page.goto(link);
      await page.getByTestId('display-name-input').fill(`Joiner ${i + 1}`);
      const clicked = performance.now();
      await page.getByTestId('enter-room-button').click();
      const [joinerAt, anchorAt] = await Promise.all([decodingRemote(page), decodingRemote(anchor.page)]);
      const both = Math.max(joinerAt, anchorAt);
      total.push(both - opened);
      afterClick.push(both - clicked);
      newcomerSees.push(joinerAt - clicked);
      anchorSees.push(anchorAt - clicked);
      offers.push((await anchor.page.evaluate(() => (window as unknown as { __offers: number }).__offers)) - offersBefore);
      await context.close();
    }
    const row = (name: string, values: number[]) => {
      const s = [...values].sort((a, b) => a - b);
      return `| ${name} | ${s.length} | ${percentile(s, 50).toFixed(0)} | ${percentile(s, 95).toFixed(0)} | ${s[0]!.toFixed(0)} | ${s[s.length - 1]!.toFixed(0)} |`;
    };
    console.log(JSON.stringify(machineInfo()));
    console.log('| measure (ms) | joins | p50 | p95 | min | max |');
    console.log('|---|---|---|---|---|---|');
    console.log(row('open link → both decoding each other', total));
    console.log(row('click "Join now" → both decoding each other', afterClick));
    console.log(row('click → newcomer decodes the anchor', newcomerSees));
    console.log(row('click → anchor decodes the newcomer', anchorSees));
    console.log(`subscribe-offers the anchor received per join (until both decode; top-ups may follow): ${offers.join(' ')}`);
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
