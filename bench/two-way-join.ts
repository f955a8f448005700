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
import type { Page } from 'playwright-core';
import { launchBrowser, newParticipant } from '../tools/chromium.js';
import { demoMeetingLink, startBenchServer } from './support/demo-meeting.js';
import { percentile, printLatencyTable } from './support/latency-table.js';
import { machineInfo } from './support/machine.js';

const joins = Number(process.argv[2] ?? 20);

/** Resolves with the bench clock's time once the page decodes a remote participant's video. */
async function decodingRemote(page: Page): Promise<number> {
  await page.waitForFunction(
    () => [...document.querySelectorAll<HTMLVideoElement>('[data-testid="participant-tile"][data-local="false"] video')].some((v) => v.videoWidth > 0),
    undefined,
    { polling: 10, timeout: 20_000 },
  );
  return performance.now();
}

/**
 * Records, in the page, when room frames come and go and when its peer connections connect (epoch
 * ms), and counts `subscribe-offer`s; the page itself is unchanged (the socket and the connection
 * classes are wrapped).
 */
async function instrument(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __offers: number; __events: Array<[string, number]> };
    w.__offers = 0;
    w.__events = [];
    const mark = (what: string) => w.__events.push([what, Date.now()]);
    const typeOf = (data: unknown) => (typeof data === 'string' ? (/"type":"([^"]+)"/.exec(data)?.[1] ?? '?') : '?');
    document.addEventListener('submit', () => mark('form submitted'), true);
    const OriginalSocket = window.WebSocket;
    window.WebSocket = class extends OriginalSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        mark('socket created');
        this.addEventListener('open', () => mark('socket open'));
        this.addEventListener('message', (e: MessageEvent) => {
          const type = typeOf(e.data);
          if (type === 'subscribe-offer') w.__offers++;
          mark(`← ${type}`);
        });
      }
      override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
        mark(`→ ${typeOf(data)}`);
        super.send(data);
      }
    };
    // The page's upstream offers first, its downstream is offered to; a data channel marks the ICE warm-up.
    const roles = new WeakMap<RTCPeerConnection, string>();
    const role = (pc: RTCPeerConnection) => roles.get(pc) ?? 'connection';
    const proto = RTCPeerConnection.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const wrap = (method: string, name: string, then?: (pc: RTCPeerConnection) => void) => {
      const original = proto[method]!;
      proto[method] = function (this: RTCPeerConnection, ...args: unknown[]) {
        if (!roles.has(this)) roles.set(this, name);
        then?.(this);
        return original.apply(this, args);
      };
    };
    wrap('createDataChannel', 'warm-up');
    wrap('createOffer', 'upstream', (pc) => mark(`${role(pc)} createOffer`));
    wrap('setRemoteDescription', 'downstream');
    const OriginalPc = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends OriginalPc {
      constructor(config?: RTCConfiguration) {
        super(config);
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'connected') mark(`${role(this)} connected`);
        });
        this.addEventListener('icegatheringstatechange', () => mark(`${role(this)} gathering ${this.iceGatheringState}`));
        this.addEventListener('icecandidate', (e) => mark(`${role(this)} ${e.candidate ? 'a candidate' : 'null candidate'}`));
        this.addEventListener('signalingstatechange', () => mark(`${role(this)} ${this.signalingState}`));
      }
    };
  });
}

type Events = Array<[string, number]>;
const eventsOf = (page: Page): Promise<Events> => page.evaluate(() => (window as unknown as { __events: Events }).__events);

async function main(): Promise<void> {
  const { server, close: closeServer } = await startBenchServer('two-way');
  const browser = await launchBrowser();
  try {
    const link = await demoMeetingLink(server, 'Two-way join');

    const anchor = await newParticipant(browser);
    await instrument(anchor.page);
    await anchor.page.goto(link);
    await anchor.page.getByTestId('display-name-input').fill('Anchor');
    await anchor.page.getByTestId('enter-room-button').click();
    await anchor.page.getByTestId('page-room').waitFor();
    const remoteTiles = () => anchor.page.locator('[data-testid="participant-tile"][data-local="false"]').count();

    const total: number[] = [];
    const afterClick: number[] = [];
    const afterPageClick: number[] = [];
    const newcomerSees: number[] = [];
    const anchorSees: number[] = [];
    const offers: number[] = [];
    /** Per event name: ms after the click, each join's first occurrence (newcomer's page, then the anchor's). */
    const steps = new Map<string, number[]>();
    const step = (name: string, ms: number) => steps.set(name, [...(steps.get(name) ?? []), ms]);
    for (let i = 0; i < joins; i++) {
      // The previous newcomer has gone from the anchor's grid, and its renegotiations have settled.
      while ((await remoteTiles()) > 0) await anchor.page.waitForTimeout(50);
      await anchor.page.waitForTimeout(300);
      const offersBefore = await anchor.page.evaluate(() => (window as unknown as { __offers: number }).__offers);
      const { context, page } = await newParticipant(browser);
      await instrument(page);
      const anchorEventsBefore = (await eventsOf(anchor.page)).length;
      const opened = performance.now();
      await page.goto(link);
      await page.getByTestId('display-name-input').fill(`Joiner ${i + 1}`);
      const clicked = performance.now();
      const clickedAt = Date.now();
      await page.getByTestId('enter-room-button').click();
      const [joinerAt, anchorAt] = await Promise.all([decodingRemote(page), decodingRemote(anchor.page)]);
      const both = Math.max(joinerAt, anchorAt);
      total.push(both - opened);
      afterClick.push(both - clicked);
      newcomerSees.push(joinerAt - clicked);
      anchorSees.push(anchorAt - clicked);
      offers.push((await anchor.page.evaluate(() => (window as unknown as { __offers: number }).__offers)) - offersBefore);
      const firsts = (events: Events, who: string) => {
        const seen = new Set<string>();
        for (const [what, at] of events) {
          if (at < clickedAt || seen.has(what)) continue;
          seen.add(what);
          step(`${who}: ${what}`, at - clickedAt);
        }
      };
      const newcomerEvents = await eventsOf(page);
      // The click as the page sees it (its form's submit event, same clock): Playwright's click() first
      // waits for the button to be actionable and round-trips mouse events over CDP, which no person does.
      const submitAt = newcomerEvents.find(([what, at]) => what === 'form submitted' && at >= clickedAt)?.[1];
      if (submitAt !== undefined) afterPageClick.push(clickedAt + (both - clicked) - submitAt);
      firsts(newcomerEvents, 'newcomer');
      firsts((await eventsOf(anchor.page)).slice(anchorEventsBefore), 'anchor');
      step('newcomer: decodes the anchor', joinerAt - clicked);
      step('anchor: decodes the newcomer', anchorAt - clicked);
      await context.close();
    }
    console.log(JSON.stringify(machineInfo()));
    printLatencyTable([
      ['open link → both decoding each other', total],
      ['click "Join now" → both decoding each other', afterClick],
      ['the page\'s click event (submit) → both decoding each other', afterPageClick],
      ['click → newcomer decodes the anchor', newcomerSees],
      ['click → anchor decodes the newcomer', anchorSees],
    ]);
    console.log('\nmedian ms after the click of each step (first occurrence per join; n = joins where it happened):');
    const ordered = [...steps].map(([name, values]) => [name, [...values].sort((a, b) => a - b)] as const).sort((a, b) => percentile(a[1], 50) - percentile(b[1], 50));
    for (const [name, values] of ordered) console.log(`  ${percentile(values, 50).toFixed(0).padStart(6)}  ${name} (n=${values.length})`);
    console.log(`subscribe-offers the anchor received per join (until both decode; top-ups may follow): ${offers.join(' ')}`);
  } finally {
    await browser.close();
    await closeServer();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
