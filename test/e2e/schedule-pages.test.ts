/** Issue 4 §3 in Chromium: a booked meeting's share URL opens the room in its window, and says clearly when it cannot. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newParticipant } from '../../tools/chromium.js';
import { $conference, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import type { TestServer } from '../support/server.js';
import { closeWorld, openWorld } from './support/world.js';
import { enterRoom } from './support/room.js';
import { requires } from '../support/requirements.js';

// Each test drives Chromium; without it the suite is skipped with the reason (fails under CI=true).
const ready = await requires(import.meta.url, 'chromium');

let server: TestServer;
let browser: Browser;
let token: string;

const MIN = 60_000;

async function book(startTime: number): Promise<{ scheduleConferenceId: string; url: string }> {
  const res = await conferenceClient(server.endpoint).createScheduleConferenceWithOptions(
    new $conference.CreateScheduleConferenceRequest({ creatorUnionId: 'uA1', title: 'Booked', startTime, endTime: startTime + 60 * MIN }),
    confHeaders(token),
    runtime(),
  );
  return res.body as { scheduleConferenceId: string; url: string };
}

async function statusOf(url: string, kind: string): Promise<string | null> {
  const { page, context } = await newParticipant(browser);
  await page.goto(url);
  await page.getByTestId(`page-${kind}`).waitFor({ timeout: 15_000 });
  const text = await page.getByTestId('status-message').textContent();
  await context.close();
  return text;
}

describe.skipIf(!ready)('a booked meeting in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser, token } = await openWorld());
  });
  afterAll(async () => closeWorld({ server, browser }));

  it('opens the room from the share URL within the window', async () => {
    const b = await book(Date.now());
    const { page, context } = await newParticipant(browser);
    await page.goto(b.url);
    await enterRoom(page, 'Booked guest');
    await context.close();
  });

  it('shows a cancelled page for a cancelled booking, and a not-open page before its window', async () => {
    const b = await book(Date.now());
    await conferenceClient(server.endpoint).cancelScheduleConferenceWithOptions(
      new $conference.CancelScheduleConferenceRequest({ scheduleConferenceId: b.scheduleConferenceId, creatorUnionId: 'uA1' }),
      confHeaders(token),
      runtime(),
    );
    expect(await statusOf(b.url, 'cancelled')).toBe('This meeting was cancelled by its organizer.');
    const later = await book(Date.now() + 120 * MIN);
    expect(await statusOf(later.url, 'not-open')).toContain('has not opened yet');
  });
});
