import { isIP } from 'node:net';
import { StunProtocol, type GenericNack, type RTCRtpSender, type RtpPacket } from 'werift';
import { absSendTimeOf, headerLength, ntpTimestampOf, planExtensions, writeRtpHeader, type ExtensionPlan } from './rtp-header.js';
import { forwardCopy } from './rtp-forward.js';
import { SrtpProtector, type SrtpLocalContext } from './srtp-protect.js';

/**
 * The SFU's forwarding send path. werift's RTCRtpSender.sendRtp costs several objects, promises and
 * buffers per packet (a header object per subscriber, its extension array rebuilt and sorted, a
 * BigInt clock, three buffers concatenated after encryption). A forwarded packet here is one datagram
 * buffer: the header is written into it from a per-sender extension layout, the payload encrypted
 * after it, and the result handed to the ICE connection. What werift's sender keeps per packet and
 * others read is kept the same way: the sender-report fields (packetCount, octetCount, rtpTimestamp,
 * ntpTimestamp; werift's runRtcp sends the reports), the statistics collectStats reports
 * (headerBytesSent, retransmissions) and the transport's counters. Retransmissions come from a send
 * history here, answered when werift reports a NACK (onGenericNack); werift's own rtpCache stays empty.
 */

/** Packets kept per sender for NACKs: werift's own history length. */
const HISTORY = 128;
/**
 * How often the sender-report clock pair (ntpTimestamp, rtpTimestamp) is taken from a sent packet.
 * A report only needs the two to describe the same moment; a pair a few ms old does, and the 64-bit
 * NTP value (a BigInt) then costs nothing on most packets.
 */
const REPORT_CLOCK_MS = 20;

/** werift's per-sender bookkeeping, declared private in its typings but read by its RTCP and stats code. */
interface SenderFields {
  mid?: string;
  rtpStreamId?: string;
  repairedRtpStreamId?: string;
  headerExtensions: Array<{ id: number; uri: string }>;
  rtxPayloadType?: number;
  rtxSequenceNumber: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  retransmittedPacketsSent: number;
  retransmittedBytesSent: number;
  sequenceNumber?: number;
  timestamp?: number;
  seqOffset: number;
  timestampOffset: number;
}

/** werift's consent-to-send test (no pair, closed, failed, or consent expired: false). */
interface ConsentCheck {
  canSendApplicationData(): boolean;
}

type Dtls = RTCRtpSender['dtlsTransport'];
type IceConnection = Dtls['iceTransport']['connection'];
type CandidatePair = NonNullable<IceConnection['nominated']>;

const noop = (): void => undefined;
const senders = new WeakMap<RTCRtpSender, ForwardingSender>();

/**
 * Sends one forwarded packet on `sender` as sequence number / timestamp `sequenceNumber` /
 * `timestamp` (the subscriber's numbering), with the extensions the subscriber's connection
 * negotiated (mid; abs-send-time on video) instead of the publisher's. Nothing is sent before the
 * sender's transport is connected, as with werift's sendRtp.
 */
export function sendForwarded(sender: RTCRtpSender, packet: RtpPacket, sequenceNumber: number, timestamp: number): void {
  const dtls = sender.dtlsTransport;
  if (!dtls || dtls.state !== 'connected' || !sender.codec) return;
  let forwarding = senders.get(sender);
  if (!forwarding) {
    forwarding = new ForwardingSender(sender);
    senders.set(sender, forwarding);
  }
  forwarding.send(dtls, packet, sequenceNumber, timestamp);
}

/**
 * The payload size of the packet `sender` forwarded as `seq`, if it is still in the forwarding history
 * (what a retransmission of it would cost); undefined for packets werift's own sender sent.
 */
export function forwardedSize(sender: RTCRtpSender, seq: number): number | undefined {
  return senders.get(sender)?.sizeOf(seq);
}

class ForwardingSender {
  private readonly fields: SenderFields;
  // The extension layout and the SRTP keys it was made for, remade if either changes.
  private plan: ExtensionPlan | undefined;
  private planFor: { list: unknown; mid: unknown; rid: unknown; rrid: unknown } = { list: undefined, mid: undefined, rid: undefined, rrid: undefined };
  private protector: SrtpProtector | undefined;
  // The selected pair's UDP socket and remote address, when packets can go to it directly.
  private route: { pair: CandidatePair; socket: StunProtocol['transport']['socket'] | undefined; transport: StunProtocol['transport'] | undefined; host: string; port: number } | undefined;
  private clockAt = -Infinity;
  // Send history for NACKs, by sequence number modulo HISTORY.
  private readonly sentSeq = new Int32Array(HISTORY).fill(-1);
  private readonly sentTs = new Uint32Array(HISTORY);
  private readonly sentMarker = new Uint8Array(HISTORY);
  private readonly sentCsrc: Array<readonly number[]> = new Array<readonly number[]>(HISTORY).fill([]);
  private readonly sentPayload: Array<Buffer | undefined> = new Array<Buffer | undefined>(HISTORY).fill(undefined);

  constructor(private readonly sender: RTCRtpSender) {
    this.fields = sender as unknown as SenderFields;
    sender.onGenericNack.subscribe((nack) => this.retransmit(nack));
    // werift starts its sender-report loop from sendRtp; this path never calls that.
    void sender.runRtcp();
  }

  send(dtls: Dtls, packet: RtpPacket, sequenceNumber: number, timestamp: number): void {
    const f = this.fields;
    const plan = this.planFor.list === f.headerExtensions && this.planFor.mid === f.mid && this.planFor.rid === f.rtpStreamId && this.planFor.rrid === f.repairedRtpStreamId ? this.plan : this.replan();
    const protector = this.protector?.context === dtls.srtp?.localContext ? this.protector : this.rekey(dtls);
    if (!plan || !protector || this.sender.redRedundantPayloadType !== undefined) {
      // Something this path does not write (RED, two-byte extensions, another SRTP profile): werift's own sender.
      void this.sender.sendRtp(forwardCopy(packet, sequenceNumber, timestamp)).catch(noop);
      return;
    }
    const seq = (sequenceNumber + f.seqOffset) & 0xffff;
    const ts = (timestamp + f.timestampOffset) >>> 0;
    const { header, payload } = packet;
    const now = performance.timeOrigin + performance.now();
    const hdrLength = this.transmit(dtls, plan, protector, header.marker, this.sender.codec!.payloadType, seq, ts, this.sender.ssrc, header.csrc, payload, now);

    const i = seq % HISTORY;
    this.sentSeq[i] = seq;
    this.sentTs[i] = ts;
    this.sentMarker[i] = header.marker ? 1 : 0;
    this.sentCsrc[i] = header.csrc;
    this.sentPayload[i] = payload;

    f.sequenceNumber = seq;
    f.timestamp = ts;
    if (now - this.clockAt >= REPORT_CLOCK_MS) {
      this.clockAt = now;
      f.rtpTimestamp = ts;
      f.ntpTimestamp = ntpTimestampOf(now);
    }
    f.octetCount += payload.length;
    f.headerBytesSent += hdrLength;
    f.packetCount = (f.packetCount + 1) >>> 0;
  }

  sizeOf(seq: number): number | undefined {
    const i = seq % HISTORY;
    return this.sentSeq[i] === seq ? this.sentPayload[i]?.length : undefined;
  }

  /** Answers a subscriber's NACK from the send history (over RTX when negotiated), as werift's sender would. */
  private retransmit(nack: GenericNack): void {
    const dtls = this.sender.dtlsTransport;
    const plan = this.plan;
    const protector = this.protector;
    if (!dtls || dtls.state !== 'connected' || !plan || !protector || protector.context !== dtls.srtp?.localContext) return;
    const f = this.fields;
    const now = performance.timeOrigin + performance.now();
    for (const lost of nack.lost) {
      const i = lost % HISTORY;
      const original = this.sentPayload[i];
      if (this.sentSeq[i] !== lost || !original) continue;
      let payload = original;
      let payloadType = this.sender.codec!.payloadType;
      let seq = lost;
      let ssrc = this.sender.ssrc;
      if (f.rtxPayloadType !== undefined) {
        // RFC 4588: the original sequence number, then the original payload, on the RTX stream.
        payload = Buffer.allocUnsafe(2 + original.length);
        payload.writeUInt16BE(lost, 0);
        original.copy(payload, 2);
        payloadType = f.rtxPayloadType;
        seq = f.rtxSequenceNumber;
        ssrc = this.sender.rtxSsrc;
        f.rtxSequenceNumber = (f.rtxSequenceNumber + 1) & 0xffff;
      }
      const hdrLength = this.transmit(dtls, plan, protector, this.sentMarker[i] === 1, payloadType, seq, this.sentTs[i]!, ssrc, this.sentCsrc[i]!, payload, now);
      f.retransmittedPacketsSent++;
      f.retransmittedBytesSent += payload.length;
      f.headerBytesSent += hdrLength;
    }
  }

  /** Writes, protects and sends one packet; returns its header length. */
  private transmit(
    dtls: Dtls,
    plan: ExtensionPlan,
    protector: SrtpProtector,
    marker: boolean,
    payloadType: number,
    seq: number,
    ts: number,
    ssrc: number,
    csrc: readonly number[],
    payload: Buffer,
    now: number,
  ): number {
    const hdrLength = headerLength(csrc.length, plan);
    const datagram = Buffer.allocUnsafe(hdrLength + payload.length + protector.tagLength);
    let wideSeq = 0;
    if (plan.transportSeq >= 0) wideSeq = dtls.transportSequenceNumber = (dtls.transportSequenceNumber + 1) & 0xffff;
    writeRtpHeader(datagram, marker, payloadType, seq, ts, ssrc, csrc, plan, absSendTimeOf(now), wideSeq);
    protector.protect(datagram, hdrLength, payload, ssrc, seq);
    if (plan.transportSeq >= 0) this.sender.senderBWE.rtpPacketSent({ wideSeq, size: datagram.length, sendingAtMs: now, sentAtMs: now });
    // werift's test hook for outbound loss (a share of packets is dropped after encryption).
    const loss = dtls.config.debug?.outboundPacketLoss;
    if (loss && loss / 100 < Math.random()) return hdrLength;
    dtls.bytesSent += datagram.length;
    dtls.packetsSent++;
    this.deliver(dtls.iceTransport.connection, datagram);
    return hdrLength;
  }

  /**
   * Hands the datagram to the selected pair's UDP socket, as werift's IceConnection.send would, minus
   * its three promises per packet; other transports (ICE-TCP, TURN) go through werift. Nothing is sent
   * without consent (RFC 7675), werift's own check, private in its typings.
   */
  private deliver(connection: IceConnection, datagram: Buffer): void {
    const pair = connection.nominated;
    if (!pair || !(connection as unknown as ConsentCheck).canSendApplicationData()) return;
    let route = this.route;
    if (route?.pair !== pair) {
      const [host, port] = pair.remoteAddr;
      const transport = pair.protocol instanceof StunProtocol ? pair.protocol.transport : undefined;
      route = this.route = { pair, transport, socket: transport?.type === 'udp' && isIP(host) ? transport.socket : undefined, host, port };
    }
    if (!route.socket || route.transport!.closed) {
      connection.send(datagram).catch(noop);
      return;
    }
    try {
      route.socket.send(datagram, route.port, route.host);
    } catch {
      return; // the socket closed under us; the connection is going away
    }
    pair.packetsSent++;
    pair.bytesSent += datagram.length;
  }

  private replan(): ExtensionPlan | undefined {
    const f = this.fields;
    this.planFor = { list: f.headerExtensions, mid: f.mid, rid: f.rtpStreamId, rrid: f.repairedRtpStreamId };
    this.plan = planExtensions(f.headerExtensions ?? [], { mid: f.mid, rtpStreamId: f.rtpStreamId, repairedRtpStreamId: f.repairedRtpStreamId });
    return this.plan;
  }

  private rekey(dtls: Dtls): SrtpProtector | undefined {
    const context: SrtpLocalContext | undefined = dtls.srtp?.localContext;
    this.protector = context ? SrtpProtector.for(context) : undefined;
    return this.protector;
  }
}
