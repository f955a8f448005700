/**
 * Three `vconf serve` processes on one PostgreSQL and one Redis, as a deployment runs them:
 * the API answers the same from any instance, budgets and limits are shared, and a control
 * sent to any instance reaches the room wherever it is hosted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { hashPassword } from '../../src/domain/passwords.js';
import { runCli } from '../cli/run-cli.js';
import { AttendStatus, MeetingStatus } from '../../src/domain/meeting.js';
import { $conference, appToken, conferenceClient, confHeaders, memberModels, runtime } from '../support/sdk.js';
import { admit, linkToken, RoomClient } from '../support/room-client.js';
import { requires } from '../support/requirements.js';
import { startInstances, type Instances } from '../../tools/cluster.js';
import { directory } from '../support/fixtures.js';

const ready = await requires(import.meta.url, 'postgres', 'redis');

describe.skipIf(!ready)('three instances on one PostgreSQL and Redis', () => {
  let cluster: Instances;
  let token: string;
  const at = (i: number) => cluster.list[i]!;

  beforeAll(async () => {
    // Bob can sign in to the web app, so his open page can be rung.
    const withPassword = structuredClone(directory) as { orgs: Array<{ users?: Array<{ unionId: string; passwordHash?: string }> }> };
    for (const org of withPassword.orgs) for (const u of org.users ?? []) if (u.unionId === 'uA2') u.passwordHash = hashPassword('bob-password');
    cluster = await startInstances({ count: 3, directory: withPassword, flags: ['--qps-limit', '20'] });
    token = await appToken(at(0).endpoint, 'acme-app', 's3cret');
  }, 120_000);
  afterAll(async () => cluster?.stop());

  async function create(endpoint: string, title: string) {
    const res = await conferenceClient(endpoint).createVideoConferenceWithOptions(
      new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title }),
      confHeaders(token),
      runtime(),
    );
    return res.body!;
  }

  const info = async (endpoint: string, conferenceId: string) =>
    (await conferenceClient(endpoint).queryConferenceInfoWithOptions(conferenceId, confHeaders(token), runtime())).body!.confInfo!;

  it('creates on the first, queries on the second and closes on the third', async () => {
    const m = await create(at(0).endpoint, 'Across instances');
    expect((await info(at(1).endpoint, m.conferenceId!)).title).toBe('Across instances');
    await conferenceClient(at(2).endpoint).closeVideoConferenceWithOptions(m.conferenceId!, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(token), runtime());
    expect((await info(at(0).endpoint, m.conferenceId!)).status).toBe(MeetingStatus.ended);
    expect((await info(at(1).endpoint, m.conferenceId!)).status).toBe(MeetingStatus.ended);
  });

  it('counts wrong passcodes over all instances: ten spread over the three, then the eleventh is refused', async () => {
    const m = await create(at(0).endpoint, 'Guessing across instances');
    let cookie: string | undefined;
    for (let i = 0; i < 10; i++) {
      const wrong = await admit(at(i % 3).url, { roomCode: m.roomCode!, passcode: `${1000000000 + i}` }, cookie);
      cookie = wrong.cookie;
      expect(wrong.status).toBe(401);
    }
    const eleventh = await admit(at(1).url, { roomCode: m.roomCode!, passcode: m.conferencePassword! }, cookie);
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.code).toBe('tooManyAttempts');
  });

  it('holds an app’s QPS limit across instances', async () => {
    // 60 calls at once, 20 to each instance, against a limit of 20 per second for the app.
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        conferenceClient(at(i % 3).endpoint)
          .queryUserOnGoingConferenceWithOptions(new $conference.QueryUserOnGoingConferenceRequest({ unionId: 'uA1' }), confHeaders(token), runtime())
          .then(() => 'ok', (err: { code?: string }) => err.code ?? 'error'),
      ),
    );
    const elapsed = Date.now() - started;
    const ok = outcomes.filter((o) => o === 'ok').length;
    // One second's budget (two if the burst straddled a window edge), never three instances' worth.
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(elapsed < 1000 ? 40 : 60);
    expect(ok).toBeLessThan(60);
    expect(new Set(outcomes.filter((o) => o !== 'ok'))).toEqual(new Set(['Forbidden.AccessDenied.QpsLimitForAppkeyAndApi']));
  });

  it('puts people entering through different instances in one room, and a control sent to a third instance acts within a second', async () => {
    const m = await create(at(0).endpoint, 'One room');
    const link = linkToken(m.externalLinkUrl!);
    const ann = await RoomClient.enter(at(0).url, await admit(at(0).url, link), { name: 'Ann' });
    const ben = await RoomClient.enter(at(1).url, await admit(at(1).url, link), { name: 'Ben' });
    expect(ann.participantId).not.toBe('');
    // Both are in one live room: Ann hears of Ben wherever each entered.
    await ann.next((f) => f.type === 'participant-joined' && (f.participant as { name: string }).name === 'Ben', 3000);
    for (const target of [0, 1, 2]) {
      const before = ben.frames.length;
      const started = Date.now();
      await conferenceClient(at(target).endpoint).muteMembersWithOptions(
        m.conferenceId!,
        new $conference.MuteMembersRequest({ action: 'mute', userList: [new $conference.MuteMembersRequestUserList({ participantId: ben.participantId })] }),
        new $conference.MuteMembersHeaders({ xAcsDingtalkAccessToken: token }),
        runtime(),
      );
      await ben.next((f) => f.type === 'muted', 1000, before);
      expect(Date.now() - started).toBeLessThan(1000);
    }
    const members = await memberModels(at(2).endpoint, token, m.conferenceId!);
    expect(members.filter((x) => x.attendStatus === AttendStatus.active).map((x) => x.userNick).sort()).toEqual(['Ann', 'Ben']);
    ann.close();
    ben.close();
  });

  it('places a new room on the least-loaded live instance, not on the busy one it was entered through', async () => {
    // The earlier tests' rooms close as their people leave; start from instances that all report none.
    for (let i = 0; i < 100; i++) {
      const infos = await Promise.all([0, 1, 2].map((n) => cluster.instanceInfo(at(n).id)));
      if (infos.every((info) => (info?.rooms ?? 0) === 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const busy = await create(at(0).endpoint, 'Busy room');
    const people = await Promise.all(
      ['Cy', 'Di', 'Ed'].map(async (name) => RoomClient.enter(at(0).url, await admit(at(0).url, linkToken(busy.externalLinkUrl!)), { name })),
    );
    expect(await cluster.roomHost(busy.conferenceId!)).toBe(at(0).id);
    // The busy instance reports its load in its next heartbeat; the entry instance reads it in its own.
    for (let i = 0; i < 100 && ((await cluster.instanceInfo(at(0).id))?.participants ?? 0) < 3; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 2000));
    const fresh = await create(at(0).endpoint, 'Fresh room');
    const first = await RoomClient.enter(at(0).url, await admit(at(0).url, linkToken(fresh.externalLinkUrl!)), { name: 'Fay' });
    expect(first.participantId).not.toBe('');
    const host = await cluster.roomHost(fresh.conferenceId!);
    expect([at(1).id, at(2).id]).toContain(host);
    for (const c of [...people, first]) c.close();
  });

  it('rings a signed-in user’s page on another instance than the one the invitation reached', async () => {
    const res = await fetch(`${at(2).url}/api/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unionId: 'uA2', password: 'bob-password' }),
    });
    const cookie = /vconf_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0] ?? '';
    expect(cookie).not.toBe('');
    const page = new WebSocket(`${at(2).url.replace(/^http/, 'ws')}/rtc/user-ws`, { headers: { cookie } });
    const frames: Array<{ type: string; conferenceId?: string }> = [];
    page.on('message', (d) => frames.push(JSON.parse(String(d)) as { type: string }));
    await new Promise((resolve) => page.once('open', resolve));
    // The page's instance reports it in its next heartbeat; the first instance reads that in its own.
    for (let i = 0; i < 100 && ((await cluster.instanceInfo(at(2).id))?.userPages ?? 0) < 1; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 2000));
    const m = (
      await conferenceClient(at(0).endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Ringing across', inviteUserIds: ['uA2'] }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    for (let i = 0; i < 50 && !frames.some((f) => f.type === 'ring'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(frames.find((f) => f.type === 'ring')).toMatchObject({ type: 'ring', conferenceId: m.conferenceId });
    page.close();
  });

  it('refuses an instance without Redis on the database the others use, saying why', async () => {
    const data = mkdtempSync(join(tmpdir(), 'vconf-lone-'));
    const res = await runCli(['serve', '--port', '0', '--data', data, '--database', cluster.database.url]);
    rmSync(data, { recursive: true, force: true });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('several instances on one database need --redis');
  });
});
