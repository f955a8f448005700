import type { RateCounter } from '../domain/ports/index.js';

const SLICES = 10;

interface Window {
  key: string;
  sliceMs: number;
  slices: Map<number, number>;
  /** The newest slice written; the window is empty once `newest <= current - SLICES`. */
  newest: number;
}

/**
 * Rolling-window budgets kept in this process, in ten slices per window so a burst at a window's
 * edge cannot double the rate. One instance only: several instances share a Redis counter instead.
 *
 * Expiry is O(1) per call (docs/security.md): the windows of one length sit in a lane, a Map kept
 * in the order of their last write, so the window that expires first is always at the lane's
 * head. Each call drops the expired windows at the heads of the lanes (each window once) and never
 * scans the live ones, however many there are (failure keys are per address and per browser).
 */
export class MemoryRateCounter implements RateCounter {
  private readonly windows = new Map<string, Window>();
  /** By slice length: the windows of that length, oldest last write first. */
  private readonly lanes = new Map<number, Map<string, Window>>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, amount: number, limit: number, windowMs: number): Promise<boolean> {
    this.sweep();
    const sliceMs = sliceOf(windowMs);
    const current = Math.floor(this.now() / sliceMs);
    let window = this.windows.get(key);
    if (window && window.sliceMs !== sliceMs) {
      this.drop(window);
      window = undefined;
    }
    const used = window ? usedIn(window, current) : 0;
    if (used + amount > limit) return false;
    if (!window) {
      window = { key, sliceMs, slices: new Map(), newest: current };
      this.windows.set(key, window);
    }
    window.slices.set(current, (window.slices.get(current) ?? 0) + amount);
    window.newest = current;
    // Moving the key to the end of its lane keeps the lane ordered by expiry.
    let lane = this.lanes.get(sliceMs);
    if (!lane) {
      lane = new Map();
      this.lanes.set(sliceMs, lane);
    }
    lane.delete(key);
    lane.set(key, window);
    return true;
  }

  async peek(key: string, windowMs: number): Promise<{ used: number; resetInMs: number }> {
    this.sweep();
    const window = this.windows.get(key);
    const sliceMs = sliceOf(windowMs);
    if (!window || window.sliceMs !== sliceMs) return { used: 0, resetInMs: 0 };
    const used = usedIn(window, Math.floor(this.now() / sliceMs));
    if (used === 0) return { used, resetInMs: 0 };
    const oldest = Math.min(...window.slices.keys());
    return { used, resetInMs: (oldest + SLICES) * window.sliceMs - this.now() };
  }

  async giveBack(key: string, amount: number): Promise<void> {
    const w = this.windows.get(key);
    if (!w || w.slices.size === 0) return;
    w.slices.set(w.newest, Math.max(0, (w.slices.get(w.newest) ?? 0) - amount));
  }

  /** How many keys are held (for monitoring and tests). */
  get size(): number {
    return this.windows.size;
  }

  /** Drops expired windows from the heads of the lanes; each window is dropped once, so this is amortised O(1). */
  private sweep(): void {
    const now = this.now();
    for (const [sliceMs, lane] of this.lanes) {
      const current = Math.floor(now / sliceMs);
      for (const window of lane.values()) {
        if (window.newest > current - SLICES) break;
        this.drop(window);
      }
      if (lane.size === 0) this.lanes.delete(sliceMs);
    }
  }

  private drop(window: Window): void {
    this.windows.delete(window.key);
    this.lanes.get(window.sliceMs)?.delete(window.key);
  }
}

function sliceOf(windowMs: number): number {
  return Math.max(1, Math.floor(windowMs / SLICES));
}

/** What the window still holds at slice `current`; slices that left the window are dropped. */
function usedIn(window: Window, current: number): number {
  let used = 0;
  for (const [slice, n] of window.slices) {
    if (slice <= current - SLICES) window.slices.delete(slice);
    else used += n;
  }
  return used;
}
