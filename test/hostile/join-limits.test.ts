/**
 * Finding 4: about 100 addresses (one IPv6 /64 is that many) locked everyone out of a meeting,
 * and ten wrong tries behind one office address locked all colleagues out. Limits now count per
 * browser and per network (IPv6 by /64), a shared network gets more than one browser, and other
 * people's failures never refuse the right passcode from a browser that has not failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { acmeToken, admitRaw, createMeeting } from './support.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ config: { trustProxy: ['127.0.0.1'] } });
  token = await acmeToken(server);
});
afterAll(async () => server.stop());

const from = (address: string, cookie?: string) => ({ 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) });

describe('hostile: failure limits', () => {
  it('100 addresses × 10 wrong guesses do not lock a newcomer out of the right participant or host passcode', async () => {
    const m = await createMeeting(server, token);
    const guesses: Array<Promise<unknown>> = [];
    for (let a = 0; a < 100; a++) {
      guesses.push(
        (async () => {
          let cookie: string | undefined;
          for (let i = 0; i < 10; i++) {
            const r = await admitRaw(server, { roomCode: m.roomCode, passcode: String(2000000000 + a * 10 + i) }, from(`10.9.${a}.1`, cookie));
            expect(r.status).toBe(401);
            cookie = r.device;
          }
        })(),
      );
    }
    await Promise.all(guesses);
    const participant = await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from('192.0.2.10'));
    expect(participant.status).toBe(200);
    const host = await admitRaw(server, { roomCode: m.roomCode, passcode: m.hostPassword }, from('2001:db8:ffff:1::10'));
    expect(host.body.role).toBe('host');
  });

  it('counts an IPv6 /64 as one network: rotating addresses and cookies inside it runs out', async () => {
    const m = await createMeeting(server, token);
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) {
      const r = await admitRaw(server, { roomCode: m.roomCode, passcode: String(3000000000 + i) }, from(`2001:db8:77:1::${(i + 1).toString(16)}`));
      statuses.push(r.status);
    }
    // 30 failures for the network, then only the few vouched-for new browsers get a try each.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    // Another /64 of the same /48 is another network.
    const neighbour = await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from('2001:db8:77:2::1'));
    expect(neighbour.status).toBe(200);
  });

  it('behind one office address: a colleague\'s ten wrong tries, or an attacker\'s hundred, do not refuse another colleague', async () => {
    const office = '198.51.100.200';
    const m = await createMeeting(server, token);
    // A colleague whose browser has been here before (it joined another meeting earlier).
    const earlier = await createMeeting(server, token);
    const colleague = await admitRaw(server, { roomCode: earlier.roomCode, passcode: earlier.conferencePassword }, from(office));
    expect(colleague.status).toBe(200);
    // Someone in the office mistypes ten times: their own browser is refused, nobody else's.
    let clumsy: string | undefined;
    for (let i = 0; i < 10; i++) clumsy = (await admitRaw(server, { roomCode: m.roomCode, passcode: String(4000000000 + i) }, from(office, clumsy))).device;
    expect((await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from(office, clumsy))).status).toBe(429);
    // An attacker in the office with fresh cookies every time uses up the office's allowance.
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      const r = await admitRaw(server, { roomCode: m.roomCode, passcode: String(5000000000 + i) }, from(office));
      if (r.status === 429) refused++;
    }
    expect(refused).toBeGreaterThan(50);
    // The colleague's browser has not failed: the right passcode still admits it.
    const right = await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword }, from(office, colleague.device));
    expect(right.status).toBe(200);
  });
});

describe('hostile: sign-in failure limits', () => {
  it("others' failures on an account from many networks do not refuse its owner's browser; the attacker's own browser is refused", async () => {
    const { hashPassword } = await import('../../src/domain/passwords.js');
    const { directory } = await import('../support/fixtures.js');
    const doc = structuredClone(directory) as { orgs: Array<{ users?: Array<{ unionId: string; passwordHash?: string }> }> };
    doc.orgs[0]!.users!.find((u) => u.unionId === 'uA2')!.passwordHash = hashPassword('bob-password', { N: 1024, r: 8, p: 1 });
    const s = await startTestServer({ directory: doc, config: { trustProxy: ['127.0.0.1'] } });
    try {
      const signIn = async (password: string, address: string, cookie?: string) => {
        const res = await fetch(`${s.url}/api/signin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) },
          body: JSON.stringify({ unionId: 'uA2', password }),
        });
        await res.arrayBuffer();
        return { status: res.status, device: /vconf_device=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0] ?? cookie ?? '' };
      };
      // Bob's own browser, known from before.
      const bob = await signIn('bob-password', '192.0.2.200');
      expect(bob.status).toBe(200);
      // 60 networks × 2 wrong passwords: the account's shared allowance (50) is gone.
      for (let n = 0; n < 60; n++) for (let i = 0; i < 2; i++) await signIn(`wrong-${n}-${i}`, `10.77.${n}.1`);
      // Bob on a new device elsewhere has not failed: he gets in (old code: 429 for everyone).
      expect((await signIn('bob-password', '10.77.200.1')).status).toBe(200);
      // An attacker's browser that failed ten times is refused, even with the right password...
      let attacker = await signIn('wrong', '10.77.201.1');
      for (let i = 0; i < 10; i++) attacker = await signIn(`wrong-${i}`, '10.77.201.1', attacker.device);
      expect((await signIn('bob-password', '10.77.201.1', attacker.device)).status).toBe(429);
      // ...but Bob, from his browser, signs in.
      expect((await signIn('bob-password', '192.0.2.200', bob.device)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
});
