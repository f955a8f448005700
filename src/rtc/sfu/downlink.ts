/** Where a subscriber's estimate starts: enough for a middle layer and audio, not yet the top layer. */
export const START_BPS = 1_000_000;
const MIN_BPS = 100_000;
/** Loss above this is congestion; between LOSS_HOLD and it the estimate holds (no probing). */
const LOSS_CONGESTED = 0.1;
const LOSS_HOLD = 0.02;
/** How long a probe must stay clean to count as a success. */
const PROBE_JUDGE_MS = 4_000;
const PROBE_WAIT_MS = 3_000;
const PROBE_WAIT_MAX_MS = 32_000;

/** Send-rate samples (one per allocation, 500 ms) whose peak a loss cut and the growth ceiling start from. */
const SEND_HISTORY = 4;

/**
 * One subscriber's downlink estimate, from the fraction lost in its browser's receiver reports. It
 * only learns the link's limit by crossing it, so it probes: after a quiet while it lets the
 * allocation take one more layer; a probe met by congestion doubles the wait before the next.
 * The browser's REMB is kept (statistics, benches) but does not steer. It was read as congestion while
 * werift's sender wrote abs-send-time from a clock that stepped once a second, and then held a viewer on
 * a loopback link below 720p; the forwarding sender (rtp-send.ts) now writes the real time, but letting
 * REMB steer again has not been measured, so loss alone lowers the estimate.
 * Cuts and the growth ceiling start from the peak send rate of the last two seconds, not the last
 * half second: when the machine stalls, every viewer reports a burst of loss while little was sent,
 * and a cut from that near-zero rate paused video that had fitted.
 */
export class DownlinkEstimator {
  private rate = START_BPS;
  private sendRate = 0;
  private readonly sent: number[] = [];
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

  /** The rate sent to this subscriber over the last interval, bps, and what its audio and lowest video layers need (the allocation reports both). */
  sample(now: number, sendRate: number, floor = 0): void {
    this.sent.push(sendRate);
    if (this.sent.length > SEND_HISTORY) this.sent.shift();
    this.sendRate = Math.max(...this.sent);
    if (this.probeAt > this.lastCongestionAt && now - this.probeAt >= PROBE_JUDGE_MS) this.probeWait = PROBE_WAIT_MS;
    // Clean for a while: grow like a loss-based controller (about 8 %/s), but never far above what is used.
    if (now - this.lastCongestionAt > 2_000 && now - this.lastHoldAt > 1_000) {
      // A paused video sends nothing, so the ceiling also reaches what resuming everyone's lowest layer takes.
      const ceiling = Math.max(this.sendRate * 1.5 + 100_000, floor * 1.1);
      if (this.rate < ceiling) this.rate = Math.min(ceiling, this.rate * 1.04);
    }
  }

  /**
   * The fraction lost (0–1) a receiver report gives for one of the SSRCs sent to this subscriber, and
   * the send rate since the last sample when known: a video resumed a moment ago is not yet in the
   * samples, and a cut from the audio-only rate before it paused the video again at once.
   */
  onLoss(fraction: number, now: number, recentSendRate = 0): void {
    if (fraction > LOSS_CONGESTED) {
      // Reports come about once a second per stream: one cut per second, however many streams report it.
      if (now - this.lastCongestionAt < 1_000) return;
      this.lower(Math.max(MIN_BPS, Math.min(this.rate, Math.max(this.sendRate, recentSendRate)) * (1 - 0.5 * fraction)), now);
    } else if (fraction > LOSS_HOLD) {
      this.lastHoldAt = now;
    }
  }

  /** Chromium's REMB for this subscriber: recorded, not used to lower the estimate (see above). */
  onRemb(bps: number): void {
    this.remb = bps;
  }

  /** The allocation took a layer more: congestion soon after is judged as a failed probe (the wait before the next doubles). */
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
