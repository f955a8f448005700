/**
 * Finding 3: behind a reverse proxy every client shared the proxy's address, so one attacker's bad
 * guesses refused everyone's right passcode, and cookies never got `Secure`. With --trust-proxy
 * the client's address is the forwarded one and X-Forwarded-Proto: https makes cookies Secure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { acmeToken, admitRaw, createMeeting } from './support.js';

let proxied: TestServer;
let direct: TestServer;

beforeAll(async () => {
  [proxied, direct] = await Promise.all([startTestServer({ config: { trustProxy: ['127.0.0.1'] } }), startTestServer()]);
});
afterAll(async () => Promise.all([proxied?.stop(), direct?.stop()]));

describe('hostile: behind a reverse proxy', () => {
  it('counts the attacker, not the proxy: 100 bad guesses from one client leave others their right passcode', async () => {
    const token = await acmeToken(proxied);
    const target = await createMeeting(proxied, token);
    const other = await createMeeting(proxied, token);
    // The attacker drops its cookie every time, from one address behind the proxy.
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      for (const m of [target, other]) {
        const r = await admitRaw(proxied, { roomCode: m.roomCode, passcode: String(1000000000 + i) }, attacker);
        if (r.status === 429) refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    // Someone else behind the same proxy, a fresh browser, with the right passcodes.
    for (const m of [target, other]) {
      const r = await admitRaw(proxied, { roomCode: m.roomCode, passcode: m.conferencePassword }, { 'x-forwarded-for': '198.51.100.7' });
      expect(r.status).toBe(200);
    }
  });

  it('makes cookies Secure behind a trusted proxy that says https, and only then', async () => {
    const token = await acmeToken(proxied);
    const m = await createMeeting(proxied, token);
    const viaHttps = await admitRaw(proxied, { roomCode: m.roomCode, passcode: m.conferencePassword }, { 'x-forwarded-for': '198.51.100.8', 'x-forwarded-proto': 'https' });
    expect(viaHttps.status).toBe(200);
    expect(viaHttps.setCookie).toMatch(/;\s*Secure/i);
    const plain = await admitRaw(proxied, { roomCode: m.roomCode, passcode: m.conferencePassword }, { 'x-forwarded-for': '198.51.100.9' });
    expect(plain.setCookie).not.toMatch(/;\s*Secure/i);
    // An untrusted client cannot claim https or another address.
    const dm = await createMeeting(direct, await acmeToken(direct));
    const forged = await admitRaw(direct, { roomCode: dm.roomCode, passcode: dm.conferencePassword }, { 'x-forwarded-proto': 'https' });
    expect(forged.setCookie).not.toMatch(/;\s*Secure/i);
  });

  it('reads --trust-proxy and VCONF_TRUST_PROXY; default none; rejects garbage', () => {
    expect(resolveConfig([], {}).trustProxy).toEqual([]);
    expect(resolveConfig(['--trust-proxy', '10.0.0.0/8, ::1'], {}).trustProxy).toEqual(['10.0.0.0/8', '::1']);
    expect(resolveConfig([], { VCONF_TRUST_PROXY: '192.0.2.1' }).trustProxy).toEqual(['192.0.2.1']);
    expect(() => resolveConfig(['--trust-proxy', 'proxy.local'], {})).toThrow(/trust-proxy/);
    expect(() => resolveConfig(['--trust-proxy', '10.0.0.0/33'], {})).toThrow(/trust-proxy/);
  });
});
