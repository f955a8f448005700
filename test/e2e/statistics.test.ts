/**
 * Issue 12 §5 and issue 10 §7 in real Chromium: two signed-in people in a meeting; the statistics
 * operations, through the official SDK, answer from what the SFU measured (RTCP) and the pages
 * reported (getStats) — non-zero bit rates for each person, the newest sample, both people with
 * join and leave times, the meeting's record, the history window. Each tile shows its person's
 * connection quality; when one person's uplink really loses packets (nftables drops 40% of the UDP
 * their browser sends to the SFU, in this machine's own output path) the server measures it, that
 * person's page shows the weak-connection hint (in Chinese: a zh-CN browser) and the other page
 * shows poor bars on their tile. One server, one Chromium, two pages.
 */
import { execFileSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { hashPassword } from '../../src/domain/passwords.js';
import { directory } from '../support/fixtures.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { enterRoom, eventually, expectMediaFromOthers, localParticipantId } from './support/room.js';

const ready = await requires(import.meta.url, 'chromium');
// Root for the nftables rule that makes one uplink lossy; without it only that test is skipped.
const canDegrade = ready && (await requires(import.meta.url, 'root', 'tool:nft'));

const TABLE = `vconf_stats_${process.pid}`;

let server: TestServer;
let browser: Browser;
let token: string;
let conferenceId: string;
let externalLinkUrl: string;
let t0: number;
const people: Record<'alice' | 'bob', { context: BrowserContext; page: Page; id: string }> = {} as never;

const sdk = () => conferenceClient(server.endpoint);
const metricData = (unionId: string, beginTime: number, endTime: number) =>
  sdk().getUserMetricDataWithOptions(conferenceId, new $conference.GetUserMetricDataRequest({ unionId, beginTime, endTime }), confHeaders(token), runtime());

/** A signed-in directory user's browser (its session cookie makes the join theirs). */
async function signedIn(unionId: string, locale: string): Promise<{ context: BrowserContext; page: Page }> {
  const participant = await newParticipant(browser, { locale });
  const res = await participant.context.request.post(`${server.url}/api/signin`, { data: { unionId, password: `${unionId}-password` } });
  expect(res.status()).toBe(200);
  return participant;
}

/** The UDP port of the page's upstream connection (the selected candidate pair's local candidate). */
async function upstreamPort(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __vconf: { upstream(): RTCPeerConnection } }).__vconf.upstream();
    const stats = [...(await pc.getStats()).values()] as Array<Record<string, unknown>>;
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
    const local = stats.find((s) => s.id === pair?.localCandidateId);
    if (local?.protocol !== 'udp') throw new Error(`upstream is not on UDP: ${JSON.stringify(local)}`);
    return Number(local.port);
  });
}

const nft = (rules: string) => execFileSync('nft', ['-f', '-'], { input: rules });
const quality = (page: Page, participantId: string) =>
  page.getAttribute(`[data-testid="participant-tile"][data-participant-id="${participantId}"] [data-testid="quality-indicator"]`, 'data-quality');

describe.skipIf(!ready)('meeting statistics and connection quality, measured in a real meeting', () => {
  beforeAll(async () => {
    const doc = structuredClone(directory) as { orgs: Array<{ users?: Array<{ unionId: string; passwordHash?: string }> }> };
    for (const user of doc.orgs[0]!.users!) if (user.unionId === 'uA1' || user.unionId === 'uA2') user.passwordHash = hashPassword(`${user.unionId}-password`);
    // UDP only, so the lossy rule below covers the whole uplink.
    server = await startTestServer({ directory: doc, config: { statsIntervalMs: 1000, rtcTcp: false } });
    token = await appToken(server.endpoint, 'acme-app', 's3cret');
    browser = await launchBrowser();
    t0 = Date.now();
    const created = await sdk().createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Measured meeting' }), confHeaders(token), runtime());
    conferenceId = created.body!.conferenceId!;
    externalLinkUrl = created.body!.externalLinkUrl!;
    for (const [who, unionId, name, locale] of [['alice', 'uA1', 'Alice', 'en-US'], ['bob', 'uA2', 'Bob', 'zh-CN']] as const) {
      const { context, page } = await signedIn(unionId, locale);
      await page.goto(externalLinkUrl);
      await enterRoom(page, name);
      people[who] = { context, page, id: await localParticipantId(page) };
    }
    await Promise.all([expectMediaFromOthers(people.alice.page, 1), expectMediaFromOthers(people.bob.page, 1)]);
  });
  afterAll(async () => {
    try {
      if (canDegrade) execFileSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
    } catch {
      // not created, or already gone
    }
    await browser?.close();
    await server?.stop();
  });

  it('GetUserMetricData: samples with non-zero bit rates both ways for each person; GetUserLastMetric: the newest', async () => {
    for (const unionId of ['uA1', 'uA2']) {
      const list = await eventually(
        async () => (await metricData(unionId, t0, Date.now())).body!.metricDataList ?? [],
        (l) => l.filter((s) => Number(s.cameraSendBitRate) > 0 && Number(s.audioSendBitRate) > 0 && Number(s.cameraRecvBitRate) > 0 && Number(s.audioRecvBitRate) > 0).length >= 2,
      );
      // Video ramps up after a join (slower on a loaded machine): judge the fullest sample, not the newest.
      const full = list.filter((s) => Number(s.cameraSendBitRate) > 0 && Number(s.cameraRecvBitRate) > 0).sort((a, b) => Number(b.cameraSendBitRate) - Number(a.cameraSendBitRate))[0]!;
      // Camera video is hundreds of kbit/s, audio tens; the totals are the sums.
      expect(Number(full.cameraSendBitRate)).toBeGreaterThan(50_000);
      expect(Number(full.audioSendBitRate)).toBeGreaterThan(5_000);
      expect(Number(full.sendBitRate)).toBe(Number(full.cameraSendBitRate) + Number(full.audioSendBitRate) + Number(full.screenSendBitRate));
      expect(Number(full.recvBitRate)).toBeGreaterThan(50_000);
      // What only the browser knows: the resolution and frame rate of the camera it sends and receives.
      expect(full.cameraSendResolutionActual).toMatch(/^\d+x\d+$/);
      expect(full.cameraRecvResolutionActual).toMatch(/^\d+x\d+$/);
      expect(Number(full.cameraSendFrame)).toBeGreaterThan(0);
      expect(Number(full.lostRate)).toBeLessThan(3);
      const last = (await sdk().getUserLastMetricWithOptions(conferenceId, new $conference.GetUserLastMetricRequest({ unionIdList: [unionId] }), confHeaders(token), runtime())).body!.metricMap![unionId] as Record<string, unknown>;
      expect(last.timestamp).toBeGreaterThanOrEqual(list.at(-1)!.timestamp!);
      expect(Number(last.sendBitRate)).toBeGreaterThan(0);
    }
  });

  it('each tile shows its person\'s connection quality, with an accessible label in the page\'s language', async () => {
    const { alice, bob } = people;
    await eventually(() => quality(alice.page, bob.id), (q) => q === 'good');
    await eventually(() => quality(bob.page, alice.id), (q) => q === 'good');
    const label = (page: Page, id: string) => page.getAttribute(`[data-participant-id="${id}"] [data-testid="quality-indicator"]`, 'aria-label');
    expect(await label(alice.page, bob.id)).toBe('Connection: good');
    expect(await label(bob.page, alice.id)).toBe('网络良好');
    expect(await bob.page.getByTestId('weak-connection').isVisible()).toBe(false);
  });

  it.skipIf(!canDegrade)('a lossy uplink is measured: that page shows the weak-connection hint, the other page poor bars on its tile', async () => {
    const { alice, bob } = people;
    const port = await upstreamPort(bob.page);
    // 40% of what Bob's browser sends to the SFU is dropped on its way out of this machine's stack.
    nft(`table inet ${TABLE} {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    udp sport ${port} numgen random mod 100 < 40 drop\n  }\n}\n`);
    const hint = bob.page.getByTestId('weak-connection');
    await hint.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await hint.textContent()).toBe('您的网络较差，其他人可能看不清或听不清您。');
    await eventually(() => quality(alice.page, bob.id), (q) => q === 'poor');
    expect(await alice.page.getAttribute(`[data-participant-id="${bob.id}"] [data-testid="quality-indicator"]`, 'aria-label')).toBe('Connection: poor');
    // The loss is Bob's: Alice's own connection is not blamed for what Bob's uplink lost.
    expect(await alice.page.getByTestId('weak-connection').isVisible()).toBe(false);
    const lossy = await eventually(
      async () => (await metricData('uA2', Date.now() - 3000, Date.now())).body!.metricDataList ?? [],
      (l) => l.some((s) => Number(s.lostRate) >= 10),
    );
    expect(Math.max(...lossy.map((s) => Number(s.lostRate)))).toBeGreaterThanOrEqual(10);
    // The rule goes; the measurement follows.
    execFileSync('nft', ['delete', 'table', 'inet', TABLE]);
    await hint.waitFor({ state: 'hidden', timeout: 20_000 });
    await eventually(() => quality(alice.page, bob.id), (q) => q === 'good');
  });

  it('GetConfDetailData lists both with join and leave times; GetConfDataByConferenceId and GetHistoryConfDataList give the meeting', async () => {
    await people.bob.context.close();
    const rows = await eventually(
      async () => (await sdk().getConfDetailDataWithOptions(conferenceId, new $conference.GetConfDetailDataRequest({}), confHeaders(token), runtime())).body!.list!,
      (l) => l.some((r) => r.unionId === 'uA2' && r.leaveTime !== undefined),
    );
    const byUnion = Object.fromEntries(rows.map((r) => [r.unionId, r]));
    expect(Object.keys(byUnion).sort()).toEqual(['uA1', 'uA2']);
    expect(byUnion.uA1).toMatchObject({ nick: 'Alice', role: 'host', status: '3', deviceType: 'web' });
    expect(byUnion.uA1!.joinTime).toBeGreaterThanOrEqual(t0);
    expect(byUnion.uA1!.leaveTime).toBeUndefined();
    expect(byUnion.uA2).toMatchObject({ nick: 'Bob', role: 'participant', status: '6' });
    expect(byUnion.uA2!.leaveTime!).toBeGreaterThan(byUnion.uA2!.joinTime!);
    // Measured connection quality over the meeting, in words.
    for (const row of rows) expect(['good', 'fair', 'poor']).toContain(row.networkQuality);

    const record = (await sdk().getConfDataByConferenceIdWithOptions(conferenceId, new $conference.GetConfDataByConferenceIdRequest({ realData: true }), confHeaders(token), runtime())).body!;
    expect(record).toMatchObject({ conferenceId, title: 'Measured meeting', creatorId: 'uA1', creatorNick: 'Alice', userCount: 2 });
    expect(record.timeLength).toBeGreaterThan(5_000);

    const history = (window: [number, number]) =>
      sdk().getHistoryConfDataListWithOptions(new $conference.GetHistoryConfDataListRequest({ startTime: window[0], endTime: window[1], realData: true }), confHeaders(token), runtime());
    expect((await history([t0 - 1000, Date.now()])).body!.list!.map((m) => m.conferenceId)).toEqual([conferenceId]);
    expect((await history([t0 - 86_400_000, t0 - 1000])).body!.list).toEqual([]);
    // And an unknown meeting is the spec's error, through the SDK.
    const err = await sdkError(metricData('uA1', 0, 1).then(() => sdk().getUserMetricDataWithOptions('000000000000000000000000', new $conference.GetUserMetricDataRequest({ unionId: 'uA1', beginTime: 0, endTime: 1 }), confHeaders(token), runtime())));
    expect([err.statusCode, err.code]).toEqual([404, 'roomNotFound']);
  });
});
