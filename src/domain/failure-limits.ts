import type { Device } from './devices.js';
import type { RateCounter } from './ports/index.js';

/**
 * Failures allowed in a rolling window, per browser and per network (an IPv4 address or an IPv6
 * /64), each for one target (a meeting's room code, an account) and overall, and per target from
 * everywhere. docs/security.md has the numbers and the arithmetic behind them.
 */
export interface FailureCaps {
  perBrowserTarget: number;
  perBrowser: number;
  /** A network is shared (an office, a carrier NAT): it gets more than one browser. */
  perNetworkTarget: number;
  perNetwork: number;
  perTarget: number;
  windowMs: number;
}

/** Who is trying: their browser (undefined = no cookie) and their network. */
export interface Attempter {
  device: Device | undefined;
  network: string;
}

export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * The rule: a browser over its own limits is refused. Over a shared limit (its network's, or the
 * target's from everywhere), a browser is refused only when it has failed itself or is not vouched
 * for (docs/security.md): other people's failures never lock out a browser that has not failed.
 */
export class FailureLimiter {
  constructor(
    private readonly counter: RateCounter,
    /** Namespace of the keys, e.g. "join" or "signin". */
    private readonly kind: string,
    readonly caps: FailureCaps,
  ) {}

  async check(who: Attempter, target: string): Promise<LimitVerdict> {
    const own = this.ownKeys(who, target);
    const shared = this.sharedKeys(who, target);
    const [ownUse, sharedUse] = await Promise.all([this.usage(own), this.usage(shared)]);
    const ownBlocked = blockedFor(ownUse);
    if (ownBlocked !== undefined) return { ok: false, retryAfterSeconds: ownBlocked };
    const sharedBlocked = blockedFor(sharedUse);
    if (sharedBlocked === undefined) return { ok: true };
    const clean = who.device !== undefined && ownUse.every((u) => u.used === 0);
    if (clean && who.device?.vouched) return { ok: true };
    return { ok: false, retryAfterSeconds: sharedBlocked };
  }

  async fail(who: Attempter, target: string): Promise<void> {
    const keys = [...this.ownKeys(who, target), ...this.sharedKeys(who, target)];
    await Promise.all(keys.map(([k]) => this.counter.take(k, 1, Number.MAX_SAFE_INTEGER, this.caps.windowMs)));
  }

  private ownKeys(who: Attempter, target: string): Array<[string, number]> {
    if (!who.device) return [];
    const d = who.device.id;
    return [
      [`${this.kind}:dev:${d}:${target}`, this.caps.perBrowserTarget],
      [`${this.kind}:dev:${d}`, this.caps.perBrowser],
    ];
  }

  private sharedKeys(who: Attempter, target: string): Array<[string, number]> {
    return [
      [`${this.kind}:net:${who.network}:${target}`, this.caps.perNetworkTarget],
      [`${this.kind}:net:${who.network}`, this.caps.perNetwork],
      [`${this.kind}:target:${target}`, this.caps.perTarget],
    ];
  }

  private usage(keys: Array<[string, number]>): Promise<Array<{ used: number; resetInMs: number; cap: number }>> {
    return Promise.all(keys.map(async ([k, cap]) => ({ ...(await this.counter.peek(k, this.caps.windowMs)), cap })));
  }
}

/** Seconds until the latest of the full windows frees a place, or undefined when none is full. */
function blockedFor(usage: Array<{ used: number; resetInMs: number; cap: number }>): number | undefined {
  const full = usage.filter((u) => u.used >= u.cap);
  if (full.length === 0) return undefined;
  return Math.max(1, Math.ceil(Math.max(...full.map((u) => u.resetInMs)) / 1000));
}
