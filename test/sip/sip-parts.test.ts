/** The pure parts of dial-in: SDP offers and answers, keys, session timers, masked numbers, the flags. */
import { describe, expect, it } from 'vitest';
import { readOffer, writeAnswer } from '../../src/sip/sdp.js';
import { infoKey, TelephoneEvents } from '../../src/sip/dtmf.js';
import { negotiateTimer, expiryMs } from '../../src/sip/session-timer.js';
import { maskNumber } from '../../src/domain/dial-in.js';
import { ConfigError, resolveConfig } from '../../src/config.js';
import { buildRtp, parseRtp } from '../../src/sip/rtp-packet.js';

const offer = (m: string, ...attrs: string[]) => ['v=0', 'o=a 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', m, ...attrs, ''].join('\r\n');

describe('SDP offer and answer', () => {
  it('takes the first G.711 law offered and telephone-event, and answers with exactly those', () => {
    const v = readOffer(offer('m=audio 4000 RTP/AVP 18 0 8 101', 'a=rtpmap:18 G729/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv'));
    expect(v).toEqual({ ok: true, offer: { address: '10.0.0.1', port: 4000, law: 'PCMU', payloadType: 0, eventPayloadType: 101, direction: 'sendrecv' } });
    if (!v.ok) return;
    const answer = writeAnswer(v.offer, { address: '192.0.2.5', port: 41000, sessionId: '7', version: 2 });
    expect(answer).toContain('m=audio 41000 RTP/AVP 0 101\r\n');
    expect(answer).toContain('o=vconf 7 2 IN IP4 192.0.2.5');
    expect(answer).toContain('a=rtpmap:101 telephone-event/8000');
  });

  it('answers hold with the mirrored direction; media-level c= wins over the session one', () => {
    const v = readOffer(offer('m=audio 4000 RTP/AVP 8', 'c=IN IP4 10.0.0.9', 'a=sendonly'));
    expect(v.ok && v.offer).toMatchObject({ address: '10.0.0.9', law: 'PCMA', eventPayloadType: undefined, direction: 'sendonly' });
    if (v.ok) expect(writeAnswer(v.offer, { address: '192.0.2.5', port: 1, sessionId: '1', version: 1 })).toContain('a=recvonly');
  });

  it('refuses what it cannot take, saying why', () => {
    expect(readOffer(offer('m=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000'))).toEqual({ ok: false, why: 'neither PCMU nor PCMA offered' });
    expect(readOffer(offer('m=audio 4000 RTP/SAVP 0')).ok).toBe(false);
    expect(readOffer(offer('m=video 4000 RTP/AVP 96')).ok).toBe(false);
    expect(readOffer('hello').ok).toBe(false);
    expect(readOffer(offer('m=audio 0 RTP/AVP 0')).ok).toBe(false);
  });
});

describe('keys', () => {
  it('one press per event however many packets carry it; a replayed press after its end counts again', () => {
    const t = new TelephoneEvents();
    const pkt = (event: number, end: boolean) => Uint8Array.from([event, end ? 0x8a : 0x0a, 0, 160]);
    const keys = [
      t.packet(100, true, pkt(1, false)),
      t.packet(100, false, pkt(1, false)),
      t.packet(100, false, pkt(1, true)),
      t.packet(100, false, pkt(1, true)),
      t.packet(100, true, pkt(1, false)),
      t.packet(900, true, pkt(11, false)),
      t.packet(1700, true, pkt(10, false)),
    ].filter(Boolean);
    expect(keys).toEqual(['1', '1', '#', '*']);
  });

  it('reads SIP INFO bodies of both common types', () => {
    expect(infoKey('application/dtmf-relay', 'Signal=5\r\nDuration=160')).toBe('5');
    expect(infoKey('application/dtmf-relay', 'Signal=*\r\nDuration=160')).toBe('*');
    expect(infoKey('application/dtmf-relay', 'Signal=11')).toBe('#');
    expect(infoKey('application/dtmf', '#')).toBe('#');
    expect(infoKey('text/plain', '5')).toBeUndefined();
    expect(infoKey('application/dtmf-relay', 'Signal=X')).toBeUndefined();
  });
});

describe('RFC 4028 session timers', () => {
  it('refreshed by the caller when it supports timers; 422 below 90 s; none when the caller knows none', () => {
    expect(negotiateTimer({ supported: 'timer', 'session-expires': '1800' })).toEqual({ ok: true, interval: 1800, refresher: 'uac', require: true });
    expect(negotiateTimer({ supported: '100rel, timer', 'session-expires': '600;refresher=uas' })).toEqual({ ok: true, interval: 600, refresher: 'uas', require: true });
    expect(negotiateTimer({ 'session-expires': '600' })).toEqual({ ok: true, interval: 600, refresher: 'uas', require: false });
    expect(negotiateTimer({ supported: 'timer', 'session-expires': '60' })).toEqual({ ok: false, minSe: 90 });
    expect(negotiateTimer({ supported: 'timer' })).toMatchObject({ ok: true, interval: 1800, refresher: 'uac' });
    expect(negotiateTimer({})).toEqual({ ok: true, interval: undefined });
    expect(expiryMs(90)).toBe(60_000);
    expect(expiryMs(1800)).toBe(1_768_000);
  });
});

describe('masked numbers and RTP', () => {
  it('hides the middle of a calling number', () => {
    expect(maskNumber('13812345678')).toBe('138****5678');
    expect(maskNumber('+8613812345678')).toBe('+86****5678');
    expect(maskNumber('1234')).toBe('****34');
    expect(maskNumber(undefined)).toBe('****');
  });

  it('writes and reads the RTP header', () => {
    const packet = buildRtp({ payloadType: 8, marker: true, sequenceNumber: 65535, timestamp: 4294967295, ssrc: 42 }, Uint8Array.from([1, 2, 3]));
    expect(parseRtp(packet)).toEqual({ header: { payloadType: 8, marker: true, sequenceNumber: 65535, timestamp: 4294967295, ssrc: 42 }, payload: Buffer.from([1, 2, 3]) });
    expect(parseRtp(Buffer.from([0, 1, 2]))).toBeUndefined();
  });
});

describe('the --sip-* flags', () => {
  it('are off by default, parsed when given, and refused when incomplete or malformed', () => {
    expect(resolveConfig([], {}).sip).toBeUndefined();
    expect(resolveConfig(['--sip-listen', '0.0.0.0:5060', '--sip-trusted', '203.0.113.10,198.51.100.0/24'], {}).sip).toEqual({
      host: '0.0.0.0',
      port: 5060,
      trusted: ['203.0.113.10', '198.51.100.0/24'],
      rtpPorts: [41000, 41999],
      announcedIp: undefined,
    });
    expect(() => resolveConfig(['--sip-listen', '0.0.0.0:5060'], {})).toThrow(ConfigError);
    expect(() => resolveConfig(['--sip-listen', 'example.com:5060', '--sip-trusted', '1.2.3.4'], {})).toThrow(ConfigError);
    expect(() => resolveConfig(['--sip-listen', '0.0.0.0:5060', '--sip-trusted', 'trunk.example.com'], {})).toThrow(ConfigError);
    expect(() => resolveConfig(['--sip-trusted', '1.2.3.4'], {})).toThrow(ConfigError);
  });
});
