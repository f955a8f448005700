/**
 * Two people in Chromium enter one meeting through different instances; the instance hosting
 * the room is killed with SIGKILL, and both are back in the meeting with media flowing, without
 * touching the page. Then SIGTERM: the hosting instance drains its people to another.
 */
import type { Browser, Page } from 'playwright-core';
import { AttendStatus } from '../../src/domain/meeting.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundTotals, launchBrowser, newParticipant, peerConnectionCount } from '../../tools/chromium.js';
import { enterRoom, eventually, expectMediaFromOthers } from '../e2e/support/room.js';
import { startInstances, type Instances } from '../../tools/cluster.js';
import { directory } from '../support/fixtures.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, memberModels, runtime } from '../support/sdk.js';

const ready = await requires(import.meta.url, 'postgres', 'redis', 'chromium');

/** Which instance hosts the meeting's room now, as the deployment's room directory in Redis says. */
async function hostIndex(cluster: Instances, conferenceId: string): Promise<number> {
  const host = await cluster.roomHost(conferenceId);
  return cluster.list.findIndex((i) => i.id === host);
}

/** Both pages decode video and receive audio on peer connections made after `marks`. */
async function mediaBack(pages: Page[], marks: number[]): Promise<void> {
  await Promise.all(
    pages.map(async (page, i) => {
      const first = await eventually(() => inboundTotals(page, marks[i]), (t) => t.videoStreams >= 1 && t.audioStreams >= 1, 20_000);
      await eventually(() => inboundTotals(page, marks[i]), (t) => t.framesDecoded > first.framesDecoded + 5, 10_000);
    }),
  );
}

describe.skipIf(!ready)('losing an instance', () => {
  let cluster: Instances;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    cluster = await startInstances({ count: 3, directory });
    token = await appToken(cluster.balancer.endpoint, 'acme-app', 's3cret');
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('kill -9 of the hosting instance: both people are back with audio and video within 15 s, and the records show the gap', async () => {
    const m = (
      await conferenceClient(cluster.balancer.endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Failover' }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    // Ann's balancer sends her to instance 1, Ben's to instance 2; the room lives on one of them.
    const viaFirst = await cluster.entryThrough(0);
    const viaSecond = await cluster.entryThrough(1);
    const link = new URL(m.externalLinkUrl!);
    const pages: Page[] = [];
    for (const [name, entry] of [['Ann', viaFirst], ['Ben', viaSecond]] as const) {
      const { page } = await newParticipant(browser);
      await page.goto(`${entry.url}${link.pathname}${link.search}`);
      await enterRoom(page, name);
      pages.push(page);
    }
    await Promise.all(pages.map((p) => expectMediaFromOthers(p, 1)));
    const host = await hostIndex(cluster, m.conferenceId!);
    expect([0, 1]).toContain(host);

    const marks = await Promise.all(pages.map((p) => peerConnectionCount(p)));
    const killedAt = Date.now();
    cluster.list[host]!.proc.kill('SIGKILL');
    await mediaBack(pages, marks);
    const recovered = Date.now() - killedAt;
    expect(recovered).toBeLessThan(15_000);

    const newHost = await hostIndex(cluster, m.conferenceId!);
    expect(newHost).toBeGreaterThanOrEqual(0);
    expect(newHost).not.toBe(host);
    // Each person is in the meeting again, and the time without a server is not counted as inside.
    const members = await memberModels(cluster.balancer.endpoint, token, m.conferenceId!);
    const people = members.filter((x) => x.userNick === 'Ann' || x.userNick === 'Ben');
    expect(people).toHaveLength(2);
    for (const p of people) {
      expect(p.attendStatus).toBe(AttendStatus.active);
      expect(p.duration!).toBeLessThan(Date.now() - p.joinTime! - 400);
    }
    // In the records: the visit on the lost instance closed at its last heartbeat (before the
    // kill), and a new visit began when the page came back.
    const rows = await cluster.query<{ leave_time: number; visit_started_at: number }>(
      'select leave_time::float8 as leave_time, visit_started_at::float8 as visit_started_at from meeting_members where conference_id = $1 and nick in ($2, $3)',
      [m.conferenceId!, 'Ann', 'Ben'],
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.leave_time).toBeGreaterThan(killedAt - 2500);
      expect(r.leave_time).toBeLessThanOrEqual(killedAt);
      expect(r.visit_started_at).toBeGreaterThan(killedAt);
    }
    console.log(`failover: media back on both pages ${recovered} ms after SIGKILL`);

    // SIGTERM drains: the new host sends both to the remaining instance, then exits by itself.
    const drainMarks = await Promise.all(pages.map((p) => peerConnectionCount(p)));
    const draining = cluster.list[newHost]!;
    draining.proc.kill('SIGTERM');
    await mediaBack(pages, drainMarks);
    expect(await draining.exited).toBe(0);
    const last = await hostIndex(cluster, m.conferenceId!);
    expect(last).not.toBe(newHost);
    expect(last).not.toBe(host);
    expect(last).toBeGreaterThanOrEqual(0);
  }, 120_000);
});
