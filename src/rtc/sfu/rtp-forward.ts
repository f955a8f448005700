import { RtpHeader, RtpPacket } from 'werift';

const SEQ_MOD = 0x10000;
const TS_MOD = 0x100000000;

/**
 * Per-subscriber sequence number and timestamp rewriting. Packets keep the publisher's numbering
 * shifted by an offset; whenever the stream restarts (forwarding resumed after a pause, the source's
 * SSRC changed, or a slot is reused for another publisher) the offset is rebased so the subscriber
 * sees numbers continue from the last packet it got, with no gap to NACK and no timestamp jump back.
 */
export class SequenceRewriter {
  private seqOffset = 0;
  private tsOffset = 0;
  private ssrc: number | undefined;
  private rebase = true;
  private lastSeq: number | undefined;
  private lastTs = 0;
  private lastAt = 0;

  constructor(private clockRate: number) {}

  /** The next packet starts a new run (after a pause or on another source). */
  restart(clockRate = this.clockRate): void {
    this.clockRate = clockRate;
    this.rebase = true;
  }

  /** Rewritten (sequenceNumber, timestamp) of `header`; `now` in ms. */
  map(header: RtpHeader, now: number): { sequenceNumber: number; timestamp: number } {
    if (this.rebase || header.ssrc !== this.ssrc) {
      this.ssrc = header.ssrc;
      this.rebase = false;
      if (this.lastSeq !== undefined) {
        this.seqOffset = (this.lastSeq + 1 - header.sequenceNumber + SEQ_MOD) % SEQ_MOD;
        const elapsed = Math.max(1, Math.round(((now - this.lastAt) * this.clockRate) / 1000));
        this.tsOffset = (((this.lastTs + elapsed - header.timestamp) % TS_MOD) + TS_MOD) % TS_MOD;
      }
    }
    const sequenceNumber = (header.sequenceNumber + this.seqOffset) % SEQ_MOD;
    const timestamp = (header.timestamp + this.tsOffset) % TS_MOD;
    // Only a newer packet moves the high-water mark; retransmissions arrive late and must not.
    if (this.lastSeq === undefined || ((sequenceNumber - this.lastSeq + SEQ_MOD) % SEQ_MOD) < SEQ_MOD / 2) {
      this.lastSeq = sequenceNumber;
      this.lastTs = timestamp;
      this.lastAt = now;
    }
    return { sequenceNumber, timestamp };
  }
}

/**
 * The copy one subscriber's sender may own: werift's sender rewrites the header it is given in place
 * (SSRC, payload type, sequence) and keeps it for retransmission, so each subscriber needs its own header.
 * Header extensions are dropped: their ids were negotiated on the publisher's connection and mean
 * something else (or nothing) on the subscriber's; the sender adds its own mid extension.
 * The payload is shared: nothing downstream writes to it.
 */
export function forwardCopy(packet: RtpPacket, sequenceNumber: number, timestamp: number): RtpPacket {
  const src = packet.header;
  const header = new RtpHeader({
    marker: src.marker,
    payloadType: src.payloadType,
    sequenceNumber,
    timestamp,
    ssrc: src.ssrc,
    padding: src.padding,
    paddingSize: src.paddingSize,
    csrc: src.csrc,
    csrcLength: src.csrcLength,
  });
  return new RtpPacket(header, packet.payload);
}
