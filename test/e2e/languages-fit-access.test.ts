/**
 * The room for everyone (issue 10, points 1, 9 and 10): every page in Chinese and in English with
 * the language remembered; phones and tablets (Join now on the first screen, no cropped faces,
 * toasts that cover nothing); keyboard focus and axe-core on every page, in both languages.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/domain/passwords.js';
import { translate } from '../../web/src/i18n/i18n.js';
import type { Locale } from '../../web/src/i18n/catalogues.js';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { directory } from '../support/fixtures.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectPage, overlaps, type Box } from './support/page-checks.js';
import { enterRoom, eventually, remoteTileIds, submitCode } from './support/room.js';

const ready = await requires(import.meta.url, 'chromium');

let server: TestServer;
let browser: Browser;
let token: string;

async function createMeeting(title: string) {
  const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title }),
    confHeaders(token),
    runtime(),
  );
  return res.body!;
}

/** A participant whose pages axe-core can be injected into (the pages allow no inline script). */
function person(options: BrowserContextOptions = {}) {
  return newParticipant(browser, { bypassCSP: true, ...options });
}

async function box(page: Page, selector: string): Promise<Box[]> {
  return page.$$eval(selector, (els) => els.map((el) => el.getBoundingClientRect().toJSON() as { x: number; y: number; width: number; height: number }));
}

describe.skipIf(!ready)('languages, phones and tablets, accessibility', () => {
  beforeAll(async () => {
    const doc = structuredClone(directory) as { orgs: Array<{ corpId: string; users?: Array<{ unionId: string; passwordHash?: string }> }> };
    doc.orgs.find((o) => o.corpId === 'dingacme')!.users!.find((u) => u.unionId === 'uA2')!.passwordHash = hashPassword('bob-password');
    server = await startTestServer({ directory: doc });
    token = await appToken(server.endpoint, 'acme-app', 's3cret');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows every page in the browser’s language, zh-CN or en, with sentences composed per language and axe-core clean', { timeout: 120_000 }, async () => {
    const m = await createMeeting('周会 Weekly');
    const [zh, en] = await Promise.all([person({ locale: 'zh-CN' }), person({ locale: 'en-US' })]);
    const both: Array<[Locale, Page]> = [
      ['zh-CN', zh.page],
      ['en', en.page],
    ];

    // The two languages are two independent pages: they go through the same steps side by side.
    const eachLanguage = (steps: (locale: Locale, page: Page) => Promise<void>) => Promise.all(both.map(([locale, page]) => steps(locale, page)));

    await eachLanguage(async (locale, page) => {
      await page.goto(`${server.url}/join`);
      await page.getByTestId('room-code-input').waitFor();
      await expectPage(page, locale, ['join.heading', 'join.roomCode', 'join.passcode', 'join.submit', 'join.footerSignIn']);
      // The server's refusal is worded by the page, in the page's language.
      await submitCode(page, server.url, m.roomCode!, '1111111111');
      await eventually(() => page.getByTestId('join-error').textContent(), (t) => (t ?? '').includes(translate(locale, 'error.badCredentials')));
      await expectPage(page, locale, ['error.badCredentials']);

      await page.goto(`${server.url}/app?roomCode=12345678901&token=0000`);
      await page.getByTestId('page-invalid-link').waitFor();
      await expectPage(page, locale, ['status.invalid-link.heading', 'status.joinWithCode']);

      await page.goto(m.externalLinkUrl!);
      await page.getByTestId('display-name-input').waitFor();
      await expectPage(page, locale, ['prejoin.eyebrow', 'prejoin.name', 'prejoin.joinNow', 'devices.microphone']);
    });

    // Keyboard order on the pre-join screen is the order things are seen: mic and camera, the name, Join now.
    await en.page.locator('.brand').focus();
    const order: string[] = [];
    for (let i = 0; i < 12 && !order.includes('enter-room-button'); i++) {
      await en.page.keyboard.press('Tab');
      order.push(await en.page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? ''));
    }
    const at = (id: string) => order.indexOf(id);
    expect(order, 'tab order').toContain('enter-room-button');
    expect(at('mic-toggle')).toBeGreaterThanOrEqual(0);
    expect(at('mic-toggle')).toBeLessThan(at('camera-toggle'));
    expect(at('camera-toggle')).toBeLessThan(at('display-name-input'));
    expect(at('display-name-input')).toBeLessThan(at('enter-room-button'));

    await enterRoom(zh.page, '李娜');
    await enterRoom(en.page, 'Ben');
    // "Ben joined" is one sentence per language, never English inside Chinese.
    await eventually(() => zh.page.getByTestId('notice').allTextContents(), (t) => t.includes(translate('zh-CN', 'room.notice.joined', { name: 'Ben' })));
    await eventually(() => remoteTileIds(en.page), (ids) => ids.length === 1);
    await expectPage(zh.page, 'zh-CN', ['room.tool.mute', 'room.tool.leave', 'room.tool.chat', 'room.notice.joined'], { name: 'Ben' });
    await expectPage(en.page, 'en', ['room.tool.mute', 'room.tool.leave', 'room.tool.chat']);
    expect(await zh.page.getByTestId('participant-tile').filter({ hasText: '李娜（我）' }).count()).toBe(1);
    await zh.page.getByTestId('settings-button').click();
    await expectPage(zh.page, 'zh-CN', ['room.settings.title', 'devices.microphone', 'room.settings.language']);
    await zh.page.keyboard.press('Escape');

    await eachLanguage(async (locale, page) => {
      await page.getByTestId('leave-button').click();
      await page.getByTestId('page-left').waitFor();
      await expectPage(page, locale, ['status.left.heading', 'status.rejoin']);

      await page.goto(`${server.url}/signin`);
      await page.getByTestId('signin-user').waitFor();
      await expectPage(page, locale, ['signin.heading', 'signin.user', 'signin.password', 'signin.withCode']);
      await page.getByTestId('signin-user').fill('uA2');
      await page.getByTestId('signin-password').fill('bob-password');
      await page.getByTestId('signin-button').click();
      await page.getByTestId('page-me').waitFor();
      await expectPage(page, locale, ['me.heading', 'me.signOut']);
    });
    await zh.context.close();
    await en.context.close();
  });

  it('switches language from the page and remembers it across a reload', async () => {
    const { page, context } = await person({ locale: 'en-US' });
    await page.goto(`${server.url}/join`);
    await page.getByRole('heading', { name: translate('en', 'join.heading') }).waitFor();
    await page.getByTestId('language-select').selectOption('zh-CN');
    await page.getByRole('heading', { name: translate('zh-CN', 'join.heading') }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    // Focus stays on the picker, so a keyboard user is not thrown back to the top.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('language-select');
    await page.reload();
    await page.getByRole('heading', { name: translate('zh-CN', 'join.heading') }).waitFor();
    await expectPage(page, 'zh-CN', ['join.heading', 'join.submit']);
    await page.getByTestId('language-select').selectOption('en');
    await page.reload();
    await page.getByRole('heading', { name: translate('en', 'join.heading') }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await context.close();
  });

  it('fits phones and tablets: Join now on the first screen, whole faces, toasts beside names and the shared screen', { timeout: 90_000 }, async () => {
    const m = await createMeeting('Fit');
    // A phone (390×844): "Join now" is on the first screen, no scrolling.
    const phone = await person({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.page.goto(m.externalLinkUrl!);
    await phone.page.getByTestId('display-name-input').fill('Pat');
    const join = (await phone.page.getByTestId('enter-room-button').boundingBox())!;
    expect(await phone.page.evaluate(() => window.scrollY)).toBe(0);
    expect(join.y).toBeGreaterThanOrEqual(0);
    expect(join.y + join.height).toBeLessThanOrEqual(844);

    // A tablet upright (820×1180) and a laptop in one meeting.
    const tablet = await person({ viewport: { width: 820, height: 1180 }, isMobile: true, hasTouch: true });
    const laptop = await person();
    await tablet.page.goto(m.externalLinkUrl!);
    await enterRoom(tablet.page, 'Tess');
    await submitCode(laptop.page, server.url, m.roomCode!, m.conferencePassword!);
    await enterRoom(laptop.page, 'Lou');
    await eventually(() => remoteTileIds(tablet.page), (ids) => ids.length === 1);
    const videos = await eventually(
      () =>
        tablet.page.$$eval('[data-testid="participant-tile"] video', (els) =>
          els.map((v) => {
            const video = v as HTMLVideoElement;
            const tile = video.closest('[data-testid="participant-tile"]')!.getBoundingClientRect();
            const r = video.getBoundingClientRect();
            return { fit: getComputedStyle(video).objectFit, vw: video.videoWidth, vh: video.videoHeight, box: r.toJSON(), tile: tile.toJSON() };
          }),
        ),
      (v) => v.length === 2 && v.every((x) => x.vw > 0),
    );
    for (const v of videos) {
      // The picture is letterboxed inside its tile, never cut: contain, within the tile's box.
      expect(v.fit).toBe('contain');
      expect(v.box.width).toBeLessThanOrEqual(v.tile.width + 1);
      expect(v.box.height).toBeLessThanOrEqual(v.tile.height + 1);
    }

    // A chat message while the chat is closed: the unread badge counts it, no toast.
    await laptop.page.getByTestId('chat-toggle').click();
    await laptop.page.getByTestId('chat-input').fill('hello from Lou');
    await laptop.page.getByTestId('chat-input').press('Enter');
    await eventually(() => tablet.page.getByTestId('chat-unread').textContent(), (t) => t === '1');
    expect(await tablet.page.getByTestId('notice').allTextContents()).not.toContain(expect.stringContaining('hello from Lou'));

    // The laptop shares its screen; then the phone joins and leaves: the tablet's toasts cover no name and no screen.
    await laptop.page.getByTestId('screen-share-toggle').click();
    await tablet.page.locator('[data-testid="screen-share"]:not([hidden]) video').waitFor();
    await eventually(() => tablet.page.$eval('[data-testid="screen-share"] video', (v) => (v as HTMLVideoElement).videoWidth), (w) => w > 0);
    await enterRoom(phone.page, 'Pat');
    await eventually(() => tablet.page.getByTestId('notice').count(), (n) => n > 0);
    // The toast strip takes its place in the layout; once the grid has re-laid out (a frame or two), nothing overlaps.
    const overlapping = async () => {
      const notices = await box(tablet.page, '[data-testid="notice"]');
      const covered = [...(await box(tablet.page, '.tile-name')), ...(await box(tablet.page, '[data-testid="screen-share"]'))];
      expect(notices.length).toBeGreaterThan(0);
      expect(covered.length).toBeGreaterThan(1);
      return notices.flatMap((n) => covered.filter((c) => overlaps(n, c)).map((c) => `toast ${JSON.stringify(n)} over ${JSON.stringify(c)}`));
    };
    await eventually(overlapping, (found) => found.length === 0, 2_000);
    await phone.context.close();
    await tablet.context.close();
    await laptop.context.close();
  });

  it('shows keyboard focus on the dark room, and its labels have AA contrast', async () => {
    const m = await createMeeting('Focus');
    const { page, context } = await person();
    await page.goto(m.externalLinkUrl!);
    await enterRoom(page, 'Kim');
    await page.getByTestId('mic-toggle').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    const look = await page.evaluate(() => {
      const channels = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r, g, b] = channels(c).map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const ratio = (a: string, b: string) => {
        const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
        return (hi! + 0.05) / (lo! + 0.05);
      };
      const focused = document.activeElement as HTMLElement;
      const style = getComputedStyle(focused);
      const roomBg = getComputedStyle(document.querySelector('.room')!).backgroundColor;
      const leave = document.querySelector('[data-testid="leave-button"]')!;
      const leaveStyle = getComputedStyle(leave);
      return {
        focused: focused.dataset.testid,
        outline: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        ringContrast: ratio(style.outlineColor, roomBg),
        leaveContrast: ratio(getComputedStyle(leave.querySelector('.btn-caption')!).color, leaveStyle.backgroundColor),
      };
    });
    expect(look.focused).toBe('mic-toggle');
    expect(look.outline).toBe('solid');
    expect(look.width).toBeGreaterThanOrEqual(2);
    expect(look.ringContrast).toBeGreaterThanOrEqual(3);
    expect(look.leaveContrast).toBeGreaterThanOrEqual(4.5);
    await context.close();
  });
});
