import { afterEach, describe, expect, it } from 'vitest';
import { GenericNack, RTCPeerConnection, RTCRtpHeaderExtensionParameters, RtcpTransportLayerFeedback, RTP_EXTENSION_URI, type RtpPacket } from 'werift';
import { gathered, peerConfig, withoutPublicStun } from '../../bench/support/rtp-peer.js';
import { eventually, RoomHarness, sleep } from './harness.js';

let h: RoomHarness | undefined;
let subscriber: RTCPeerConnection | undefined;
afterEach(async () => {
  await subscriber?.close();
  await h?.close();
  h = undefined;
  subscriber = undefined;
});

interface Arrival {
  at: number;
  seq: number;
  ssrc: number;
  size: number;
  mid: string | undefined;
  absSendTime: number | undefined;
}

/**
 * A subscriber that negotiates what Chromium does (mid, and abs-send-time on video), so the SFU's
 * senders write those extensions; the harness's werift peers negotiate none.
 */
async function subscribe(room: RoomHarness['room'], participantId: string, arrivals: Arrival[]): Promise<RTCPeerConnection> {
  const ext = (uri: string) => new RTCRtpHeaderExtensionParameters({ uri });
  const pc = new RTCPeerConnection({
    ...peerConfig(undefined, 'vp8'),
    headerExtensions: { audio: [ext(RTP_EXTENSION_URI.sdesMid)], video: [ext(RTP_EXTENSION_URI.sdesMid), ext(RTP_EXTENSION_URI.absSendTime)] },
  });
  const hooked = new Set<unknown>();
  const record = (packet: RtpPacket, ids: Map<string, number>) => {
    const find = (uri: string) => packet.header.extensions.find((e) => e.id === ids.get(uri))?.payload;
    const abs = find(RTP_EXTENSION_URI.absSendTime);
    arrivals.push({ at: performance.now(), seq: packet.header.sequenceNumber, ssrc: packet.header.ssrc, size: packet.payload.length, mid: find(RTP_EXTENSION_URI.sdesMid)?.toString(), absSendTime: abs ? abs.readUIntBE(0, 3) : undefined });
  };
  const previous = room.onDownstreamOffer;
  room.onDownstreamOffer = (pid, sdp, tracks) => {
    if (pid !== participantId) return previous(pid, sdp, tracks);
    void (async () => {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      for (const t of pc.getTransceivers()) {
        if (hooked.has(t) || t.kind !== 'video') continue;
        hooked.add(t);
        const listen = (track: (typeof t.receiver.tracks)[number]) =>
          track.onReceiveRtp.subscribe((p) => record(p, new Map(t.headerExtensions.map((e) => [e.uri, e.id]))));
        t.receiver.tracks.forEach(listen);
        t.onTrack.subscribe(listen);
      }
      withoutPublicStun(pc);
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      await room.downstreamAnswer(pid, pc.localDescription!.sdp);
    })();
  };
  await room.addParticipant(participantId);
  return pc;
}

/** A camera publisher and a subscriber that has received more than `packets` of its video; the arrivals go on being recorded. */
async function videoArriving(packets: number): Promise<Arrival[]> {
  h = new RoomHarness();
  await h.join('pub', ['camera']);
  const arrivals: Arrival[] = [];
  subscriber = await subscribe(h.room, 'sub', arrivals);
  await eventually(() => arrivals.length > packets, 20_000, 'video at the subscriber');
  return arrivals;
}

describe('SFU forwarding sender', () => {
  it('writes the subscriber\'s mid and the real send time (abs-send-time, sub-second steps) on every video packet, and sends sender reports', async () => {
    const arrivals = await videoArriving(20);
    arrivals.length = 0;
    await sleep(1_500);
    const got = arrivals.slice();
    expect(got.length).toBeGreaterThan(40);

    const mid = subscriber!.getTransceivers().find((t) => t.kind === 'video')!.mid;
    expect(got.every((a) => a.mid === mid)).toBe(true);
    expect(got.every((a) => a.absSendTime !== undefined)).toBe(true);
    // Send times (6.18 fixed point, wrapping every 64 s) advance with the packets: frames 50 ms apart
    // get distinct values, and the span matches the span of arrival within the loopback's delays.
    const seconds = (from: Arrival, to: Arrival) => (((to.absSendTime! - from.absSendTime! + 0x1000000) % 0x1000000) / 262_144);
    expect(new Set(got.map((a) => a.absSendTime)).size).toBeGreaterThan(15);
    for (let i = 1; i < got.length; i++) expect(seconds(got[i - 1]!, got[i]!)).toBeLessThan(1);
    const sent = seconds(got[0]!, got.at(-1)!);
    const arrived = (got.at(-1)!.at - got[0]!.at) / 1000;
    expect(Math.abs(sent - arrived)).toBeLessThan(0.5);

    // The lean path starts werift's sender-report loop itself.
    await eventually(
      () => {
        const stats = subscriber!.getTransceivers().find((t) => t.kind === 'video')!.receiver.collectStats(0) as unknown as Array<{ type: string; reportsSent?: number }>;
        return stats.some((s) => s.type === 'remote-outbound-rtp' && (s.reportsSent ?? 0) > 0);
      },
      10_000,
      'a sender report',
    );
  });

  it("answers a subscriber's NACKs from its own history, over RTX, and no more than the subscriber's estimate allows", async () => {
    const arrivals = await videoArriving(150);
    const video = subscriber!.getTransceivers().find((t) => t.kind === 'video')!;
    const rtxType = video.codecs.find((c) => c.mimeType.toLowerCase() === 'video/rtx')?.payloadType;
    expect(rtxType).toBeDefined();
    const resent: number[] = [];
    const originals: number[] = [];
    video.dtlsTransport.onRtp.subscribe((p) => {
      if (p.header.payloadType !== rtxType) return;
      resent.push(p.payload.length - 2);
      originals.push(p.payload.readUInt16BE(0));
    });

    // The last 100 packets received (all inside the sender's 128-packet history), NACKed 30 times in 0.75 s:
    // answered in full that is 30 × their bytes; the budget allows the estimate (≤ 2 Mbit/s on this
    // loopback: 1 Mbit/s to start, growing at most to 1.5 × the ~0.5 Mbit/s sent + 0.1) over a 500 ms burst plus what refills.
    const recent = arrivals.slice(-100);
    const ssrc = recent[0]!.ssrc;
    const lost = recent.filter((a) => a.ssrc === ssrc).map((a) => a.seq);
    const bytes = recent.filter((a) => a.ssrc === ssrc).reduce((sum, a) => sum + a.size, 0);
    const nack = new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: video.receiver.rtcpSsrc, mediaSourceSsrc: ssrc, lost }) });
    const started = performance.now();
    for (let round = 0; round < 30; round++) {
      await video.dtlsTransport.sendRtcp([nack]);
      await sleep(25); // lets the answers drain from the loopback socket's buffer, which a burst would overflow
    }
    await sleep(1_000);
    const elapsed = (performance.now() - started) / 1000;
    const resentBytes = resent.reduce((sum, n) => sum + n, 0);
    const allowed = (2_000_000 / 8) * (0.5 + elapsed);
    expect(30 * bytes).toBeGreaterThan(3 * allowed);
    // Answered: the NACKed packets themselves (RTX carries the original sequence number first).
    expect(resent.length).toBeGreaterThan(0);
    expect(originals.every((seq) => lost.includes(seq))).toBe(true);
    expect(resentBytes).toBeLessThan(allowed);
  });
});
