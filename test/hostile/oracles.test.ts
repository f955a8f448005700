/**
 * Finding 7: QueryConferenceInfoByRoomCode answered noPermission for another organization's room
 * and invalidRoomCode for an unused code, and the join-link path had no attempt limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $conference, appToken, conferenceClient, runtime, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { acmeToken, admitRaw, createMeeting, median } from './support.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { trustProxy: ['127.0.0.1'] } });
});
afterAll(async () => server.stop());

function byRoomCode(code: string, token: string) {
  return conferenceClient(server.endpoint).queryConferenceInfoByRoomCodeWithOptions(
    code,
    new $conference.QueryConferenceInfoByRoomCodeRequest({}),
    new $conference.QueryConferenceInfoByRoomCodeHeaders({ xAcsDingtalkAccessToken: token }),
    runtime(),
  );
}

describe('hostile: existence oracles', () => {
  it("answers another organization's room code exactly as an unused one, in about the same time", async () => {
    const acme = await acmeToken(server);
    const beta = await appToken(server.endpoint, 'beta-app', 'b3ta');
    const theirs = await createMeeting(server, acme, 'Acme only');
    const other = await sdkError(byRoomCode(theirs.roomCode!, beta));
    const none = await sdkError(byRoomCode('19999999998', beta));
    expect([other.statusCode, other.code, other.message.replace(/request id: \S+/i, '')]).toEqual([none.statusCode, none.code, none.message.replace(/request id: \S+/i, '')]);
    expect(other.code).toBe('invalidRoomCode');
    // Alternating, so both see the same load; medians of the server-side handling through HTTP.
    const existing: number[] = [];
    const unused: number[] = [];
    const time = async (code: string) => {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/v1.0/conference/roomCodes/${code}/infos`, { headers: { 'x-acs-dingtalk-access-token': beta } });
      await res.arrayBuffer();
      return performance.now() - t0;
    };
    for (let i = 0; i < 150; i++) {
      existing.push(await time(theirs.roomCode!));
      unused.push(await time(String(19_000_000_000 + i)));
    }
    const diff = median(existing) - median(unused);
    console.log(`room code oracle: other org ${median(existing).toFixed(3)} ms, unused ${median(unused).toFixed(3)} ms`);
    expect(Math.abs(diff)).toBeLessThan(0.3);
  });

  it('limits wrong join-link tokens per browser and per network', async () => {
    const m = await createMeeting(server, await acmeToken(server));
    const link = new URL(m.externalLinkUrl!);
    const roomCode = link.searchParams.get('roomCode')!;
    // One browser: ten wrong tokens, then refused.
    let cookie: string | undefined;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await admitRaw(server, { roomCode, token: `guess-${i}` }, { 'x-forwarded-for': '203.0.113.5', ...(cookie ? { cookie } : {}) });
      statuses.push(r.status);
      cookie = r.device;
    }
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Fresh cookies from one network run out too.
    let refused = 0;
    for (let i = 0; i < 60; i++) {
      const r = await admitRaw(server, { roomCode, token: `sweep-${i}` }, { 'x-forwarded-for': '203.0.113.6' });
      if (r.status === 429) refused++;
    }
    expect(refused).toBeGreaterThan(15);
    // Someone else with the real link is not affected.
    const right = await admitRaw(server, { roomCode, token: link.searchParams.get('token') }, { 'x-forwarded-for': '198.51.100.77' });
    expect(right.status).toBe(200);
  });
});
