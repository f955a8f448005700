import { afterEach, describe, expect, it } from 'vitest';
import type { RtpPeer, Source } from '../../bench/support/rtp-peer.js';
import { eventually, RoomHarness } from './harness.js';

let h: RoomHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Received packets of `from`'s `source` at `peer`, in arrival order. */
function recs(peer: RtpPeer, from: string, source: Source) {
  return peer.stream(from, source).records;
}

describe('SFU forwarding between werift peers', () => {
  it('gives every participant the others\' audio and video, never its own, with intact payloads and continuous numbering', async () => {
    h = new RoomHarness();
    const names = ['p1', 'p2', 'p3'];
    const peers: RtpPeer[] = [];
    for (const name of names) peers.push(await h.join(name, ['mic', 'camera']));
    const others = (name: string) => names.filter((n) => n !== name);
    await eventually(
      () => peers.every((p) => others(p.name).every((o) => recs(p, o, 'camera').length >= 60 && recs(p, o, 'mic').length >= 40)),
      15_000,
      'media from every other participant',
    );
    expect(h.errors).toEqual([]);
    expect(h.room.stats()).toEqual({ participants: 3, forwardedStreams: 12 });
    for (const peer of peers) {
      expect([...peer.received.keys()].sort()).toEqual(others(peer.name).flatMap((o) => [`${o}/camera`, `${o}/mic`]).sort());
      expect(peer.strayPackets).toBe(0);
      for (const other of others(peer.name)) {
        for (const source of ['mic', 'camera'] as const) {
          const records = recs(peer, other, source);
          expect(records.every((r) => r.intact && r.tag === `${other}/${source}`)).toBe(true);
          // Each subscriber gets its own SSRC and the payload type negotiated downstream.
          expect(new Set(records.map((r) => r.ssrc)).size).toBe(1);
          expect(new Set(records.map((r) => r.payloadType))).toEqual(new Set([source === 'mic' ? 111 : 96]));
          for (let i = 1; i < records.length; i++) {
            expect((records[i]!.seq - records[i - 1]!.seq + 0x10000) % 0x10000).toBe(1);
            expect((records[i]!.originSeq - records[i - 1]!.originSeq + 0x10000) % 0x10000).toBe(1);
          }
        }
      }
    }
    // The same publisher stream reaches two subscribers under two different SSRCs.
    expect(recs(peers[1]!, 'p1', 'camera')[0]!.ssrc).not.toBe(recs(peers[2]!, 'p1', 'camera')[0]!.ssrc);
  });

  it('forwards H264 from a publisher that offers only H264, next to VP8 from another', async () => {
    h = new RoomHarness();
    await h.join('vp8', ['camera']);
    await h.join('h264', ['camera'], { publishH264: true });
    const viewer = await h.join('viewer', []);
    await eventually(() => viewer.stream('vp8', 'camera').packets > 30 && viewer.stream('h264', 'camera').packets > 30, 8_000, 'both codecs');
    const pts = (from: string) => new Set(viewer.stream(from, 'camera').records.map((r) => r.payloadType));
    expect(pts('vp8')).toEqual(new Set([96]));
    expect(pts('h264')).toEqual(new Set([102]));
    const h264Transceiver = viewer.downstream.getTransceivers().find((t) => t.mid === viewer.midOf('h264', 'camera'))!;
    expect(h264Transceiver.codecs[0]!.mimeType.toLowerCase()).toBe('video/h264');
    expect(viewer.stream('h264', 'camera').records.every((r) => r.intact)).toBe(true);
    expect(h.errors).toEqual([]);
  });

  it('connects many simultaneous joiners quickly (gathering never waits on a public STUN server)', async () => {
    h = new RoomHarness();
    await h.join('speaker', ['camera']);
    const started = performance.now();
    const viewers = await Promise.all(Array.from({ length: 8 }, (_, i) => h!.join(`v${i}`, [])));
    await eventually(() => viewers.every((v) => v.stream('speaker', 'camera').packets > 0), 8_000, 'media at every viewer');
    const firstPackets = viewers.map((v) => v.stream('speaker', 'camera').records[0]!.at - started);
    expect(Math.max(...firstPackets)).toBeLessThan(3_000);
    expect(h.room.stats().forwardedStreams).toBe(8);
  });
});
