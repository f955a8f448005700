import fc from 'fast-check';
import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { isKeyframeStart, vp8KeyframeSize } from '../../src/rtc/sfu/codec-frames.js';
import { allocateLayers, layerForTile, nextUpgrade, type VideoDemand } from '../../src/rtc/sfu/layer-allocation.js';
import { DownlinkEstimator, START_BPS } from '../../src/rtc/sfu/downlink.js';
import { LayerDemand } from '../../src/rtc/sfu/layer-demand.js';
import { NO_LAYER, TOP_LAYER, UpstreamTrack, type RtpSink } from '../../src/rtc/sfu/upstream-track.js';
import { rembFields } from '../../src/rtc/sfu/upstream-rate.js';
import { SimulcastLayer } from '../../src/rtc/sfu/simulcast-layer.js';

/** A VP8 RTP payload: descriptor (optionally extended, 15-bit picture id) then a frame header. */
function vp8(opts: { start: boolean; key: boolean; extended?: boolean; width?: number; height?: number }): Buffer {
  const descriptor = opts.extended ? [0x80 | (opts.start ? 0x10 : 0), 0x80 | 0x40 | 0x20, 0x80 | 0x12, 0x34, 0x05, 0x40] : [opts.start ? 0x10 : 0];
  const w = opts.width ?? 640;
  const h = opts.height ?? 360;
  const tag = [opts.key ? 0x00 : 0x01, 0x00, 0x00];
  const body = opts.key ? [0x9d, 0x01, 0x2a, w & 0xff, (w >> 8) & 0x3f, h & 0xff, (h >> 8) & 0x3f] : [0, 0, 0, 0, 0, 0, 0];
  return Buffer.from([...descriptor, ...tag, ...body, 0, 0, 0]);
}

function packet(payload: Buffer, seq: number, ssrc = 1): RtpPacket {
  return new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: seq * 3000, ssrc, payloadType: 96 }), payload);
}

describe('keyframes in VP8 and H.264 payloads', () => {
  it('finds a VP8 keyframe only where it starts, with or without the extended descriptor, and reads its size', () => {
    for (const extended of [false, true]) {
      expect(isKeyframeStart('video/vp8', vp8({ start: true, key: true, extended }))).toBe(true);
      expect(isKeyframeStart('video/vp8', vp8({ start: false, key: true, extended }))).toBe(false);
      expect(isKeyframeStart('video/vp8', vp8({ start: true, key: false, extended }))).toBe(false);
      expect(vp8KeyframeSize(vp8({ start: true, key: true, extended, width: 1280, height: 720 }))).toEqual({ width: 1280, height: 720 });
      expect(vp8KeyframeSize(vp8({ start: true, key: false, extended }))).toBeUndefined();
    }
    expect(isKeyframeStart('video/vp8', Buffer.alloc(0))).toBe(false);
  });

  it('finds H.264 IDR and SPS units, alone, aggregated (STAP-A) or at the start of a fragment (FU-A)', () => {
    expect(isKeyframeStart('video/h264', Buffer.from([0x65, 0x88]))).toBe(true);
    expect(isKeyframeStart('video/h264', Buffer.from([0x41, 0x9a]))).toBe(false);
    expect(isKeyframeStart('video/h264', Buffer.from([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce]))).toBe(true);
    expect(isKeyframeStart('video/h264', Buffer.from([0x78, 0x00, 0x02, 0x06, 0x05, 0x00, 0x02, 0x41, 0x9a]))).toBe(false);
    expect(isKeyframeStart('video/h264', Buffer.from([0x7c, 0x85, 0x88]))).toBe(true);
    expect(isKeyframeStart('video/h264', Buffer.from([0x7c, 0x05, 0x88]))).toBe(false);
    expect(isKeyframeStart('video/h264', Buffer.from([0x7c, 0x81, 0x88]))).toBe(false);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        isKeyframeStart('video/vp8', bytes);
        isKeyframeStart('video/h264', bytes);
        vp8KeyframeSize(bytes);
      }),
    );
  });
});

const THREE = [
  { bitrate: 150_000, height: 180 },
  { bitrate: 500_000, height: 360 },
  { bitrate: 1_200_000, height: 720 },
];

describe('choosing layers for one viewer', () => {
  it('fills a tile with the smallest layer at least (nearly) as tall, the middle one while the size is unknown', () => {
    expect(layerForTile(THREE, 120)).toBe(0);
    expect(layerForTile(THREE, 250)).toBe(1);
    expect(layerForTile(THREE, 700)).toBe(2);
    expect(layerForTile(THREE, 2000)).toBe(2);
    expect(layerForTile(THREE, 0)).toBe(0);
    expect(layerForTile(THREE, undefined)).toBe(1);
    expect(layerForTile([THREE[0]!], 700)).toBe(0);
  });

  it('gives a large tile the top layer when the budget allows, and drops to what fits when it does not', () => {
    const big: VideoDemand = { key: 'a', layers: THREE, tileHeight: 720, priority: 720, current: 2 };
    expect(allocateLayers(2_000_000, [big]).get('a')).toBe(2);
    expect(allocateLayers(600_000, [big]).get('a')).toBe(1);
    expect(allocateLayers(200_000, [big]).get('a')).toBe(0);
    // Below even the lowest layer the video pauses, so audio keeps its share.
    expect(allocateLayers(100_000, [big]).get('a')).toBe(NO_LAYER);
  });

  it('keeps a flowing video on its lowest layer a little below its cost, but resumes a paused one only when it fits', () => {
    const flowing: VideoDemand = { key: 'a', layers: THREE, tileHeight: 720, priority: 1, current: 0 };
    expect(allocateLayers(120_000, [flowing]).get('a')).toBe(0);
    expect(allocateLayers(120_000, [{ ...flowing, current: NO_LAYER }]).get('a')).toBe(NO_LAYER);
    expect(allocateLayers(180_000, [{ ...flowing, current: NO_LAYER }]).get('a')).toBe(0);
  });

  it('serves the screen share and the bigger tiles first', () => {
    const screen: VideoDemand = { key: 's', layers: [{ bitrate: 1_000_000, height: 1080 }], tileHeight: 800, priority: 1e9, current: 0 };
    const small: VideoDemand = { key: 'c', layers: THREE, tileHeight: 150, priority: 150, current: 0 };
    const result = allocateLayers(1_100_000, [small, screen]);
    expect(result.get('s')).toBe(0);
    expect(result.get('c')).toBe(NO_LAYER);
  });

  it('holds an upgrade to a margin a kept layer does not need (no flapping at the edge)', () => {
    const demand = (current: number): VideoDemand => ({ key: 'a', layers: THREE, tileHeight: 720, priority: 1, current });
    expect(allocateLayers(1_250_000, [demand(2)]).get('a')).toBe(2);
    expect(allocateLayers(1_250_000, [demand(1)]).get('a')).toBe(1);
  });

  it('never spends more than the budget on layers it newly gives, and never exceeds what a tile asks for', () => {
    const demandArb = fc.record({ tileHeight: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }), priority: fc.integer({ min: 0, max: 2000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000 }), fc.array(demandArb, { maxLength: 8 }), (budget, specs) => {
        const demands = specs.map((s, i): VideoDemand => ({ key: String(i), layers: THREE, tileHeight: s.tileHeight, priority: s.priority, current: NO_LAYER }));
        const result = allocateLayers(budget, demands);
        let spent = 0;
        for (const d of demands) {
          const layer = result.get(d.key)!;
          if (layer === NO_LAYER) continue;
          spent += THREE[layer]!.bitrate;
          expect(layer).toBeLessThanOrEqual(layerForTile(THREE, d.tileHeight));
        }
        expect(spent).toBeLessThanOrEqual(budget);
        const up = nextUpgrade(demands, result);
        if (up) expect(up.layer).toBeLessThanOrEqual(layerForTile(THREE, demands[Number(up.key)]!.tileHeight));
      }),
    );
  });
});

describe("a layer's cost", () => {
  it('rises at once with what the layer sends, and falls only slowly when its encoder is held back', () => {
    const layer = new SimulcastLayer(2, 'h', () => undefined);
    const send = (bps: number, at: number) => {
      layer.packets += 10;
      layer.bytes += bps / 8 / 2;
      layer.sample(at);
    };
    layer.sample(1_000);
    for (let at = 1_500; at <= 4_000; at += 500) send(700_000, at);
    expect(layer.bitrate).toBeGreaterThan(650_000);
    // Three seconds at 150 kbit/s (a busy CPU): still priced near what it will come back to.
    for (let at = 4_500; at <= 7_000; at += 500) send(150_000, at);
    expect(layer.bitrate).toBeGreaterThan(500_000);
    send(800_000, 7_500);
    expect(layer.bitrate).toBeGreaterThan(650_000);
  });
});

describe("a viewer's downlink estimate", () => {
  it('keeps the REMB it hears but is not lowered by it (werift\'s abs-send-time makes it no measurement)', () => {
    const e = new DownlinkEstimator();
    e.sample(10_000, 900_000);
    e.onRemb(1_000_000);
    e.onRemb(400_000);
    expect(e.remb).toBe(400_000);
    expect(e.estimate).toBeGreaterThanOrEqual(START_BPS);
  });

  it('cuts from the peak send rate of the last two seconds, so a stall\'s loss burst does not pause video that fitted', () => {
    const e = new DownlinkEstimator();
    e.sample(10_000, 800_000);
    e.sample(10_500, 800_000);
    // The machine stalls: half a second with almost nothing sent, then every report counts loss.
    e.sample(11_000, 20_000);
    e.onLoss(0.5, 11_100);
    expect(e.estimate).toBe(600_000);
    // Two seconds on, the stall has left the window: a cut starts from what is sent now.
    for (const at of [11_500, 12_000, 12_500, 13_000]) e.sample(at, 300_000);
    e.onLoss(0.5, 13_200);
    expect(e.estimate).toBe(225_000);
  });

  it('cuts from the rate since the last sample when that is higher: a video just resumed is not cut from the audio alone', () => {
    const e = new DownlinkEstimator();
    // Video paused, audio only for two seconds; the estimate has grown back to 230 kbit/s.
    for (const at of [10_000, 10_500, 11_000, 11_500]) e.sample(at, 44_000, 230_000);
    const before = e.estimate;
    // The video resumed just after the 11,500 sample; a report of 16% loss comes 250 ms later, at 212 kbit/s sent.
    e.onLoss(0.16, 11_750, 212_000);
    expect(e.estimate).toBe(Math.round(Math.min(before, 212_000) * (1 - 0.08)));
    // Without the recent rate the cut starts from the 44 kbit/s of audio: to the floor.
    const blind = new DownlinkEstimator();
    for (const at of [10_000, 10_500, 11_000, 11_500]) blind.sample(at, 44_000, 230_000);
    blind.onLoss(0.16, 11_750);
    expect(blind.estimate).toBe(100_000);
  });

  it('cuts on heavy loss at most once a second, and holds (no probing) on light loss', () => {
    const e = new DownlinkEstimator();
    e.sample(10_000, 800_000);
    e.onLoss(0.4, 10_000);
    expect(e.estimate).toBe(640_000);
    e.onLoss(0.4, 10_500);
    expect(e.estimate).toBe(640_000);
    e.onLoss(0.4, 11_100);
    expect(e.estimate).toBe(512_000);
    const held = new DownlinkEstimator();
    held.onLoss(0.05, 10_000);
    expect(held.mayProbe(11_000)).toBe(false);
    expect(held.mayProbe(13_100)).toBe(true);
  });

  it('waits twice as long before probing again after a probe met congestion', () => {
    const e = new DownlinkEstimator();
    e.sample(20_000, 200_000);
    expect(e.mayProbe(20_000)).toBe(true);
    e.probe(300_000, 20_000);
    expect(e.estimate).toBeGreaterThanOrEqual(560_000);
    e.onLoss(0.3, 21_000);
    expect(e.mayProbe(24_100)).toBe(false);
    expect(e.mayProbe(27_100)).toBe(true);
  });

  it('may grow, while video is paused, to what audio and the lowest layers need', () => {
    const e = new DownlinkEstimator();
    e.sample(10_000, 300_000);
    e.onLoss(0.9, 10_100);
    expect(e.estimate).toBe(165_000);
    // Paused: 40 kbit/s of audio flows; audio and the lowest layer need 240 kbit/s.
    let at = 12_200;
    for (; at < 40_000; at += 500) e.sample(at, 40_000, 240_000);
    expect(e.estimate).toBe(264_000);
  });
});

describe('which layers a publisher encodes', () => {
  const sink = (): RtpSink => ({ deliver: () => undefined, restart: () => undefined });

  it('pauses a layer nobody has wanted for 3 s, always keeps the lowest, and resumes one wanted again at once', () => {
    const track = new UpstreamTrack('p', 'v', 'camera', undefined, true, { mimeType: 'video/vp8', clockRate: 90000, payloadType: 96 }, ['l', 'm', 'h']);
    const demand = new LayerDemand();
    const viewer = sink();
    track.attach(viewer, 2);
    expect(demand.update(track, 0)).toBeUndefined();
    track.want(viewer, NO_LAYER);
    expect(demand.update(track, 1_000)).toBeUndefined();
    expect(demand.update(track, 4_100)).toEqual([true, false, false]);
    track.want(viewer, 1);
    expect(demand.update(track, 4_600)).toEqual([true, true, false]);
  });
});

describe('forwarding one simulcast layer per sink', () => {
  function simulcastTrack(): UpstreamTrack {
    return new UpstreamTrack('p', 'v', 'camera', undefined, true, { mimeType: 'video/vp8', clockRate: 90000, payloadType: 96 }, ['l', 'm', 'h']);
  }

  function recorder(): RtpSink & { got: number[]; restarts: number } {
    const r = { got: [] as number[], restarts: 0, deliver: (p: RtpPacket) => r.got.push(p.header.ssrc), restart: () => void r.restarts++ };
    return r;
  }

  /** Every layer sends one packet (layer i on SSRC 10+i), the given layers starting a keyframe. */
  function round(track: UpstreamTrack, seq: number, keyframes: number[] = []): void {
    for (let i = 0; i < 3; i++) track.receive(packet(vp8({ start: true, key: keyframes.includes(i) }), seq, 10 + i), i);
  }

  it('moves a sink to another layer only where that layer starts a keyframe', () => {
    const track = simulcastTrack();
    round(track, 1);
    track.sample(1_000);
    const sink = recorder();
    track.attach(sink, 0);
    round(track, 2);
    expect(sink.got).toEqual([10]);
    track.want(sink, 2);
    round(track, 3);
    round(track, 4);
    // Still the low layer until the top layer's keyframe comes.
    expect(sink.got).toEqual([10, 10, 10]);
    // In round 5 the low layer's packet goes out before the top layer's keyframe arrives.
    round(track, 5, [2]);
    round(track, 6);
    expect(sink.got).toEqual([10, 10, 10, 10, 12, 12]);
    expect(track.layerOf(sink)).toBe(2);
  });

  it('restarts a paused sink\'s numbering when it resumes, and gives a sink with no preference the top layer', () => {
    const track = simulcastTrack();
    round(track, 1);
    track.sample(1_000);
    const viewer = recorder();
    track.attach(viewer, 1);
    track.want(viewer, NO_LAYER);
    round(track, 2);
    expect(viewer.got).toEqual([]);
    const before = viewer.restarts;
    track.want(viewer, 1);
    expect(viewer.restarts).toBe(before + 1);
    round(track, 3);
    expect(viewer.got).toEqual([11]);
    const tap = recorder();
    track.attach(tap, TOP_LAYER);
    round(track, 4);
    expect(tap.got).toEqual([12]);
  });

  it('follows a layer the publisher paused down to the best one still arriving', () => {
    const track = simulcastTrack();
    round(track, 1);
    track.sample(1_000);
    const sink = recorder();
    track.attach(sink, 2);
    // Only the two lower layers keep sending; after the idle time the sink moves down at a keyframe.
    for (let seq = 2; seq < 5; seq++) for (let i = 0; i < 2; i++) track.receive(packet(vp8({ start: true, key: false }), seq, 10 + i), i);
    track.sample(3_000);
    track.receive(packet(vp8({ start: true, key: true }), 6, 11), 1);
    expect(track.layerOf(sink)).toBe(1);
  });
});

describe('loss counted per layer', () => {
  it('counts the sequence numbers that never arrived, across a wrap, ignoring late and repeated packets', () => {
    const track = new UpstreamTrack('p', 'v', 'camera', undefined, true, { mimeType: 'video/vp8', clockRate: 90000, payloadType: 96 }, ['l', 'm', 'h']);
    for (const seq of [65530, 65531, 65533, 65532, 65532, 2, 3]) track.receive(packet(vp8({ start: false, key: false }), seq, 10), 0);
    // Expected 65530…3 = 10 packets; received 7 (one twice) of which 6 distinct: 4 lost by sequence, 3 by count.
    expect(track.layers[0]!.lost).toBe(3);
  });
});

describe('REMB bitrate encoding', () => {
  it('keeps an 18-bit mantissa and scales by the exponent without overshooting', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (bps) => {
        const { brExp, brMantissa } = rembFields(bps);
        expect(brMantissa).toBeLessThan(1 << 18);
        const value = brMantissa * 2 ** brExp;
        expect(value).toBeLessThanOrEqual(bps);
        expect(value).toBeGreaterThan(bps / 2 - 1);
      }),
    );
  });
});
