import { GenericNack, RtcpTransportLayerFeedback, type RTCRtpSender, type RtcpPacket, type RtpPacket } from 'werift';

/** At least this share of a subscriber's estimate may go to retransmissions: a few repairs on a full link, not a storm. */
const MIN_SHARE = 0.05;
/** The bucket holds this much of its rate: a burst of NACKs after one lost frame, not seconds of saved-up allowance. */
const BURST_MS = 250;
/** RTX's original sequence number, RTP/SRTP/UDP/IP headers: what a retransmission adds to its payload on the wire. */
const RETRANSMIT_OVERHEAD_BYTES = 52;

/**
 * How much of a subscriber's downlink video retransmissions may take: a token bucket filled at what its
 * estimate leaves beside the media its allocation sends. Answering every NACK is what fills a congested
 * link for good: a 300 kbit/s viewer that briefly got the 720p layer lost half its packets, NACKed them,
 * and the ~1,800 retransmissions that followed in 8 s (many lost again and NACKed again) kept its queue
 * full after its video had been paused, so the loss went on and its estimate fell to the floor.
 * Unanswered losses are repaired by the keyframe the browser then asks for.
 */
export class RetransmitBudget {
  private bytes: number;
  private rateBps: number;
  private at: number;

  /** Until the first allocation says otherwise, retransmissions may take `initialBps` (a new viewer's first keyframe is the one to repair). */
  constructor(initialBps: number, now = performance.now()) {
    this.rateBps = initialBps;
    this.bytes = (initialBps / 8) * (BURST_MS / 1000);
    this.at = now;
  }

  /** What retransmissions may take from now, from the subscriber's estimate and the media allocated within it (bps). */
  allow(estimateBps: number, mediaBps: number, now: number): void {
    this.refill(now);
    this.rateBps = Math.max(estimateBps * MIN_SHARE, estimateBps - mediaBps);
  }

  /** Takes room for `bytes` on the wire; false when there is none (the packet is not sent again). */
  take(bytes: number, now: number): boolean {
    this.refill(now);
    if (this.bytes < bytes) return false;
    this.bytes -= bytes;
    return true;
  }

  private refill(now: number): void {
    const capacity = (this.rateBps / 8) * (BURST_MS / 1000);
    this.bytes = Math.min(capacity, this.bytes + (Math.max(0, now - this.at) * this.rateBps) / 8000);
    this.at = now;
  }
}

/** werift's send history, private in its typings: packets by sequence number modulo its length. */
interface SendHistory {
  rtpCache: Array<RtpPacket | undefined>;
}
const HISTORY = 128;

/**
 * Puts `sender`'s NACK answers under `budget`. werift answers a NACK inside its RTCP handling, from its
 * send history, for every sequence number listed; this trims the list to the packets the budget has room
 * for before werift sees it (packets no longer in the history are left to werift, which skips them).
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
          const sent = cache[seq % HISTORY];
          if (!sent || sent.header.sequenceNumber !== seq) return true;
          return budget.take(sent.payload.length + RETRANSMIT_OVERHEAD_BYTES, at);
        });
      }
    }
    handle(packet);
  };
}
