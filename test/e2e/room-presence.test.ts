/**
 * Issue 10 §6 in real Chromium: presence that tells the truth. A short cut of Ben's signaling
 * connection (a TCP relay in front of vconf drops it and refuses for two seconds) shows him as
 * reconnecting on Ann's page and never as leaving and joining; a second tab of Ben takes his place
 * and the first says so; a browser whose processes are stopped (SIGSTOP) shows as reconnecting,
 * then leaves the others' grid within 20 s. Besides the file's Chromium, the stopped browser is a
 * process of its own.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchStoppableBrowser, newParticipant } from '../../tools/chromium.js';
import type { TestServer } from '../support/server.js';
import { $conference, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { closeWorld, openWorld } from './support/world.js';
import { enterRoom, eventually, localParticipantId, remoteTileIds } from './support/room.js';
import { requires } from '../support/requirements.js';

const ready = await requires(import.meta.url, 'chromium');

/** A TCP relay to vconf whose connections can be cut, as a flaky network cuts them. */
async function relay(target: URL): Promise<{ url: string; cut(ms: number): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let refuseUntil = 0;
  const server: Server = createServer((client) => {
    if (Date.now() < refuseUntil) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    cut(ms) {
      refuseUntil = Date.now() + ms;
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const reconnectingOf = (page: Page, id: string) =>
  page.evaluate((pid) => document.querySelector(`[data-testid="participant-tile"][data-participant-id="${pid}"]`)?.getAttribute('data-reconnecting') ?? null, id);

describe.skipIf(!ready)('presence that tells the truth', () => {
  let server: TestServer;
  let browser: Browser;
  let token: string;
  let link: string;
  let ann: Page;
  let benId: string;
  let net: Awaited<ReturnType<typeof relay>>;
  let stoppable: Awaited<ReturnType<typeof launchStoppableBrowser>> | undefined;

  beforeAll(async () => {
    // The stopped browser of the last test starts beside the file's own, not after it.
    const launching = launchStoppableBrowser().then((s) => (stoppable = s));
    launching.catch(() => undefined);
    ({ server, browser, token } = await openWorld());
    await launching;
    net = await relay(new URL(server.url));
    const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Presence' }), confHeaders(token), runtime());
    link = (res.body as { externalLinkUrl: string }).externalLinkUrl;
    ann = (await newParticipant(browser)).page;
    await ann.goto(link);
    await enterRoom(ann, 'Ann');
  });
  afterAll(async () => {
    await stoppable?.close();
    await net?.close();
    await closeWorld({ server, browser });
  });

  it('a short cut of the signaling connection shows reconnecting, never leave + join; a second tab takes over and the first says so', async () => {
    const ben = await newParticipant(browser);
    // Ben reaches vconf through the relay (his media goes straight to vconf's ports).
    await ben.page.goto(link.replace(server.url, net.url));
    await enterRoom(ben.page, 'Ben');
    benId = await localParticipantId(ben.page);
    await eventually(() => remoteTileIds(ann), (ids) => ids.includes(benId));
    // Ann's tile for Ben is marked: if Ben left and joined again, a new element would replace it.
    await ann.evaluate((id) => {
      (document.querySelector(`[data-testid="participant-tile"][data-participant-id="${id}"]`) as HTMLElement & { __kept?: boolean }).__kept = true;
      // Only what is said from now on: the "Ben joined" of a moment ago is not the point.
      document.querySelectorAll('[data-testid="notice"]').forEach((n) => n.remove());
      const seen: string[] = [];
      (window as unknown as { __notices: string[] }).__notices = seen;
      new MutationObserver(() => document.querySelectorAll('[data-testid="notice"]').forEach((n) => seen.push(n.textContent ?? ''))).observe(document.body, { childList: true, subtree: true });
    }, benId);

    net.cut(2000);
    await eventually(() => reconnectingOf(ann, benId), (v) => v === 'true', 10_000);
    await eventually(() => ben.page.evaluate(() => (window as unknown as { __vconf: { connection(): string } }).__vconf.connection()), (c) => c === 'live', 20_000);
    await eventually(() => reconnectingOf(ann, benId), (v) => v === 'false', 10_000);
    const kept = await ann.evaluate((id) => (document.querySelector(`[data-testid="participant-tile"][data-participant-id="${id}"]`) as (HTMLElement & { __kept?: boolean }) | null)?.__kept === true, benId);
    expect(kept).toBe(true);
    const notices = await ann.evaluate(() => (window as unknown as { __notices: string[] }).__notices);
    expect(notices.some((n) => n.includes('Ben left') || n.includes('Ben joined'))).toBe(false);

    // The same browser in a second tab: it takes Ben's place; the first tab says so.
    const second = await ben.context.newPage();
    await second.goto(link);
    await enterRoom(second, 'Ben');
    expect(await localParticipantId(second)).toBe(benId);
    await ben.page.getByTestId('page-replaced').waitFor({ timeout: 10_000 });
    expect(await ben.page.getByTestId('status-message').innerText()).toMatch(/another tab/);
    expect((await remoteTileIds(ann)).filter((id) => id === benId)).toHaveLength(1);
    await ben.context.close();
  }, 90_000);

  it('a browser whose processes are stopped shows as reconnecting, then leaves the grid within 20 s', async () => {
    try {
      const cy = await newParticipant(stoppable!.browser);
      await cy.page.goto(link);
      await enterRoom(cy.page, 'Cy');
      const cyId = await localParticipantId(cy.page);
      await eventually(() => remoteTileIds(ann), (ids) => ids.includes(cyId));
      try {
        process.kill(-stoppable!.pid, 'SIGSTOP');
      } catch {
        process.kill(stoppable!.pid, 'SIGSTOP');
      }
      const t0 = Date.now();
      await eventually(() => reconnectingOf(ann, cyId), (v) => v === 'true', 20_000);
      const reconnectingAfter = Date.now() - t0;
      await eventually(() => remoteTileIds(ann), (ids) => !ids.includes(cyId), 25_000);
      const goneAfter = Date.now() - t0;
      console.log(`stopped browser: reconnecting after ${reconnectingAfter} ms, gone after ${goneAfter} ms`);
      expect(goneAfter).toBeLessThan(20_000);
    } finally {
      await stoppable!.close();
      stoppable = undefined;
    }
  }, 90_000);
});
