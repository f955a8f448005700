import {
  RtcpPayloadSpecificFeedback,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  useOPUS,
  useH264,
  useVP8,
  type DebugConfig,
  type RTCRtpTransceiver,
} from 'werift';
import { simulcastOffer, withoutSimulcast } from './simulcast-sdp.js';
import { vp8Packet } from './vp8-payload.js';

/**
 * A synthetic meeting participant in Node: werift peer connections standing in for a browser, with
 * the same two-connection layout as docs/room-protocol.md ("Media"). It publishes generated RTP that
 * looks like VP8 / Opus (the SFU never decodes) and records what it receives per remote
 * (participantId, source). Used by test/rtc/*.test.ts and bench/sfu-cpu.ts.
 */

export type Source = 'mic' | 'camera' | 'screen';
export interface DownstreamTrack {
  mid: string;
  participantId: string;
  source: Source;
}

export interface RtpPeerOptions {
  /** Written into every payload so receivers can tell whose packet they got. */
  name: string;
  video?: { fps: number; frameBytes: number; maxPacketBytes: number };
  audio?: { packetMs: number; packetBytes: number };
  /** Keep per-packet records (sequence numbers, payload checks); off in the benchmark. */
  record?: boolean;
  /** werift debug hooks, e.g. simulated loss; see lossToWerift(). */
  upstreamDebug?: DebugConfig;
  downstreamDebug?: DebugConfig;
  /** Publish H264 only (the downstream connection always accepts VP8 and H264). */
  publishH264?: boolean;
  /**
   * Send the camera as rid-based simulcast, these layers lowest first (e.g. q/h/f). Each layer has
   * its own SSRC and browser-like VP8 payloads (vp8-payload.ts) at `video.fps`; `frameBytes` sets its rate.
   */
  simulcast?: SimulcastLayer[];
}

export interface SimulcastLayer {
  rid: string;
  frameBytes: number;
  width?: number;
  height?: number;
}

interface LayerState extends SimulcastLayer {
  ssrc: number;
  seq: number;
  pictureId: number;
  keyframeWanted: boolean;
  sent: number;
}

/**
 * werift 0.24 drops a packet when `value / 100 < Math.random()`, i.e. the debug value is the share
 * that is KEPT. This converts a loss percentage to that value.
 */
export function lossToWerift(lossPercent: number): number {
  return 100 - lossPercent;
}

export interface ReceivedPacket {
  seq: number;
  ts: number;
  ssrc: number;
  payloadType: number;
  originSeq: number;
  tag: string;
  keyframe: boolean;
  intact: boolean;
  at: number;
}

export interface ReceivedStream {
  packets: number;
  bytes: number;
  /** Packets whose payload did not carry the generator's pattern. */
  corrupt: number;
  records: ReceivedPacket[];
}

const PAYLOAD_HEADER = 7;

function fill(payload: Buffer, from: number, seed: number): void {
  for (let i = from; i < payload.length; i++) payload[i] = (seed * 7 + i) & 0xff;
}

/** [0] VP8 descriptor, [1..3] VP8 frame tag (bit 0 of [1]: 0 = keyframe), [4..5] origin seq, [6] tag length, tag, pattern. */
function makePayload(size: number, tag: Buffer, originSeq: number, first: boolean, keyframe: boolean): Buffer {
  const payload = Buffer.allocUnsafe(Math.max(size, PAYLOAD_HEADER + tag.length + 1));
  payload[0] = first ? 0x10 : 0x00;
  payload[1] = keyframe ? 0x00 : 0x01;
  payload[2] = 0;
  payload[3] = 0;
  payload.writeUInt16BE(originSeq, 4);
  payload[6] = tag.length;
  tag.copy(payload, PAYLOAD_HEADER);
  fill(payload, PAYLOAD_HEADER + tag.length, originSeq);
  return payload;
}

function readPayload(payload: Buffer): { originSeq: number; tag: string; keyframe: boolean; intact: boolean } {
  if (payload.length < PAYLOAD_HEADER) return { originSeq: -1, tag: '', keyframe: false, intact: false };
  const originSeq = payload.readUInt16BE(4);
  const tagLength = payload[6]!;
  const tag = payload.subarray(PAYLOAD_HEADER, PAYLOAD_HEADER + tagLength).toString();
  let intact = PAYLOAD_HEADER + tagLength < payload.length;
  for (let i = PAYLOAD_HEADER + tagLength; intact && i < payload.length; i++) intact = payload[i] === ((originSeq * 7 + i) & 0xff);
  return { originSeq, tag, keyframe: payload[0] === 0x10 && (payload[1]! & 1) === 0, intact };
}

/** `video`: which codecs the connection accepts ('both' = VP8 and H264, VP8 preferred). */
export function peerConfig(debug?: DebugConfig, video: 'vp8' | 'h264' | 'both' = 'vp8'): ConstructorParameters<typeof RTCPeerConnection>[0] {
  const rtx = () => new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 });
  return {
    iceServers: [],
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: {
      audio: [useOPUS()],
      // RTX at payload types other than the SFU's, so the tests see them remapped.
      video: [...(video !== 'h264' ? [useVP8(), rtx()] : []), ...(video !== 'vp8' ? [useH264(), rtx()] : [])],
    },
    debug: debug ?? {},
  };
}

/**
 * werift 0.24's ICE agent queries stun.l.google.com even with `iceServers: []`; cleared on each
 * transport before gathering (as src/rtc/sfu/peer.ts does) so nothing leaves the machine and
 * gathering never waits on DNS.
 */
export function withoutPublicStun(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) transport.connection.stunServer = undefined;
}

export async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const sub = pc.iceGatheringStateChange.subscribe((s) => {
      if (s === 'complete') {
        sub.unSubscribe();
        resolve();
      }
    });
  });
}

interface Outgoing {
  source: Source;
  transceiver: RTCRtpTransceiver;
  timer?: NodeJS.Timeout;
  seq: number;
  ts: number;
  keyframeWanted: boolean;
  sent: number;
  plis: number;
  /** Simulcast layers (camera with opts.simulcast), sent beside the transceiver's own SSRC. */
  layers?: LayerState[];
  ext?: { mid: number; rid: number };
}

export class RtpPeer {
  readonly upstream: RTCPeerConnection;
  readonly downstream: RTCPeerConnection;
  readonly received = new Map<string, ReceivedStream>();
  /** Packets on a mid the latest downstream offer did not map (should stay 0). */
  strayPackets = 0;
  downstreamOffers = 0;
  private readonly outgoing = new Map<Source, Outgoing>();
  private readonly tag: Map<Source, Buffer> = new Map();
  private readonly hooked = new Set<RTCRtpTransceiver>();
  private midMap = new Map<string, DownstreamTrack>();

  constructor(readonly opts: RtpPeerOptions) {
    this.upstream = new RTCPeerConnection(peerConfig(opts.upstreamDebug, opts.publishH264 ? 'h264' : 'vp8'));
    this.downstream = new RTCPeerConnection(peerConfig(opts.downstreamDebug, 'both'));
  }

  get name(): string {
    return this.opts.name;
  }

  /** Adds a sendonly track for `source` (takes effect with the next publishOffer()). */
  addSource(source: Source): void {
    if (this.outgoing.has(source)) throw new Error(`${source} already added`);
    const kind = source === 'mic' ? 'audio' : 'video';
    const transceiver = this.upstream.addTransceiver(kind, { direction: 'sendonly' });
    const out: Outgoing = {
      source,
      transceiver,
      seq: Math.floor(Math.random() * 0xffff),
      ts: Math.floor(Math.random() * 0xffffffff),
      keyframeWanted: true,
      sent: 0,
      plis: 0,
    };
    transceiver.sender.onPictureLossIndication.subscribe(() => {
      out.plis++;
      out.keyframeWanted = true;
    });
    if (source === 'camera' && this.opts.simulcast) {
      out.layers = this.opts.simulcast.map((l, i) => ({
        width: 320 << i,
        height: 180 << i,
        ...l,
        ssrc: (Math.random() * 0xffffffff) >>> 0,
        seq: Math.floor(Math.random() * 0xffff),
        pictureId: Math.floor(Math.random() * 0x7fff),
        keyframeWanted: true,
        sent: 0,
      }));
    }
    this.outgoing.set(source, out);
    this.tag.set(source, Buffer.from(`${this.name}/${source}`));
  }

  /** Stops sending `source` and marks its m-section inactive (next publishOffer()). */
  removeSource(source: Source): void {
    const out = this.outgoing.get(source);
    if (!out) return;
    if (out.timer) clearInterval(out.timer);
    out.transceiver.setDirection('inactive');
    this.outgoing.delete(source);
  }

  /** PLIs the publisher received for `source`. */
  plis(source: Source): number {
    return this.outgoing.get(source)?.plis ?? 0;
  }

  sent(source: Source): number {
    return this.outgoing.get(source)?.sent ?? 0;
  }

  /** Packets sent on one simulcast layer of `source`. */
  sentLayer(source: Source, rid: string): number {
    return this.outgoing.get(source)?.layers?.find((l) => l.rid === rid)?.sent ?? 0;
  }

  async publishOffer(): Promise<{ sdp: string; tracks: Array<{ mid: string; source: Source }> }> {
    withoutPublicStun(this.upstream);
    await this.upstream.setLocalDescription(await this.upstream.createOffer());
    await gathered(this.upstream);
    const tracks = [...this.outgoing.values()].map((o) => ({ mid: o.transceiver.mid!, source: o.source }));
    let sdp = this.upstream.localDescription!.sdp;
    for (const out of this.outgoing.values()) {
      if (!out.layers) continue;
      const offer = simulcastOffer(sdp, out.transceiver.mid!, out.layers.map((l) => l.rid));
      sdp = offer.sdp;
      out.ext = { mid: offer.midExtId, rid: offer.ridExtId };
    }
    return { sdp, tracks };
  }

  async publishAnswer(sdp: string): Promise<void> {
    const simulcast = [...this.outgoing.values()].some((o) => o.layers);
    await this.upstream.setRemoteDescription({ type: 'answer', sdp: simulcast ? withoutSimulcast(sdp) : sdp });
    if (simulcast) this.listenLayerKeyframeRequests();
  }

  async connected(pc: RTCPeerConnection, timeoutMs = 10_000): Promise<void> {
    if (pc.connectionState === 'connected') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: not connected`)), timeoutMs);
      const sub = pc.connectionStateChange.subscribe((s) => {
        if (s === 'connected') {
          clearTimeout(timer);
          sub.unSubscribe();
          resolve();
        }
      });
    });
  }

  /**
   * Answers the SFU's downstream offer; `tracks` maps its mids to remote participants and sources.
   * Without `tracks` the mapping stays as mapDownstream() last set it.
   */
  async answerDownstream(sdp: string, tracks?: DownstreamTrack[]): Promise<string> {
    this.downstreamOffers++;
    await this.downstream.setRemoteDescription({ type: 'offer', sdp });
    if (tracks) this.mapDownstream(tracks);
    for (const transceiver of this.downstream.getTransceivers()) this.hook(transceiver);
    withoutPublicStun(this.downstream);
    await this.downstream.setLocalDescription(await this.downstream.createAnswer());
    await gathered(this.downstream);
    return this.downstream.localDescription!.sdp;
  }

  /** The SFU's latest mid → (participant, source) list (an offer's, or a `subscribe-tracks` frame's). */
  mapDownstream(tracks: DownstreamTrack[]): void {
    this.midMap = new Map(tracks.map((t) => [t.mid, t]));
  }

  /** Mid currently carrying (participantId, source) downstream, if any. */
  midOf(participantId: string, source: Source): string | undefined {
    for (const t of this.midMap.values()) if (t.participantId === participantId && t.source === source) return t.mid;
    return undefined;
  }

  stream(participantId: string, source: Source): ReceivedStream {
    const key = `${participantId}/${source}`;
    let s = this.received.get(key);
    if (!s) {
      s = { packets: 0, bytes: 0, corrupt: 0, records: [] };
      this.received.set(key, s);
    }
    return s;
  }

  /** Sends a PLI for the stream of (participantId, source) toward the SFU. */
  async sendPli(participantId: string, source: Source): Promise<void> {
    const transceiver = this.receivingTransceiver(participantId, source);
    await transceiver.receiver.sendRtcpPLI(transceiver.receiver.tracks[0]!.ssrc!);
  }

  /** Sends an RTCP FIR (RFC 5104) for the stream of (participantId, source); werift has no API for it. */
  async sendFir(participantId: string, source: Source, firSeq = 1): Promise<void> {
    const transceiver = this.receivingTransceiver(participantId, source);
    const buf = Buffer.alloc(20);
    buf[0] = 0x80 | 4;
    buf[1] = 206;
    buf.writeUInt16BE(4, 2);
    buf.writeUInt32BE(transceiver.receiver.rtcpSsrc, 4);
    buf.writeUInt32BE(0, 8);
    buf.writeUInt32BE(transceiver.receiver.tracks[0]!.ssrc!, 12);
    buf[16] = firSeq & 0xff;
    const raw = { serialize: () => buf };
    await transceiver.dtlsTransport.sendRtcp([raw as never]);
  }

  start(): void {
    for (const out of this.outgoing.values()) if (!out.timer) this.startSource(out);
  }

  stop(): void {
    for (const out of this.outgoing.values()) {
      if (out.timer) clearInterval(out.timer);
      out.timer = undefined;
    }
  }

  async close(): Promise<void> {
    this.stop();
    await Promise.all([this.upstream.close(), this.downstream.close()]);
  }

  private receivingTransceiver(participantId: string, source: Source): RTCRtpTransceiver {
    const mid = this.midOf(participantId, source);
    const transceiver = this.downstream.getTransceivers().find((t) => t.mid === mid);
    if (!mid || !transceiver) throw new Error(`${this.name} does not receive ${participantId}/${source}`);
    return transceiver;
  }

  private hook(transceiver: RTCRtpTransceiver): void {
    if (this.hooked.has(transceiver)) return;
    this.hooked.add(transceiver);
    const listen = (track: { onReceiveRtp: { subscribe: (f: (p: RtpPacket) => void) => unknown } }): void => {
      track.onReceiveRtp.subscribe((packet) => this.onPacket(transceiver.mid, packet));
    };
    for (const track of transceiver.receiver.tracks) listen(track);
    transceiver.onTrack.subscribe((track) => listen(track));
  }

  private onPacket(mid: string | null, packet: RtpPacket): void {
    const mapped = mid === null ? undefined : this.midMap.get(mid);
    if (!mapped) {
      this.strayPackets++;
      return;
    }
    const s = this.stream(mapped.participantId, mapped.source);
    s.packets++;
    s.bytes += packet.payload.length;
    if (!this.opts.record) return;
    const p = readPayload(packet.payload);
    if (!p.intact) s.corrupt++;
    s.records.push({
      seq: packet.header.sequenceNumber,
      ts: packet.header.timestamp,
      ssrc: packet.header.ssrc,
      payloadType: packet.header.payloadType,
      originSeq: p.originSeq,
      tag: p.tag,
      keyframe: p.keyframe,
      intact: p.intact,
      at: performance.now(),
    });
  }

  private startSource(out: Outgoing): void {
    const tag = this.tag.get(out.source)!;
    if (out.source === 'mic') {
      const audio = this.opts.audio ?? { packetMs: 20, packetBytes: 80 };
      out.timer = setInterval(() => {
        out.ts = (out.ts + (48000 * audio.packetMs) / 1000) >>> 0;
        this.send(out, makePayload(audio.packetBytes, tag, out.seq, true, false), true);
      }, audio.packetMs);
      return;
    }
    const video = this.opts.video ?? { fps: 20, frameBytes: 3125, maxPacketBytes: 1100 };
    if (out.layers) {
      out.timer = setInterval(() => {
        out.ts = (out.ts + 90000 / video.fps) >>> 0;
        for (const layer of out.layers!) this.sendLayerFrame(out, layer, video.maxPacketBytes);
      }, 1000 / video.fps);
      return;
    }
    out.timer = setInterval(() => {
      out.ts = (out.ts + 90000 / video.fps) >>> 0;
      const keyframe = out.keyframeWanted;
      out.keyframeWanted = false;
      const count = Math.ceil(video.frameBytes / video.maxPacketBytes);
      const size = Math.ceil(video.frameBytes / count);
      for (let i = 0; i < count; i++) this.send(out, makePayload(size, tag, out.seq, i === 0, keyframe), i === count - 1);
    }, 1000 / video.fps);
  }

  /**
   * PLIs and FIRs for the layers' SSRCs, which werift's router does not pass to the sender (it knows
   * only the transceiver's own SSRC): a PLI names its layer, a FIR asks every layer.
   */
  private listenLayerKeyframeRequests(): void {
    const transports = new Set([...this.outgoing.values()].filter((o) => o.layers).map((o) => o.transceiver.dtlsTransport));
    for (const transport of transports) {
      transport.onRtcp.subscribe((rtcp) => {
        if (rtcp.type !== RtcpPayloadSpecificFeedback.type) return;
        const feedback = (rtcp as RtcpPayloadSpecificFeedback).feedback as { count: number; mediaSsrc?: number };
        if (feedback.count !== 1 && feedback.count !== 4) return;
        for (const out of this.outgoing.values()) {
          for (const layer of out.layers ?? []) {
            if (feedback.count === 4 || feedback.mediaSsrc === layer.ssrc) {
              layer.keyframeWanted = true;
              out.plis++;
            }
          }
        }
      });
    }
  }

  private sendLayerFrame(out: Outgoing, layer: LayerState, maxPacketBytes: number): void {
    const keyframe = layer.keyframeWanted;
    layer.keyframeWanted = false;
    layer.pictureId = (layer.pictureId + 1) & 0x7fff;
    const count = Math.ceil(layer.frameBytes / maxPacketBytes);
    const size = Math.ceil(layer.frameBytes / count);
    const transport = out.transceiver.dtlsTransport;
    const payloadType = out.transceiver.sender.codec?.payloadType;
    if (transport.state !== 'connected' || payloadType === undefined || !out.ext) return;
    for (let i = 0; i < count; i++) {
      const payload = vp8Packet({ pictureId: layer.pictureId, first: i === 0, keyframe, width: layer.width!, height: layer.height!, size });
      const header = new RtpHeader({
        payloadType,
        ssrc: layer.ssrc,
        sequenceNumber: layer.seq,
        timestamp: out.ts,
        marker: i === count - 1,
        extensions: [
          { id: out.ext.mid, payload: Buffer.from(out.transceiver.mid!) },
          { id: out.ext.rid, payload: Buffer.from(layer.rid) },
        ],
      });
      layer.seq = (layer.seq + 1) & 0xffff;
      layer.sent++;
      out.sent++;
      transport.sendRtp(payload, header).catch(() => undefined);
    }
  }

  private send(out: Outgoing, payload: Buffer, marker: boolean): void {
    // payloadType and ssrc are set by werift's sender from the negotiated parameters.
    const header = new RtpHeader({ sequenceNumber: out.seq, timestamp: out.ts, marker });
    out.seq = (out.seq + 1) & 0xffff;
    out.sent++;
    out.transceiver.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
  }
}
