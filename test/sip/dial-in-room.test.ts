/**
 * Issue 14 §3 acceptance with SIPp as the caller and Chromium in the same meeting: the caller keys
 * the room code and passcode as RFC 2833 digits and joins; the page hears SIPp's G.711 recording
 * (through the SFU as Opus); the caller hears the page's fake microphone (mixed on the server,
 * captured here on the caller's media port); MuteMembers silences the caller for the room and
 * un_mute brings them back; `*6` (SIP INFO, then RFC 2833) toggles their own mute; BYE from the
 * caller, and from vconf when the host removes them, leaves no participant behind; the member
 * records show the caller with join and leave times.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { requires } from '../support/requirements.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, memberModels, runtime } from '../support/sdk.js';
import { enterRoom, eventually } from '../e2e/support/room.js';
import { runSipp, scenarioXml } from '../../tools/sipp.js';
import { CallerEar, inboundAudio, sipConfig } from './support/dial-in.js';

const ready = await requires(import.meta.url, 'chromium', 'tool:sipp');

let server: TestServer;
let browser: Browser;
let token: string;
let target: string;
let page: Page;
let m: { conferenceId: string; roomCode: string; conferencePassword: string; hostPassword: string; externalLinkUrl: string };

const sdk = () => conferenceClient(server.endpoint);
const h = () => confHeaders(token);

/** Audio packets the page receives over `ms`, after a pause for packets in flight. */
async function packetsOver(ms: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 700));
  const before = (await inboundAudio(page)).packets;
  await new Promise((r) => setTimeout(r, ms));
  return (await inboundAudio(page)).packets - before;
}

const phoneInRoom = () => server.running.ctx.rooms.live(m.conferenceId)?.roster().find((p) => p.source === 'phone');

describe.skipIf(!ready)('dial-in: a caller in a meeting with Chromium (SIPp)', () => {
  beforeAll(async () => {
    const sip = sipConfig();
    target = `${sip.host}:${sip.port}`;
    server = await startTestServer({ config: { sip } });
    token = await appToken(server.endpoint, 'acme-app', 's3cret');
    browser = await launchBrowser();
    const res = await sdk().createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Dial-in' }), h(), runtime());
    m = res.body as typeof m;
    page = (await newParticipant(browser)).page;
    await page.goto(m.externalLinkUrl);
    await enterRoom(page, 'Ann');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('joins by RFC 2833 digits; the room and the caller hear each other; mute, un_mute and *6 work; BYE leaves nothing behind', { timeout: 120_000 }, async () => {
    const ear = new CallerEar();
    const mediaPort = await ear.open();
    const call = runSipp(
      target,
      scenarioXml({
        from: '13812345678',
        mediaPort,
        steps: [{ keys: `${m.roomCode}#${m.conferencePassword}#` }, { speak: 6 }, { info: '*6' }, { pause: 2500 }, { keys: '*6' }, { pause: 2500 }, { bye: true }],
      }),
      { service: '13812345678' },
    );
    try {
      const phone = await eventually(async () => phoneInRoom(), (p) => p !== undefined);
      const joinedAt = Date.now();
      expect(phone).toMatchObject({ name: '138****5678', source: 'phone', camera: false, mic: true, role: 'participant' });

      // The page shows a phone tile with the masked number, in the grid and in the people panel.
      const tile = page.locator(`[data-testid="participant-tile"][data-participant-id="${phone!.participantId}"]`);
      await tile.waitFor({ timeout: 10_000 });
      expect(await tile.getAttribute('data-source')).toBe('phone');
      expect(await tile.locator('[data-testid="phone-badge"]').isVisible()).toBe(true);
      expect(await tile.textContent()).toContain('138****5678');
      await page.getByTestId('participants-toggle').click();
      const row = page.getByTestId('participant-list').locator('li', { hasText: '138****5678' });
      await row.getByTestId('participant-phone').waitFor({ timeout: 5000 });
      await page.getByTestId('participants-toggle').click();

      // The room hears the caller: SIPp's recording arrives at the page as audio above the noise floor.
      const heard = await eventually(() => inboundAudio(page), (a) => a.level > 0.05 && a.packets > 100, 20_000);
      expect(heard.level).toBeGreaterThan(0.05);
      console.log(`page hears the caller: audioLevel ${heard.level.toFixed(3)} over ${heard.packets} packets`);

      // The caller hears the room: the page's fake microphone, once the joining prompt is over.
      await new Promise((r) => setTimeout(r, 5000));
      const since = Math.max(joinedAt + 4500, Date.now() - 1000);
      await new Promise((r) => setTimeout(r, 2500));
      const caller = ear.since(since);
      expect(caller.packets).toBeGreaterThan(100);
      expect(caller.loudPackets).toBeGreaterThan(10);
      console.log(`caller hears the page: ${caller.loudPackets}/${caller.packets} loud packets, mean level ${caller.meanLevel.toFixed(0)}`);

      // MuteMembers: the SFU stops forwarding the caller's voice.
      await sdk().muteMembersWithOptions(
        m.conferenceId,
        new $conference.MuteMembersRequest({ action: 'mute', userList: [new $conference.MuteMembersRequestUserList({ participantId: phone!.participantId })] }),
        h(),
        runtime(),
      );
      await eventually(async () => phoneInRoom()?.mic, (mic) => mic === false, 5000);
      expect(await packetsOver(1500)).toBeLessThan(5);

      // un_mute: a telephone has no button, so the caller is heard again at once.
      await sdk().muteMembersWithOptions(
        m.conferenceId,
        new $conference.MuteMembersRequest({ action: 'un_mute', userList: [new $conference.MuteMembersRequestUserList({ participantId: phone!.participantId })] }),
        h(),
        runtime(),
      );
      await eventually(async () => phoneInRoom()?.mic, (mic) => mic === true, 5000);
      expect(await packetsOver(1500)).toBeGreaterThan(30);

      // *6 by SIP INFO mutes, *6 by RFC 2833 unmutes (the scenario keys them after its recording).
      await eventually(async () => phoneInRoom()?.mic, (mic) => mic === false, 60_000);
      await eventually(async () => phoneInRoom()?.mic, (mic) => mic === true, 10_000);

      // The caller hangs up: no participant, no mixer, the record closed with a leave time.
      const run = await call;
      expect(run.errors, run.stdout).toBe('');
      expect(run.code).toBe(0);
      await eventually(async () => phoneInRoom(), (p) => p === undefined, 5000);
      expect(server.running.ctx.sip?.callsIn(m.conferenceId)).toEqual([]);
      const record = (await memberModels(server.endpoint, token, m.conferenceId)).find((x) => x.pstnJoin);
      expect(record).toMatchObject({ userNick: '138****5678', pstnJoin: true, attendStatus: 6, host: false });
      expect(record!.joinTime).toBeGreaterThan(0);
      expect(record!.leaveTime).toBeGreaterThanOrEqual(record!.joinTime!);
      expect(record!.duration).toBeGreaterThan(10_000);
    } finally {
      ear.close();
    }
  });

  it('KickMembers hangs the caller up (BYE from vconf) and leaves no participant behind', { timeout: 60_000 }, async () => {
    const call = runSipp(target, scenarioXml({ from: '13700001111', steps: [{ keys: `${m.roomCode}#${m.conferencePassword}#` }, { awaitBye: 40_000 }] }), { service: '13700001111' });
    const phone = await eventually(async () => phoneInRoom(), (p) => p !== undefined);
    await sdk().kickMembersWithOptions(
      m.conferenceId,
      new $conference.KickMembersRequest({ userList: [new $conference.KickMembersRequestUserList({ participantId: phone!.participantId })] }),
      h(),
      runtime(),
    );
    const run = await call;
    expect(run.errors, run.stdout).toBe('');
    expect(run.code).toBe(0);
    expect(phoneInRoom()).toBeUndefined();
    expect(server.running.ctx.sip?.calls).toBe(0);
    const records = (await memberModels(server.endpoint, token, m.conferenceId)).filter((x) => x.pstnJoin);
    expect(records.map((r) => [r.userNick, r.attendStatus])).toEqual(expect.arrayContaining([['137****1111', 5]]));
  });
});
