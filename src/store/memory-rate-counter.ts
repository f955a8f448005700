import type { RateCounter } from '../domain/ports.js';

const SLICES = 10;

/**
 * Rolling-window budgets kept in this process, in ten slices per window so a burst at a window's
 * edge cannot double the rate. One instance only: several instances share a Redis counter instead.
 */
export class MemoryRateCounter implements RateCounter {
  private readonly windows = new Map<string, { sliceMs: number; slices: Map<number, number> }>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, amount: number, limit: number, windowMs: number): Promise<boolean> {
    const sliceMs = Math.max(1, Math.floor(windowMs / SLICES));
    let w = this.windows.get(key);
    if (!w || w.sliceMs !== sliceMs) {
      w = { sliceMs, slices: new Map() };
      this.windows.set(key, w);
    }
    const current = Math.floor(this.now() / sliceMs);
    let used = 0;
    for (const [slice, n] of w.slices) {
      if (slice <= current - SLICES) w.slices.delete(slice);
      else used += n;
    }
    if (used + amount > limit) return false;
    w.slices.set(current, (w.slices.get(current) ?? 0) + amount);
    return true;
  }

  async giveBack(key: string, amount: number): Promise<void> {
    const w = this.windows.get(key);
    if (!w) return;
    const newest = Math.max(...w.slices.keys());
    w.slices.set(newest, Math.max(0, (w.slices.get(newest) ?? 0) - amount));
  }
}
