/** Where a subscriber's estimate starts: enough for a middle layer and audio, not yet the top layer. */
export const START_BPS = 1_000_000;
const MIN_BPS = 100_000;
/** Loss above this is congestion; between LOSS_HOLD and it the estimate holds (no probing). */
const LOSS_CONGESTED = 0.1;
const LOSS_HOLD = 0.02;
/** A REMB this far below what is being sent is congestion (Chromium's delay-based estimate says the queue grows). */
const REMB_CONGESTED = 0.85;
/** After a probe the browser's REMB lags the new rate; it is not read as congestion for this long. */
const PROBE_SETTLE_MS = 2_000;
/** How long a probe must stay clean to count as a success. */
const PROBE_JUDGE_MS = 4_000;
const PROBE_WAIT_MS = 3_000;
const PROBE_WAIT_MAX_MS = 32_000;

/**
 * One subscriber's downlink estimate, from what its browser reports: REMB (Chromium's delay-based
 * receive estimate, from the abs-send-time the SFU writes) and the fraction lost of its receiver
 * reports. It only learns the link's limit by crossing it, so it probes: after a quiet while it lets
 * the allocation take one more layer; a probe met by congestion doubles the wait before the next.
 */
export class DownlinkEstimator {
  private rate = START_BPS;
  private sendRate = 0;
  private lastCongestionAt = -Infinity;
  private lastHoldAt = -Infinity;
  private probeAt = -Infinity;
  private probeWait = PROBE_WAIT_MS;
  /** Last REMB, bps (undefined until the browser sends one). */
  remb: number | undefined;

  /** What the subscriber's link carries now, bps. */
  get estimate(): number {
    return this.rate;
  }

  /** The rate sent to this subscriber over the last interval, bps (the allocation reports it). */
  sample(now: number, sendRate: number): void {
    this.sendRate = sendRate;
    if (this.probeAt > this.lastCongestionAt && now - this.probeAt >= PROBE_JUDGE_MS) this.probeWait = PROBE_WAIT_MS;
    // Clean for a while: grow like a loss-based controller (about 8 %/s), but never far above what is used.
    if (now - this.lastCongestionAt > 2_000 && now - this.lastHoldAt > 1_000) {
      const ceiling = sendRate * 1.5 + 100_000;
      if (this.rate < ceiling) this.rate = Math.min(ceiling, this.rate * 1.04);
    }
  }

  /** The fraction lost (0–1) a receiver report gives for one of the SSRCs sent to this subscriber. */
  onLoss(fraction: number, now: number): void {
    if (fraction > LOSS_CONGESTED) {
      // Reports come about once a second per stream: one cut per second, however many streams report it.
      if (now - this.lastCongestionAt < 1_000) return;
      this.lower(Math.max(MIN_BPS, Math.min(this.rate, this.sendRate) * (1 - 0.5 * fraction)), now);
    } else if (fraction > LOSS_HOLD) {
      this.lastHoldAt = now;
    }
  }

  onRemb(bps: number, now: number): void {
    const previous = this.remb;
    this.remb = bps;
    // Chromium's REMB trails a rate that just went up (it grows with what arrives), so only a REMB that
    // fell, below what is being sent, is its delay-based detector calling congestion.
    const fell = previous !== undefined && bps < previous * 0.97;
    if (!fell || now - this.probeAt < PROBE_SETTLE_MS) return;
    if (this.sendRate > 0 && bps < this.sendRate * REMB_CONGESTED) this.lower(Math.max(MIN_BPS, bps), now);
  }

  /** The allocation took a layer more: the browser's REMB needs a moment to catch up, as after a probe. */
  raised(now: number): void {
    this.probeAt = Math.max(this.probeAt, now);
  }

  /** Whether the allocation may try one layer more now. */
  mayProbe(now: number): boolean {
    return now - this.lastCongestionAt > this.probeWait && now - this.probeAt > this.probeWait && now - this.lastHoldAt > 2_000;
  }

  /** The allocation takes `extra` bps more than it sends now. */
  probe(extra: number, now: number): void {
    this.probeAt = now;
    this.rate = Math.max(this.rate, this.sendRate + extra * 1.2);
  }

  private lower(to: number, now: number): void {
    if (to < this.rate) this.rate = to;
    // Congestion within a probe's judging time: the probe failed, wait longer before the next.
    if (now - this.probeAt < PROBE_JUDGE_MS && this.lastCongestionAt < this.probeAt) this.probeWait = Math.min(PROBE_WAIT_MAX_MS, this.probeWait * 2);
    this.lastCongestionAt = now;
  }
}
