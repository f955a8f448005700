import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { $conference, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { inboundTotals, newParticipant, remoteVideoWidths } from '../../tools/chromium.js';
import { closeWorld, openWorld } from './support/world.js';
import { enterRoom, eventually, localParticipantId } from './support/room.js';
import { requires } from '../support/requirements.js';

// Each test drives Chromium; without it the suite is skipped with the reason (fails under CI=true).
const ready = await requires(import.meta.url, 'chromium');

let server: TestServer;
let browser: Browser;
let token: string;

/**
 * The page's room socket lets its first `subscribe-offer` through and swallows every later one (counted):
 * whatever this page receives afterwards must come without a new offer/answer round.
 */
async function answerOnlyFirstOffer(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __offers: number };
    w.__offers = 0;
    const Original = window.WebSocket;
    window.WebSocket = class extends Original {
      override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
        if (type !== 'message' || typeof listener !== 'function') return super.addEventListener(type, listener, options);
        super.addEventListener(
          type,
          (event: Event) => {
            const data = (event as MessageEvent).data;
            if (typeof data === 'string' && data.includes('"subscribe-offer"') && ++w.__offers > 1) return;
            listener(event);
          },
          options,
        );
      }
    };
  });
}

const offersSeen = (page: Page) => page.evaluate(() => (window as unknown as { __offers: number }).__offers);

describe.skipIf(!ready)('fast two-way joins in Chromium', () => {
  beforeAll(async () => {
    ({ server, browser, token } = await openWorld());
  });
  afterAll(async () => closeWorld({ server, browser }));

  it('the person already in the room gets each newcomer\'s video and audio with no new subscribe-offer answered', async () => {
    const m = (
      await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Fast join' }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    const anchor = await newParticipant(browser);
    await answerOnlyFirstOffer(anchor.page);
    await anchor.page.goto(m.externalLinkUrl!);
    await enterRoom(anchor.page, 'Anchor');
    // Alone, the anchor is offered spare slots only, and its receiving connection comes up.
    await eventually(
      () => anchor.page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.map((pc) => pc.connectionState).filter((s) => s !== 'closed')),
      (states) => states.length === 2 && states.every((s) => s === 'connected'),
    );
    expect(await offersSeen(anchor.page)).toBe(1);

    for (const name of ['First newcomer', 'Second newcomer']) {
      const newcomer = await newParticipant(browser);
      await newcomer.page.goto(m.externalLinkUrl!);
      await enterRoom(newcomer.page, name);
      const id = await localParticipantId(newcomer.page);
      // Its tile decodes on the anchor's page, and its microphone is heard, though the anchor answered nothing new.
      await eventually(() => remoteVideoWidths(anchor.page), (w) => Object.keys(w).join() === id && w[id]! > 0);
      const audio = await inboundTotals(anchor.page);
      await eventually(() => inboundTotals(anchor.page), (t) => t.audioPackets > audio.audioPackets + 20);
      await eventually(() => remoteVideoWidths(newcomer.page), (w) => Object.values(w).length === 1 && Object.values(w)[0]! > 0);
      // The server did offer to top the spares up; the page never needed that answer.
      await eventually(() => offersSeen(anchor.page), (n) => n > 1);
      // The second newcomer arrives on the slots the first one freed when leaving (by the Leave button: a
      // closed tab says "going away", which may be a reload, so the room keeps its place for a while).
      await newcomer.page.getByTestId('leave-button').click();
      await newcomer.page.getByTestId('page-left').waitFor();
      await newcomer.context.close();
      await eventually(() => remoteVideoWidths(anchor.page), (w) => Object.keys(w).length === 0);
    }
    await anchor.context.close();
  });
});
