/**
 * Join latency: time from opening a meeting's join link in Chromium to the first decoded frame of a
 * remote participant's video, over repeated joins into a meeting where one participant publishes.
 *
 *   npm run build && node dist/bench/join-to-first-frame.js [joins=12]
 *
 * Each join is a fresh browser context (new device, no cached name): open link → pre-join screen →
 * type a name → Join now → first remote frame. Chromium, vconf and the SFU share this machine.
 */
import { launchBrowser, newParticipant } from '../tools/chromium.js';
import { demoMeetingLink, startBenchServer } from './support/demo-meeting.js';
import { printLatencyTable } from './support/latency-table.js';

const joins = Number(process.argv[2] ?? 12);

async function main(): Promise<void> {
  const { server, close: closeServer } = await startBenchServer('join');
  const browser = await launchBrowser();
  try {
    const link = await demoMeetingLink(server, 'Join latency');

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
    printLatencyTable([
      ['open link → first remote frame', total],
      ['click "Join now" → first remote frame', afterClick],
    ]);
  } finally {
    await browser.close();
    await closeServer();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
