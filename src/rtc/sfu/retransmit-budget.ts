import { forwardedSize } from './rtp-send.js';
import { GenericNack, RtcpTransportLayerFeedback, type RTCRtpSender, type RtcpPacket, type RtpPacket } from 'werift';

/** The bucket holds this much of its rate: the repair of a lost keyframe at once, not seconds of saved-up allowance. */
const BURST_MS = 500;
/** RTX's original sequence number, RTP/SRTP/UDP/IP headers: what a retransmission adds to its payload on the wire. */
const RETRANSMIT_OVERHEAD_BYTES = 52;

/**
 * How much of a subscriber's downlink video retransmissions may take: at most its estimate, as
 * libwebrtc's sender limits them to its target rate. Answering every NACK kept a congested link full:
 * a 300 kbit/s viewer that briefly got the 720p layer was sent ~1,800 retransmissions in 8 s (many lost
 * and NACKed again) that filled its queue after its video had paused, so its estimate fell to the floor.
 * Bounded by the estimate, they shrink as it falls. A tighter bound (what the estimate leaves beside the
 * media, little, as the estimate grows only a step above what is sent) left a viewer receiving video
 * without decoding a frame, as unrepaired keyframe packets would.
 */
export class RetransmitBudget {
  private bytes: number;
  private rateBps: number;
  private at: number;

  constructor(initialBps: number, now = performance.now()) {
    this.rateBps = initialBps;
    this.bytes = this.capacity();
    this.at = now;
  }

  /** The subscriber's estimate now (bps): what retransmissions may take from now on. */
  allow(estimateBps: number, now: number): void {
    this.refill(now);
    this.rateBps = estimateBps;
    this.bytes = Math.min(this.bytes, this.capacity());
  }

  /** Takes room for `bytes` on the wire; false when there is none (the packet is not sent again). */
  take(bytes: number, now: number): boolean {
    this.refill(now);
    if (this.bytes < bytes) return false;
    this.bytes -= bytes;
    return true;
  }

  private capacity(): number {
    return (this.rateBps / 8) * (BURST_MS / 1000);
  }

  private refill(now: number): void {
    this.bytes = Math.min(this.capacity(), this.bytes + (Math.max(0, now - this.at) * this.rateBps) / 8000);
    this.at = now;
  }
}

/** werift's send history, private in its typings: packets by sequence number modulo its length. */
interface SendHistory {
  rtpCache: Array<RtpPacket | undefined>;
}
const HISTORY = 128;

function werifts(cache: SendHistory['rtpCache'], seq: number): number | undefined {
  const sent = cache[seq % HISTORY];
  return sent?.header.sequenceNumber === seq ? sent.payload.length : undefined;
}

/**
 * Puts `sender`'s NACK answers under `budget`. Both send paths answer a NACK from their history when its
 * RTCP arrives (the forwarding sender on werift's onGenericNack, which fires inside this handler; werift's
 * own sender for what it sent itself); this trims the list to the packets the budget has room for before
 * either sees it (packets in neither history are left in the list; both skip them).
 */
export function budgetRetransmissions(sender: RTCRtpSender, budget: RetransmitBudget, now: () => number = () => performance.now()): void {
  const handle = sender.handleRtcpPacket.bind(sender);
  sender.handleRtcpPacket = (packet: RtcpPacket) => {
    if (packet.type === RtcpTransportLayerFeedback.type) {
      const { feedback } = packet as RtcpTransportLayerFeedback;
      if (feedback instanceof GenericNack) {
        const at = now();
        // Read each time: werift replaces the array when the sender's numbering is rebased.
        const cache = (sender as unknown as SendHistory).rtpCache;
        feedback.lost = feedback.lost.filter((seq) => {
          const size = forwardedSize(sender, seq) ?? werifts(cache, seq);
          return size === undefined || budget.take(size + RETRANSMIT_OVERHEAD_BYTES, at);
        });
      }
    }
    handle(packet);
  };
}
