/**
 * Issue 14 §1–2 with SIPp as the trunk's caller, no browser: the menu, refusals in words, the
 * host passcode starting a meeting, the meeting's end hanging up, and SIP's own refusals
 * (403 untrusted source, 488 no G.711, 415 not SDP, 422 short session timer, 481 unknown dialog,
 * 487 after CANCEL, 405 unknown method).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requires } from '../support/requirements.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, memberModels, runtime } from '../support/sdk.js';
import { runSipp, scenarioXml } from '../../tools/sipp.js';
import { sipConfig } from './support/dial-in.js';
import { RawSip, sdp, toTag } from './support/raw-sip.js';

const ready = await requires(import.meta.url, 'tool:sipp');

let server: TestServer;
let token: string;
let target: string;
let sipAt: { host: string; port: number };
/** The server's log lines: how a call ended (`why`, the last prompt's name) is read from them. */
const logLines: Array<{ msg?: string; why?: string; callId?: string }> = [];

async function raw(localIp = '127.0.0.1'): Promise<RawSip> {
  const ua = new RawSip(sipAt, localIp);
  await ua.open();
  return ua;
}

async function createMeeting(title: string) {
  const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title }),
    confHeaders(token),
    runtime(),
  );
  return res.body as { conferenceId: string; roomCode: string; conferencePassword: string; hostPassword: string };
}

async function eventually<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached in ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!ready)('dial-in: SIP and the voice menu (SIPp)', () => {
  beforeAll(async () => {
    // Ringing before the answer leaves CANCEL a window.
    const sip = { ...sipConfig(), ringMs: 300 };
    sipAt = { host: sip.host, port: sip.port };
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) });
    server = await startTestServer({ config: { sip }, logger });
    token = await appToken(server.endpoint, 'acme-app', 's3cret');
    target = `${sip.host}:${sip.port}`;
  });
  afterAll(async () => server?.stop());

  it.concurrent('refuses a source that is not the trusted trunk with 403', async () => {
    const ua = await raw('127.0.0.2');
    const branch = ua.send('INVITE', { headers: ['Content-Type: application/sdp'], body: sdp(ua.port + 2) });
    const refused = await ua.next();
    expect(refused.status).toBe(403);
    ua.send('ACK', { branch, toTag: toTag(refused) });
    ua.close();
  });

  it.concurrent('answers OPTIONS (trunk keep-alives) and refuses unknown methods with 405 and Allow', async () => {
    const ua = await raw();
    ua.send('OPTIONS');
    const ok = await ua.next();
    expect(ok.status).toBe(200);
    expect(ok.headers.allow).toContain('INVITE');
    ua.send('MESSAGE', { cseq: 2 });
    const refused = await ua.next();
    expect(refused.status).toBe(405);
    expect(refused.headers.allow).toContain('BYE');
    ua.close();
  });

  it.concurrent('refuses offers it cannot take: 488 without G.711 or with SRTP, 415 for a body that is not SDP, 420 for unknown extensions, 422 for a short session timer', async () => {
    const ua = await raw();
    const cases: Array<[string[], string, number]> = [
      [['Content-Type: application/sdp'], sdp(40000, '18', ['a=rtpmap:18 G729/8000']), 488],
      [['Content-Type: application/sdp'], sdp(40000, '8', ['a=rtpmap:8 PCMA/8000'], 'RTP/SAVP'), 488],
      [['Content-Type: text/plain'], 'hello', 415],
      [['Content-Type: application/sdp', 'Require: 100rel-nonsense'], sdp(40000), 420],
      [['Content-Type: application/sdp', 'Supported: timer', 'Session-Expires: 30'], sdp(40000), 422],
    ];
    for (const [headers, body, status] of cases) {
      // Each a new call: a new Call-ID is not needed, a new transaction (branch) and no dialog is made.
      const branch = ua.send('INVITE', { headers, body });
      const r = await ua.next();
      expect(r.status, body).toBe(status);
      if (status === 422) expect(r.headers['min-se']).toBe('90');
      // The ACK of a refusal belongs to the INVITE's transaction (RFC 3261 17.1.1.3): its branch, the
      // response's To tag. With a branch of its own it matched nothing, vconf resent the refusal for 32 s,
      // and a SIPp that took this port next failed on the strays (a CI run).
      ua.send('ACK', { branch, toTag: toTag(r) });
    }
    // Acknowledged refusals are not resent (the first resend would come after 500 ms).
    expect(await ua.unasked(1_200)).toEqual([]);
    ua.close();
  });

  it.concurrent('481 for BYE and INFO outside any dialog', async () => {
    const ua = await raw();
    ua.send('BYE', { toTag: 'nosuch' });
    expect((await ua.next()).status).toBe(481);
    ua.send('INFO', { toTag: 'nosuch', cseq: 2, headers: ['Content-Type: application/dtmf-relay'], body: 'Signal=5\r\nDuration=160' });
    expect((await ua.next()).status).toBe(481);
    ua.close();
  });

  it.concurrent('CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE, no call left', async () => {
    const ua = await raw();
    const branch = ua.send('INVITE', { headers: ['Content-Type: application/sdp'], body: sdp(ua.port + 2) });
    expect((await ua.next({ provisional: true })).status).toBe(100);
    expect((await ua.next({ provisional: true })).status).toBe(180);
    ua.send('CANCEL', { branch });
    const responses = [await ua.next(), await ua.next()];
    expect(responses.map((r) => `${r.status} ${r.headers.cseq}`).sort()).toEqual(['200 1 CANCEL', '487 1 INVITE']);
    ua.send('ACK', { branch, toTag: toTag(responses.find((r) => r.status === 487)!) });
    await eventually(() => server.running.ctx.sip?.hasCall(ua.callId), (up) => up === false, 3000);
    ua.close();
  });

  it.concurrent('negotiates RFC 4028 session timers, takes a refreshing re-INVITE and UPDATE, and a BYE', async () => {
    const ua = await raw();
    ua.send('INVITE', { headers: ['Content-Type: application/sdp', 'Supported: timer', 'Session-Expires: 600;refresher=uac'], body: sdp(ua.port + 2) });
    const ok = await ua.next();
    expect(ok.status).toBe(200);
    expect(ok.headers['session-expires']).toBe('600;refresher=uac');
    expect(ok.headers.require).toBe('timer');
    expect(ok.body).toMatch(/m=audio \d+ RTP\/AVP 8 101/);
    const tag = toTag(ok);
    ua.send('ACK', { toTag: tag });
    // A re-INVITE moving the media to another port gets a new answer (a new session version).
    ua.send('INVITE', { cseq: 2, toTag: tag, headers: ['Content-Type: application/sdp', 'Supported: timer', 'Session-Expires: 600;refresher=uac'], body: sdp(ua.port + 4) });
    const re = await ua.next();
    expect(re.status).toBe(200);
    expect(/o=vconf \d+ (\d+)/.exec(re.body)?.[1]).toBe('2');
    ua.send('ACK', { cseq: 2, toTag: tag });
    ua.send('UPDATE', { cseq: 3, toTag: tag, headers: ['Supported: timer', 'Session-Expires: 600;refresher=uac'] });
    const updated = await ua.next();
    expect(updated.status).toBe(200);
    expect(updated.headers['session-expires']).toBe('600;refresher=uac');
    ua.send('BYE', { cseq: 4, toTag: tag });
    expect((await ua.next()).status).toBe(200);
    await eventually(() => server.running.ctx.sip?.hasCall(ua.callId), (up) => up === false, 3000);
    ua.close();
  });

  it.concurrent('three wrong passcodes end the call; a number over its failure limit is refused even with the right passcode, another number is not', { timeout: 120_000 }, async () => {
    const m = await createMeeting('Wrong passcodes');
    const wrong = `${m.roomCode}#1111111111#`;
    // Four calls at once from one number, three wrong tries each: 12 failures, over the 10 per number and meeting.
    const tries = await runSipp(target, scenarioXml({ from: '13500000009', steps: [{ keys: wrong + wrong + wrong }, { awaitBye: 60_000 }] }), { service: '13500000009', calls: 4 });
    expect(tries.errors, tries.stdout).toBe('');
    expect(tries.code).toBe(0);
    // The right (host) passcode from that number: refused by the failure limit, hung up.
    const blockedCall = runSipp(target, scenarioXml({ from: '13500000009', steps: [{ keys: `${m.roomCode}#${m.hostPassword}#` }, { awaitBye: 40_000 }] }), { service: '13500000009' });
    // Meanwhile another number with the same passcode gets in.
    const other = runSipp(target, scenarioXml({ from: '13500000010', steps: [{ keys: `${m.roomCode}#${m.hostPassword}#` }, { pause: 1500 }, { bye: true }] }), { service: '13500000010' });
    await eventually(() => memberModels(server.endpoint, token, m.conferenceId), (list) => list.some((x) => x.pstnJoin && x.userNick === '135****0010'));
    expect((await other).code).toBe(0);
    expect((await blockedCall).code).toBe(0);
    expect((await memberModels(server.endpoint, token, m.conferenceId)).filter((x) => x.pstnJoin).map((x) => x.userNick)).toEqual(['135****0010']);
  });

  it.concurrent('a locked meeting is told in words to a participant caller, who is hung up, while the host caller stays', { timeout: 90_000 }, async () => {
    const m = await createMeeting('Locked');
    const host = runSipp(target, scenarioXml({ from: '13900000003', steps: [{ keys: `${m.roomCode}#${m.hostPassword}#` }, { awaitBye: 80_000 }] }), { service: '13900000003' });
    await eventually(() => memberModels(server.endpoint, token, m.conferenceId), (list) => list.some((x) => x.pstnJoin && x.attendStatus === 3));
    await conferenceClient(server.endpoint).lockConferenceWithOptions(m.conferenceId, new $conference.LockConferenceRequest({ action: 'lock' }), confHeaders(token), runtime());
    const refused = await runSipp(target, scenarioXml({ from: '13900000004', steps: [{ keys: `${m.roomCode}#${m.conferencePassword}#` }, { awaitBye: 40_000 }] }), { service: '13900000004' });
    expect(refused.errors, refused.stdout).toBe('');
    expect(refused.code).toBe(0);
    const phones = (await memberModels(server.endpoint, token, m.conferenceId)).filter((x) => x.pstnJoin);
    expect(phones.map((x) => [x.userNick, x.attendStatus])).toEqual([['139****0003', 3]]);
    await conferenceClient(server.endpoint).closeVideoConferenceWithOptions(m.conferenceId, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(token), runtime());
    expect((await host).code).toBe(0);
  });

  it.concurrent('a participant passcode for a meeting nobody started is told so, then hung up', { timeout: 60_000 }, async () => {
    const m = await createMeeting('Not started');
    const run = await runSipp(target, scenarioXml({ from: '13900000001', steps: [{ keys: `${m.roomCode}#${m.conferencePassword}#` }, { awaitBye: 30_000 }] }), { service: '13900000001' });
    expect(run.errors, run.stdout).toBe('');
    expect(run.code).toBe(0);
    expect((await memberModels(server.endpoint, token, m.conferenceId)).filter((x) => x.pstnJoin)).toEqual([]);
  });

  it.concurrent('the host passcode starts the meeting; CloseVideoConference hangs the caller up', { timeout: 90_000 }, async () => {
    const m = await createMeeting('Host by phone');
    const call = runSipp(target, scenarioXml({ from: '13900000002', steps: [{ keys: `${m.roomCode}#${m.hostPassword}#` }, { awaitBye: 60_000 }] }), { service: '13900000002' });
    const members = await eventually(() => memberModels(server.endpoint, token, m.conferenceId), (list) => list.some((x) => x.pstnJoin && x.attendStatus === 3));
    const phone = members.find((x) => x.pstnJoin)!;
    expect(phone.host).toBe(true);
    expect(phone.userNick).toBe('139****0002');
    await conferenceClient(server.endpoint).closeVideoConferenceWithOptions(m.conferenceId, new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }), confHeaders(token), runtime());
    const run = await call;
    expect(run.errors, run.stdout).toBe('');
    expect(run.code).toBe(0);
    expect(server.running.ctx.rooms.live(m.conferenceId)).toBeUndefined();
  });

  // Not concurrent: its four calls would not fit in this server's RTP ports beside the others'.
  it('a meeting at its capacity is told "full" in words, and the caller is hung up', { timeout: 90_000 }, async () => {
    // Small Corp allows 3 people per meeting: a host and two participants by phone fill it.
    const small = await appToken(server.endpoint, 'small-app', 'sm4ll');
    const m = (
      await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uS1', confTitle: 'Small by phone', inviteCaller: false }),
        confHeaders(small),
        runtime(),
      )
    ).body as { conferenceId: string; roomCode: string; conferencePassword: string; hostPassword: string };
    const stay = (from: string, passcode: string) => runSipp(target, scenarioXml({ from, steps: [{ keys: `${m.roomCode}#${passcode}#` }, { awaitBye: 80_000 }] }), { service: from });
    const inside = [stay('13300000001', m.hostPassword)];
    await eventually(() => server.running.ctx.rooms.live(m.conferenceId)?.size ?? 0, (n) => n === 1, 30_000);
    inside.push(stay('13300000002', m.conferencePassword), stay('13300000003', m.conferencePassword));
    await eventually(() => server.running.ctx.rooms.live(m.conferenceId)?.size ?? 0, (n) => n === 3, 30_000);
    const refused = await runSipp(target, scenarioXml({ from: '13300000004', steps: [{ keys: `${m.roomCode}#${m.conferencePassword}#` }, { awaitBye: 40_000 }] }), { service: '13300000004' });
    expect(refused.errors, refused.stdout).toBe('');
    expect(refused.code).toBe(0);
    // The call ended after the "full" prompt (its name is the hang-up's reason); no other test's call hears it.
    expect(logLines.filter((l) => l.msg === 'call ended' && l.why === 'full')).toHaveLength(1);
    expect(server.running.ctx.rooms.live(m.conferenceId)?.size).toBe(3);
    const phones = (await memberModels(server.endpoint, small, m.conferenceId)).filter((x) => x.pstnJoin);
    expect(phones.map((x) => x.userNick).sort()).toEqual(['133****0001', '133****0002', '133****0003']);
    await conferenceClient(server.endpoint).closeVideoConferenceWithOptions(m.conferenceId, new $conference.CloseVideoConferenceRequest({ unionId: 'uS1' }), confHeaders(small), runtime());
    for (const run of await Promise.all(inside)) expect(run.code).toBe(0);
  });
});
