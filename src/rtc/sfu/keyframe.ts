/**
 * Rate-limited keyframe requests toward one publisher. Many subscribers asking at once (a join, a
 * loss burst) collapse into one PLI per interval; a request inside the interval is not dropped but
 * sent when the interval ends, so a late joiner never waits longer than `minIntervalMs`.
 */
export class KeyframeRequester {
  private last = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  sent = 0;

  constructor(
    private readonly send: () => void,
    private readonly minIntervalMs = 300,
    private readonly now: () => number = () => performance.now(),
  ) {}

  request(): void {
    if (this.closed || this.timer) return;
    const wait = this.last + this.minIntervalMs - this.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    if (this.closed) return;
    this.last = this.now();
    this.sent++;
    this.send();
  }
}
