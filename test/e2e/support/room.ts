import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { inboundTotals, remoteVideoWidths } from '../../../tools/chromium.js';

/** From the pre-join screen: type a display name and enter the room. */
export async function enterRoom(page: Page, name: string): Promise<void> {
  await page.getByTestId('display-name-input').waitFor({ timeout: 15_000 });
  await page.getByTestId('display-name-input').fill(name);
  await page.getByTestId('enter-room-button').click();
  await page.getByTestId('page-room').waitFor({ timeout: 15_000 });
}

/** The join page's form: room code and passcode. Returns once the server answered; the caller checks the outcome. */
export async function submitCode(page: Page, baseUrl: string, roomCode: string, passcode: string): Promise<void> {
  if (!page.url().startsWith(`${baseUrl}/join`)) await page.goto(`${baseUrl}/join`);
  await page.getByTestId('room-code-input').fill(roomCode);
  await page.getByTestId('passcode-input').fill(passcode);
  // Each attempt is complete (answered) before the caller looks at the page or tries again.
  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/admit')), page.getByTestId('join-button').click()]);
}

export async function remoteTileIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="participant-tile"][data-local="false"]', (tiles) =>
    tiles.map((t) => (t as HTMLElement).dataset.participantId ?? ''),
  );
}

export async function localParticipantId(page: Page): Promise<string> {
  const id = await page.getAttribute('[data-testid="participant-tile"][data-local="true"]', 'data-participant-id');
  if (!id) throw new Error('no local tile');
  return id;
}

/** Waits until `predicate` holds, polling; fails with the last value seen. */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!predicate(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

/**
 * The page sees `count` remote tiles whose videos decode (width > 0, frames advancing) and hears
 * audio packets arriving.
 */
export async function expectMediaFromOthers(page: Page, count: number): Promise<void> {
  await eventually(() => remoteTileIds(page), (ids) => ids.length === count);
  await eventually(() => remoteVideoWidths(page), (w) => Object.values(w).length === count && Object.values(w).every((x) => x > 0));
  const first = await eventually(() => inboundTotals(page), (t) => t.videoStreams >= count && t.audioStreams >= count);
  const later = await eventually(() => inboundTotals(page), (t) => t.framesDecoded > first.framesDecoded + 10 && t.audioPackets > first.audioPackets);
  expect(later.framesDecoded).toBeGreaterThan(first.framesDecoded);
}
