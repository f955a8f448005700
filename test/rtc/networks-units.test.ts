/** The pieces of "real networks" that need no browser: flags, TURN REST credentials, ICE-TCP candidates. */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpPeer } from '../../bench/support/rtp-peer.js';
import { ConfigError, resolveConfig } from '../../src/config.js';
import { clientIceFor, turnCredential } from '../../src/rtc/ice-servers.js';
import { Sfu } from '../../src/rtc/sfu/sfu.js';
import { rtcConfig } from '../../web/src/rtc/ice.js';

describe('network flags', () => {
  it('parses TLS, the redirect port and its default', () => {
    const tls = resolveConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--port', '8443', '--http-redirect-port', '8080']).tls;
    expect(tls).toEqual({ certFile: 'c.pem', keyFile: 'k.pem', redirectPort: 8080 });
    expect(resolveConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--port', '443']).tls?.redirectPort).toBe(80);
    expect(resolveConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--port', '8443']).tls?.redirectPort).toBeUndefined();
    expect(resolveConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--port', '443', '--http-redirect-port', 'off']).tls?.redirectPort).toBeUndefined();
    expect(resolveConfig([], { VCONF_TLS_CERT: 'c.pem', VCONF_TLS_KEY: 'k.pem' }).tls?.certFile).toBe('c.pem');
    expect(resolveConfig([]).tls).toBeUndefined();
    expect(() => resolveConfig(['--tls-cert', 'c.pem'])).toThrow(ConfigError);
    expect(() => resolveConfig(['--http-redirect-port', '80'])).toThrow(/needs --tls-cert/);
  });

  it('parses TURN URLs, secret, lifetime, the ICE policy and ICE-TCP', () => {
    const c = resolveConfig(['--turn-url', 'turn:turn.example.com:3478?transport=udp, turns:turn.example.com:5349?transport=tcp', '--turn-secret', 's', '--ice-transport-policy', 'relay']);
    expect(c.turn).toEqual({ urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349?transport=tcp'], secret: 's', ttlMs: 12 * 3600_000 });
    expect(c.iceTransportPolicy).toBe('relay');
    expect(resolveConfig(['--turn-url', 'turn:10.0.0.1', '--turn-secret', 's', '--turn-ttl', '30m']).turn?.ttlMs).toBe(1_800_000);
    expect(resolveConfig([]).turn).toBeUndefined();
    expect(resolveConfig([]).rtcTcp).toBe(true);
    expect(resolveConfig(['--rtc-tcp', 'off']).rtcTcp).toBe(false);
    expect(() => resolveConfig(['--turn-url', 'http://turn.example.com', '--turn-secret', 's'])).toThrow(/turn: or turns:/);
    expect(() => resolveConfig(['--turn-url', 'turn:turn.example.com'])).toThrow(/needs --turn-secret/);
    expect(() => resolveConfig(['--turn-secret', 's'])).toThrow(/needs --turn-url/);
    expect(() => resolveConfig(['--ice-transport-policy', 'relay'])).toThrow(/needs --turn-url/);
    expect(() => resolveConfig(['--rtc-tcp', 'maybe'])).toThrow(/on or off/);
  });
});

describe('TURN REST credentials', () => {
  it("are coturn's use-auth-secret scheme: expiry:who, base64(HMAC-SHA1(secret, username))", () => {
    const now = Date.UTC(2026, 11, 7, 6, 0, 0);
    const { username, credential } = turnCredential('top-secret', 12 * 3600_000, 'p-123', now);
    expect(username).toBe(`${now / 1000 + 12 * 3600}:p-123`);
    expect(credential).toBe(createHmac('sha1', 'top-secret').update(username).digest('base64'));
    // Characters a TURN username must not carry are dropped; an empty tag becomes a random one.
    expect(turnCredential('s', 60_000, 'a:b c', now).username).toBe(`${now / 1000 + 60}:abc`);
    expect(turnCredential('s', 60_000, ':::', now).username).toMatch(/^\d+:[0-9a-f]{16}$/);
  });

  it("the page builds its peer connections from welcome.ice: TURN servers and the server's policy", () => {
    const ice = clientIceFor({ urls: ['turn:10.0.0.1:3478?transport=udp'], secret: 's', ttlMs: 3600_000 }, 'relay')('alice');
    expect(rtcConfig(ice)).toEqual({ iceServers: ice.iceServers, iceTransportPolicy: 'relay', bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    // An older server sends no `ice`: no ICE servers, every candidate allowed.
    expect(rtcConfig(undefined)).toMatchObject({ iceServers: [], iceTransportPolicy: 'all' });
  });

  it('each participant gets its own credential; none without --turn-url', () => {
    const ice = clientIceFor({ urls: ['turn:10.0.0.1:3478?transport=udp'], secret: 's', ttlMs: 3600_000 }, 'relay');
    const a = ice('alice');
    expect(a.iceTransportPolicy).toBe('relay');
    expect(a.iceServers).toEqual([{ urls: ['turn:10.0.0.1:3478?transport=udp'], username: expect.stringMatching(/^\d+:alice$/), credential: expect.any(String) }]);
    expect(ice('bob').iceServers[0]!.credential).not.toBe(a.iceServers[0]!.credential);
    expect(clientIceFor(undefined, 'all')('alice')).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
  });
});

describe('ICE-TCP', () => {
  let sfu: Sfu | undefined;
  let peer: RtpPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    await sfu?.close();
  });

  async function answerOf(tcp: boolean): Promise<string> {
    sfu = new Sfu({ listenIp: '127.0.0.1', portRange: [47100, 47199], tcp });
    const room = sfu.room('c1');
    peer = new RtpPeer({ name: 'p' });
    await room.addParticipant('p');
    peer.addSource('mic');
    const { sdp, tracks } = await peer.publishOffer();
    return room.publish('p', sdp, tracks);
  }

  it('the SFU offers a passive TCP host candidate on a port of its range, next to the UDP one', async () => {
    const answer = await answerOf(true);
    // (werift also lists an active one, port 9, which only ever connects out.)
    const tcp = answer.split('\r\n').filter((l) => / tcp .* typ host tcptype passive/i.test(l));
    expect(tcp).toHaveLength(1);
    expect(tcp[0]).toMatch(/ 127\.0\.0\.1 (\d+) typ host tcptype passive/);
    const port = Number(/ 127\.0\.0\.1 (\d+) typ host/.exec(tcp[0]!)![1]);
    expect(port).toBeGreaterThanOrEqual(47100);
    expect(port).toBeLessThanOrEqual(47199);
    expect(answer).toMatch(/ udp \d+ 127\.0\.0\.1 \d+ typ host/i);
  });

  it('and none with --rtc-tcp off', async () => {
    expect(await answerOf(false)).not.toMatch(/ tcp /i);
  });
});
