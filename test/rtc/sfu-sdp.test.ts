import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { offeredSections, restrictPublishOffer, rewriteCandidates, unrejectInactive } from '../../src/rtc/sfu/sdp.js';
import { Sfu, SfuError } from '../../src/rtc/sfu/sfu.js';

/** A publish offer captured from Chromium 150 (fake devices: sendonly mic, mid 0, and camera, mid 1). */
const chromiumOffer = readFileSync(new URL('./chromium-publish-offer.sdp', import.meta.url), 'utf8');

function section(sdp: string, kind: 'audio' | 'video'): string[] {
  const parts = sdp.split(/\r\n(?=m=)/);
  return parts.find((p) => p.startsWith(`m=${kind}`))!.split('\r\n');
}

function formats(sdp: string, kind: 'audio' | 'video'): string[] {
  return section(sdp, kind)[0]!.split(' ').slice(3);
}

let sfu: Sfu | undefined;
afterEach(async () => {
  await sfu?.close();
  sfu = undefined;
});

describe('publish offer narrowing', () => {
  it('keeps one codec per section (the browser\'s favourite the SFU forwards) with its RTX, and drops transport-cc (REMB stays: the SFU steers publishers with it)', () => {
    const narrowed = restrictPublishOffer(chromiumOffer);
    expect(formats(narrowed, 'audio')).toEqual(['111']);
    expect(formats(narrowed, 'video')).toEqual(['96', '97']);
    for (const kind of ['audio', 'video'] as const) {
      const lines = section(narrowed, kind);
      expect(lines.filter((l) => /^a=(rtpmap|fmtp|rtcp-fb):/.test(l)).every((l) => /^a=\w+(-\w+)?:(111|96|97) /.test(l))).toBe(true);
      expect(lines.some((l) => /transport-cc|transport-wide-cc/.test(l))).toBe(false);
      // Everything else (ICE, DTLS, SSRCs, mid) is untouched.
      const untouched = section(chromiumOffer, kind).filter((l) => /^a=(candidate|ice-|fingerprint|setup|mid|ssrc|msid|sendonly)/.test(l));
      expect(untouched.every((l) => lines.includes(l))).toBe(true);
    }
    expect(section(narrowed, 'video')).toContain('a=rtcp-fb:96 nack pli');
    expect(section(narrowed, 'video')).toContain('a=fmtp:97 apt=96');
  });

  it('prefers VP8 even when the browser lists H264 first; takes H264 in packetization mode 1 only when there is no VP8', () => {
    const first = ['107', '108', '109', '114'];
    const reordered = [...first, ...formats(chromiumOffer, 'video').filter((pt) => !first.includes(pt))];
    const h264First = chromiumOffer.replace(/^(m=video \d+ UDP\/TLS\/RTP\/SAVPF) .*$/m, `$1 ${reordered.join(' ')}`);
    expect(formats(restrictPublishOffer(h264First), 'video')).toEqual(['96', '97']);
    const noVp8 = h264First.replace(/^(m=video \d+ UDP\/TLS\/RTP\/SAVPF) .*$/m, `$1 ${reordered.filter((pt) => pt !== '96' && pt !== '97').join(' ')}`);
    // 107 is packetization-mode=0: skipped for 109 (mode 1) and its RTX 114.
    expect(formats(restrictPublishOffer(noVp8), 'video')).toEqual(['109', '114']);
  });

  it('refuses a live section with nothing the SFU forwards, and leaves rejected sections alone', () => {
    const vp9Only = chromiumOffer.replace(/^(m=video \d+ UDP\/TLS\/RTP\/SAVPF) .*$/m, '$1 98 99');
    expect(() => restrictPublishOffer(vp9Only)).toThrow(SfuError);
    const rejected = vp9Only.replace(/^m=video \d+ /m, 'm=video 0 ');
    expect(formats(restrictPublishOffer(rejected), 'video')).toEqual(['98', '99']);
  });

  it('lists the offered sections by mid', () => {
    expect([...offeredSections(chromiumOffer)]).toEqual([
      ['0', { kind: 'audio', direction: 'sendonly', rejected: false, rids: [] }],
      ['1', { kind: 'video', direction: 'sendonly', rejected: false, rids: [] }],
    ]);
  });
});

describe('inactive sections in SFU descriptions', () => {
  const sdp = (ports: [number, number], bundle = 'a=group:BUNDLE 0 1') =>
    ['v=0', 's=-', bundle, `m=audio ${ports[0]} UDP/TLS/RTP/SAVPF 111`, 'a=inactive', 'a=mid:0', `m=video ${ports[1]} UDP/TLS/RTP/SAVPF 96`, 'a=sendonly', 'a=mid:1', ''].join('\r\n');

  it('turns werift\'s bundled port-0 sections into inactive ones on port 9', () => {
    const fixed = unrejectInactive(sdp([0, 9]));
    expect(fixed).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=inactive\r\na=mid:0');
    expect(fixed).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\na=mid:1');
  });

  it('keeps sections the browser rejected, and anything outside a BUNDLE group, as they are', () => {
    expect(unrejectInactive(sdp([0, 9]), new Set(['0']))).toBe(sdp([0, 9]));
    expect(unrejectInactive(sdp([0, 9], 'a=group:BUNDLE 1'))).toBe(sdp([0, 9], 'a=group:BUNDLE 1'));
  });
});

describe('ICE candidates in SFU descriptions', () => {
  const sdp = [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=candidate:1 1 udp 2116026367 127.0.0.1 40001 typ host generation 0 ufrag ab',
    'a=candidate:2 1 udp 2116026367 192.0.2.2 40002 typ host generation 0 ufrag ab',
    'a=end-of-candidates',
    '',
  ].join('\r\n');

  it('keeps only the listen address when one is set, and announces the public address instead', () => {
    expect(rewriteCandidates(sdp, { listenIp: '127.0.0.1' })).not.toContain('192.0.2.2');
    expect(rewriteCandidates(sdp, { listenIp: '127.0.0.1' })).toContain(' 127.0.0.1 40001 typ host');
    const announced = rewriteCandidates(sdp, { listenIp: '192.0.2.2', announcedIp: '203.0.113.7' });
    expect(announced.split('\r\n').filter((l) => l.startsWith('a=candidate'))).toEqual([
      'a=candidate:2 1 udp 2116026367 203.0.113.7 40002 typ host generation 0 ufrag ab',
    ]);
    // Listening everywhere: every candidate is announced under the public address.
    const everywhere = rewriteCandidates(sdp, { announcedIp: '203.0.113.7' });
    expect(everywhere.match(/203\.0\.113\.7 4000[12] typ host/g)).toHaveLength(2);
    expect(rewriteCandidates(sdp, {})).toBe(sdp);
  });

  it('answers a real Chromium offer with Opus and VP8+RTX on the announced address within the port range', async () => {
    const base = 42_000 + Math.floor(Math.random() * 2_000);
    sfu = new Sfu({ listenIp: '127.0.0.1', announcedIp: '203.0.113.7', portRange: [base, base + 30] });
    const room = sfu.room('c');
    await room.addParticipant('a');
    const answer = await room.publish('a', chromiumOffer, [
      { mid: '0', source: 'mic' },
      { mid: '1', source: 'camera' },
    ]);
    expect(formats(answer, 'audio')).toEqual(['111']);
    expect(formats(answer, 'video')).toEqual(['96', '97']);
    expect(answer).toContain('a=recvonly');
    expect(answer).not.toMatch(/transport-cc/);
    // The SFU steers the publisher with REMB and reads audio levels and simulcast ids from its packets.
    expect(answer).toMatch(/a=rtcp-fb:96 goog-remb/);
    expect(answer).toMatch(/ssrc-audio-level/);
    expect(answer).toMatch(/sdes:rtp-stream-id/);
    const candidates = answer.split('\r\n').filter((l) => l.startsWith('a=candidate'));
    // One socket on the listen address, announced once (per m-section, all on the same BUNDLE port).
    expect(new Set(candidates.map((c) => c.split(' ')[5])).size).toBe(1);
    for (const c of candidates) {
      const [, , , , address, port] = c.split(' ');
      expect(address).toBe('203.0.113.7');
      expect(Number(port)).toBeGreaterThanOrEqual(base);
      expect(Number(port)).toBeLessThanOrEqual(base + 30);
    }
  });
});
