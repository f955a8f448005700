import type { RateCounter } from '../domain/ports/index.js';

const SLICES = 10;
/** Above this many keys, windows whose uses have all expired are dropped (failed-join keys are per address). */
const SWEEP_ABOVE = 10_000;

interface Window {
  sliceMs: number;
  slices: Map<number, number>;
}

/**
 * Rolling-window budgets kept in this process, in ten slices per window so a burst at a window's
 * edge cannot double the rate. One instance only: several instances share a Redis counter instead.
 */
export class MemoryRateCounter implements RateCounter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, amount: number, limit: number, windowMs: number): Promise<boolean> {
    const { window, current, used } = this.read(key, windowMs);
    if (used + amount > limit) return false;
    window.slices.set(current, (window.slices.get(current) ?? 0) + amount);
    return true;
  }

  async peek(key: string, windowMs: number): Promise<{ used: number; resetInMs: number }> {
    const { window, current, used } = this.read(key, windowMs);
    if (used === 0) return { used, resetInMs: 0 };
    const oldest = Math.min(...window.slices.keys());
    return { used, resetInMs: (oldest + SLICES) * window.sliceMs - this.now() };
  }

  async giveBack(key: string, amount: number): Promise<void> {
    const w = this.windows.get(key);
    if (!w || w.slices.size === 0) return;
    const newest = Math.max(...w.slices.keys());
    w.slices.set(newest, Math.max(0, (w.slices.get(newest) ?? 0) - amount));
  }

  /** How many keys are held (for monitoring and tests). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, w] of this.windows) {
      const newest = Math.max(-Infinity, ...w.slices.keys());
      if (newest <= Math.floor(now / w.sliceMs) - SLICES) this.windows.delete(key);
    }
  }

  /** The window of `key` with slices older than `windowMs` dropped, and what it still holds. */
  private read(key: string, windowMs: number): { window: Window; current: number; used: number } {
    const sliceMs = Math.max(1, Math.floor(windowMs / SLICES));
    let window = this.windows.get(key);
    if (!window || window.sliceMs !== sliceMs) {
      if (this.windows.size >= SWEEP_ABOVE) this.sweep();
      window = { sliceMs, slices: new Map() };
      this.windows.set(key, window);
    }
    const current = Math.floor(this.now() / sliceMs);
    let used = 0;
    for (const [slice, n] of window.slices) {
      if (slice <= current - SLICES) window.slices.delete(slice);
      else used += n;
    }
    return { window, current, used };
  }
}
