import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { enterRoom, expectMediaFromOthers, submitCode } from './support/room.js';
import { requires } from '../support/requirements.js';

// Each test drives Chromium; without it the suite is skipped with the reason (fails under CI=true).
const ready = await requires(import.meta.url, 'chromium');

// VCONF_WRITE_SCREENSHOTS=1 refreshes the pictures the README shows; otherwise they go to a temp dir.
const outDir = process.env.VCONF_WRITE_SCREENSHOTS ? join(packageRoot, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'vconf-shots-'));

let server: TestServer;
let browser: Browser;

describe.skipIf(!ready)('what people see', () => {
  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders the join page, the pre-join screen, a 3-person room, and the room in Chinese on a laptop and a phone', { timeout: 90_000 }, async () => {
    const token = await appToken(server.endpoint, 'acme-app', 's3cret');
    const m = (
      await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Design review' }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    const [a, b, c, zh] = await Promise.all([newParticipant(browser), newParticipant(browser), newParticipant(browser), newParticipant(browser, { locale: 'zh-CN' })]);

    await a!.page.goto(`${server.url}/join`);
    await a!.page.getByTestId('room-code-input').waitFor();
    await a!.page.screenshot({ path: join(outDir, 'join-page.png') });

    await a!.page.goto(m.externalLinkUrl!);
    await a!.page.getByTestId('display-name-input').fill('Alice');
    await a!.page.waitForFunction(() => (document.querySelector('[data-testid="preview-video"]') as HTMLVideoElement | null)?.videoWidth ?? 0 > 0);
    await a!.page.screenshot({ path: join(outDir, 'pre-join.png') });
    await enterRoom(a!.page, 'Alice');

    // Bob and Carol come in side by side: neither waits for the other.
    await Promise.all([
      submitCode(b!.page, server.url, m.roomCode!, m.conferencePassword!).then(() => enterRoom(b!.page, 'Bob')),
      submitCode(c!.page, server.url, m.roomCode!, m.hostPassword!).then(() => enterRoom(c!.page, 'Carol (host)')),
    ]);
    // The same meeting in Chinese, on a laptop and on a phone: 李娜 reaches the pre-join screen meanwhile
    // and enters once the three-person picture is taken.
    const zhAdmitted = submitCode(zh!.page, server.url, m.roomCode!, m.conferencePassword!);
    zhAdmitted.catch(() => undefined); // awaited below; not unhandled while the picture is taken
    await expectMediaFromOthers(c!.page, 2);
    await c!.page.screenshot({ path: join(outDir, 'room-3-people.png') });
    await zhAdmitted;
    await enterRoom(zh!.page, '李娜');
    await expectMediaFromOthers(zh!.page, 3);
    await zh!.page.screenshot({ path: join(outDir, 'room-zh-CN.png') });
    await zh!.page.setViewportSize({ width: 390, height: 844 });
    await zh!.page.waitForFunction(() => document.querySelectorAll('[data-testid="participant-tile"]').length === 4);
    await zh!.page.screenshot({ path: join(outDir, 'room-zh-CN-phone.png') });

    for (const name of ['join-page.png', 'pre-join.png', 'room-3-people.png', 'room-zh-CN.png', 'room-zh-CN-phone.png']) {
      expect(statSync(join(outDir, name)).size).toBeGreaterThan(10_000);
    }
  });
});
