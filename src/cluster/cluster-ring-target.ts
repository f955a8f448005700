import type { SignalBus } from '../domain/ports/cluster.js';
import type { UserPageMessage } from '../domain/user-meetings.js';
import type { RingTarget } from '../domain/ports/index.js';

/**
 * Rings a user's pages on every instance: this one's directly, the others' through a broadcast
 * (each instance pushes to the pages it holds). `remotePages` is what the other instances last
 * reported, so a deployment with nobody signed in anywhere still skips the ring look-ups.
 */
export class ClusterRingTarget implements RingTarget {
  constructor(
    private readonly local: RingTarget,
    private readonly bus: SignalBus,
    private readonly remotePages: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get listeners(): number {
    return this.local.listeners + this.remotePages();
  }

  push(corpId: string, unionId: string, message: UserPageMessage): number {
    if (this.remotePages() > 0) this.bus.broadcast({ kind: 'ring', corpId, unionId, message }).catch(this.onError);
    return this.local.push(corpId, unionId, message);
  }
}
