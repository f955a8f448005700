/**
 * Issue 14 §4 with two instances on one PostgreSQL and Redis (docs/dial-in.md, "Several
 * instances"): a call answered by instance A brings an unplaced meeting's room to A, so browsers
 * reaching B are relayed to A like any room's; a meeting already live on B (a Chromium participant
 * there) is not split in two — A keeps the call and bridges its audio to B's room: the caller is a
 * participant on B (QueryConferenceMembers lists them), the page hears the caller, the caller
 * hears the page, and BYE from the caller, or from A when B's room removes them, leaves no
 * participant behind on either instance.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { enterRoom, eventually } from '../e2e/support/room.js';
import { REDIS_URL, requires } from '../support/requirements.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/pg-databases.js';
import { $conference, appToken, conferenceClient, confHeaders, memberModels, runtime } from '../support/sdk.js';
import { runSipp, scenarioXml } from '../../tools/sipp.js';
import { CallerEar, inboundAudio, sipConfig } from './support/dial-in.js';

const ready = await requires(import.meta.url, 'chromium', 'postgres', 'redis', 'tool:sipp');

let db: TestDatabase;
let a: TestServer;
let b: TestServer;
let token: string;
let target: string;
let browser: Browser;

async function createMeeting(title: string) {
  const res = await conferenceClient(a.endpoint).createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title }), confHeaders(token), runtime());
  return res.body as { conferenceId: string; roomCode: string; hostPassword: string; conferencePassword: string; externalLinkUrl: string };
}

describe.skipIf(!ready)('dial-in with several instances', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    const sip = sipConfig();
    target = `${sip.host}:${sip.port}`;
    a = await startTestServer({ config: { database: db.url, redis: REDIS_URL, sip } });
    b = await startTestServer({ config: { database: db.url, redis: REDIS_URL } });
    token = await appToken(a.endpoint, 'acme-app', 's3cret');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  it.concurrent('a caller brings an unplaced room to the instance that answered; the other instance relays to it', { timeout: 60_000 }, async () => {
    const m = await createMeeting('Placed by a phone');
    const call = runSipp(target, scenarioXml({ from: '13611112222', steps: [{ keys: `${m.roomCode}#${m.hostPassword}#` }, { pause: 3000 }, { bye: true }] }), { service: '13611112222' });
    const deadline = Date.now() + 20_000;
    while (!a.running.ctx.rooms.live(m.conferenceId)?.roster().some((p) => p.source === 'phone')) {
      if (Date.now() > deadline) throw new Error('caller not in the room on A');
      await new Promise((r) => setTimeout(r, 100));
    }
    const fromB = await b.running.ctx.cluster.node.hostFor(m.conferenceId);
    expect(fromB.local).toBe(false);
    expect(fromB.local === false && fromB.host.id).toBe(a.running.ctx.cluster.node.id);
    expect((await call).code).toBe(0);
  });

  it.concurrent('a meeting live on another instance is bridged: the caller joins the room there, both sides hear each other, BYE leaves nothing', { timeout: 120_000 }, async () => {
    const m = await createMeeting('Live on B');
    // The room goes to B: placed there first, then a page on B's address keeps it there.
    expect((await b.running.ctx.cluster.node.hostFor(m.conferenceId, true)).local).toBe(true);
    const keep = setInterval(() => void b.running.ctx.cluster.node.hostFor(m.conferenceId, true), 1000);
    const page = (await newParticipant(browser)).page;
    try {
      await page.goto(m.externalLinkUrl.replace(new URL(m.externalLinkUrl).origin, b.url));
      await enterRoom(page, 'Bea');
      await eventually(async () => b.running.ctx.rooms.live(m.conferenceId)?.size, (n) => n === 1, 15_000);
    } finally {
      clearInterval(keep);
    }
    const roomOnB = () => b.running.ctx.rooms.live(m.conferenceId);

    const ear = new CallerEar();
    const mediaPort = await ear.open();
    const call = runSipp(
      target,
      scenarioXml({ from: '13611113333', mediaPort, steps: [{ keys: `${m.roomCode}#${m.conferencePassword}#` }, { speak: 3 }, { bye: true }] }),
      { service: '13611113333' },
    );
    try {
      // The caller is a participant of B's room (not a second room on A), listed by the API.
      const phone = await eventually(async () => roomOnB()?.roster().find((p) => p.source === 'phone'), (p) => p !== undefined, 30_000);
      const joinedAt = Date.now();
      expect(phone).toMatchObject({ name: '136****3333', source: 'phone', role: 'participant' });
      expect(a.running.ctx.rooms.live(m.conferenceId)).toBeUndefined();
      const listed = await memberModels(a.endpoint, token, m.conferenceId);
      expect(listed.filter((x) => x.pstnJoin).map((x) => x.userNick)).toEqual(['136****3333']);

      // The page on B hears the caller's recording, carried from A over the bridge.
      const heard = await eventually(() => inboundAudio(page), (x) => x.level > 0.05 && x.packets > 100, 20_000);
      expect(heard.level).toBeGreaterThan(0.05);
      console.log(`bridged: page hears the caller at audioLevel ${heard.level.toFixed(3)} over ${heard.packets} packets`);

      // The caller hears the page's fake microphone, mixed on B and played by A, after the joining prompt.
      await new Promise((r) => setTimeout(r, Math.max(0, joinedAt + 5000 - Date.now())));
      const since = Date.now();
      await new Promise((r) => setTimeout(r, 2500));
      const ears = ear.since(since);
      expect(ears.packets).toBeGreaterThan(100);
      expect(ears.loudPackets).toBeGreaterThan(10);
      console.log(`bridged: caller hears the page: ${ears.loudPackets}/${ears.packets} loud packets, mean level ${ears.meanLevel.toFixed(0)}`);

      // The caller hangs up on A: the participant leaves B's room, the record closes.
      const run = await call;
      expect(run.errors, run.stdout).toBe('');
      expect(run.code).toBe(0);
      await eventually(async () => roomOnB()?.roster().some((p) => p.source === 'phone'), (x) => x === false, 5000);
      expect(a.running.ctx.sip?.calls).toBe(0);
      const record = (await memberModels(a.endpoint, token, m.conferenceId)).find((x) => x.pstnJoin);
      expect(record!.leaveTime).toBeGreaterThanOrEqual(record!.joinTime!);

      // Removed through the API (the room is on B): B says so over the bridge, A sends the BYE.
      const second = runSipp(target, scenarioXml({ from: '13611114444', steps: [{ keys: `${m.roomCode}#${m.conferencePassword}#` }, { awaitBye: 40_000 }] }), { service: '13611114444' });
      const kicked = await eventually(async () => roomOnB()?.roster().find((p) => p.name === '136****4444'), (p) => p !== undefined, 30_000);
      await conferenceClient(a.endpoint).kickMembersWithOptions(
        m.conferenceId,
        new $conference.KickMembersRequest({ userList: [new $conference.KickMembersRequestUserList({ participantId: kicked!.participantId })] }),
        confHeaders(token),
        runtime(),
      );
      const secondRun = await second;
      expect(secondRun.errors, secondRun.stdout).toBe('');
      expect(secondRun.code).toBe(0);
      expect(roomOnB()?.roster().some((p) => p.source === 'phone')).toBe(false);
      expect(a.running.ctx.sip?.calls).toBe(0);
    } finally {
      ear.close();
      await page.close();
    }
  });

  it.concurrent('the bridge path admits only instances of the deployment: no proof or a wrong one is refused', async () => {
    for (const headers of [{}, { 'x-vconf-relay': 'x'.repeat(43) }]) {
      const ws = new WebSocket(`${b.url.replace(/^http/, 'ws')}/sip/bridge`, { headers });
      const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
      expect(code).toBe(4403);
    }
  });
});
