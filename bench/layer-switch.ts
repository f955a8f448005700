/**
 * Layer switching under a bandwidth drop: how long a viewer whose downlink falls to 300 kbit/s keeps
 * receiving the top simulcast layer before the SFU moves it to one that fits, and how long it takes
 * to climb back once the link is free again.
 *
 *   npm run build && node dist/bench/layer-switch.js [drops=5]     (root: network namespaces and tc)
 *
 * vconf listens on 10.123.250.1; the publisher's Chromium runs here, the viewer's inside a network
 * namespace behind a veth pair. Each round: wait until the viewer decodes ≥ 540p, add a 300 kbit/s tbf
 * qdisc on the viewer's downlink, time until its decoded height is ≤ 360 ("down"); remove the qdisc,
 * time until it is ≥ 540 again ("up"). Heights are read from the page's <video> every 50 ms.
 */
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { launchBrowser, newParticipant } from '../tools/chromium.js';
import { demoMeetingLink, startBenchServer } from './support/demo-meeting.js';
import { ip, TestNetworks } from '../test/support/netns.js';

const drops = Number(process.argv[2] ?? 5);
const SERVER = '10.123.250.1';
const VIEWER = '10.123.250.2';

async function until(read: () => Promise<number>, ok: (h: number) => boolean, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (ok(await read())) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no switch within ${timeoutMs} ms`);
}

function summary(name: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${name}: median ${Math.round(median)} ms, min ${Math.round(sorted[0]!)} ms, max ${Math.round(sorted[sorted.length - 1]!)} ms (${ms.map((m) => Math.round(m)).join(', ')})`;
}

async function main(): Promise<void> {
  const nets = new TestNetworks();
  const ns = nets.namespace('layers');
  const { ifA } = nets.link(undefined, `${SERVER}/24`, ns, `${VIEWER}/24`, 'L');
  ip('-n', ns, 'route', 'add', 'default', 'via', SERVER);
  const { server, close: closeServer } = await startBenchServer('layers', { host: SERVER, rtcPorts: [42000, 42999] });
  const args = [`--unsafely-treat-insecure-origin-as-secure=${server.url}`];
  const here = await launchBrowser({ args });
  const there = await launchBrowser({ executablePath: nets.chromiumIn(ns), args });
  const limit = (on: boolean) => execFileSync('tc', on ? ['qdisc', 'add', 'dev', ifA, 'root', 'tbf', 'rate', '300kbit', 'burst', '16kb', 'latency', '400ms'] : ['qdisc', 'del', 'dev', ifA, 'root'], { stdio: 'ignore' });
  try {
    const link = await demoMeetingLink(server, 'Layer switching');
    const enter = async (page: Page, name: string, camera: boolean) => {
      await page.goto(link);
      await page.getByTestId('display-name-input').fill(name);
      if (!camera) {
        await page.getByTestId('camera-toggle').click();
        await page.getByTestId('mic-toggle').click();
      }
      await page.getByTestId('enter-room-button').click();
      await page.getByTestId('page-room').waitFor();
    };
    const publisher = (await newParticipant(here, { viewport: { width: 640, height: 480 } })).page;
    await enter(publisher, 'Publisher', true);
    const viewer = (await newParticipant(there, { viewport: { width: 1280, height: 800 } })).page;
    await enter(viewer, 'Viewer', false);
    await viewer.locator('[data-testid="participant-tile"][data-local="false"] [data-testid="pin-tile"]').click({ force: true });
    const height = () => viewer.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="participant-tile"][data-local="false"] video')?.videoHeight ?? 0);
    const down: number[] = [];
    const up: number[] = [];
    for (let i = 0; i < drops; i++) {
      await until(height, (h) => h >= 540, 90_000);
      // A few seconds at the top layer, so the estimate is settled there.
      await new Promise((r) => setTimeout(r, 3_000));
      limit(true);
      down.push(await until(height, (h) => h > 0 && h <= 360, 30_000));
      await new Promise((r) => setTimeout(r, 3_000));
      limit(false);
      up.push(await until(height, (h) => h >= 540, 90_000));
      console.log(`round ${i + 1}: down ${Math.round(down[i]!)} ms, back up ${Math.round(up[i]!)} ms`);
    }
    console.log(summary('to a lower layer after the drop to 300 kbit/s', down));
    console.log(summary('back to ≥ 540p after the link is freed', up));
  } finally {
    try {
      limit(false);
    } catch {
      // no qdisc left
    }
    await here.close();
    await there.close();
    await closeServer();
    nets.close();
  }
}

await main();
