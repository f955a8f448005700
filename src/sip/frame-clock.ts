/** Frame period of the phone path. */
export const FRAME_MS = 20;

/**
 * Calls `tick` every 20 ms on average: timers fire late under load, so each wake-up runs every
 * frame that fell due since (a short burst rather than a slowly drifting stream), and a stall of
 * more than a few frames is skipped instead of replayed.
 */
export class FrameClock {
  private timer: NodeJS.Timeout | undefined;
  private due = 0;

  constructor(private readonly tick: () => void) {}

  start(): void {
    if (this.timer) return;
    this.due = performance.now();
    this.timer = setInterval(() => this.run(), FRAME_MS / 2);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    const now = performance.now();
    if (now - this.due > 10 * FRAME_MS) this.due = now;
    while (this.due <= now) {
      this.due += FRAME_MS;
      this.tick();
    }
  }
}
