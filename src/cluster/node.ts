import type { Logger } from 'pino';
import type { ClusterSignal, ClusterState, InstanceInfo } from '../domain/ports/cluster.js';

/** What the node needs to know about this instance's rooms and pages. */
export interface LocalLoad {
  roomIds(): string[];
  participants(): number;
  userPages(): number;
  /** Sends everyone in the room elsewhere (they reconnect by themselves). */
  moveRoom(conferenceId: string): void;
}

export interface NodeOptions {
  id: string;
  heartbeatMs: number;
  /** How long a heartbeat (and a room lease) lasts: a dead instance's rooms move after this. */
  ttlMs: number;
}

export const DEFAULT_HEARTBEAT_MS = 1000;
export const DEFAULT_TTL_MS = 4000;

/**
 * This instance as a member of the deployment: it says it is alive (with its load), renews the
 * leases of the rooms it hosts, chooses where new rooms go, and hands signals sent to it to
 * `onSignal`. With the local cluster state it is a cluster of one and every room is local.
 */
export class ClusterNode {
  private timer: NodeJS.Timeout | undefined;
  private peers: InstanceInfo[] = [];
  private draining = false;
  private beating: Promise<void> = Promise.resolve();
  /** Base URL the other instances reach this one on; known once the server listens. */
  private url = '';

  constructor(
    readonly state: ClusterState,
    private readonly load: LocalLoad,
    readonly options: NodeOptions,
    private readonly log: Logger,
  ) {}

  get id(): string {
    return this.options.id;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Joins the deployment: first heartbeat, then one every `heartbeatMs`. */
  async start(url: string, onSignal: (signal: ClusterSignal) => Promise<unknown>): Promise<void> {
    this.url = url;
    await this.state.bus.listen(this.id, onSignal);
    await this.beat();
    let failing = false;
    this.timer = setInterval(() => {
      this.beating = this.beat().then(
        () => {
          if (failing) this.log.info('cluster heartbeat recovered');
          failing = false;
        },
        (err: unknown) => {
          // Once per outage, not once a second: Redis errors are counted in /metrics anyway.
          if (!failing) this.log.warn({ err }, 'cluster heartbeat failed; rooms here keep running, new placements wait for Redis');
          failing = true;
        },
      );
    }, this.options.heartbeatMs);
    this.timer.unref();
  }

  /** The live instances other than this one, as of the last heartbeat. */
  others(): InstanceInfo[] {
    return this.peers.filter((p) => p.id !== this.id);
  }

  /** Where the meeting's room is hosted, placing it on the least-loaded instance if nowhere yet. */
  async hostFor(conferenceId: string, preferHere = false): Promise<{ local: true } | { local: false; host: InstanceInfo }> {
    // A phone caller's call is answered here (src/sip), so an unplaced room comes here too.
    const candidate = preferHere ? this.id : this.leastLoaded();
    const { host } = await this.state.rooms.place(conferenceId, candidate, this.options.ttlMs);
    if (host === this.id) return { local: true };
    const info = this.peers.find((p) => p.id === host) ?? (await this.refresh()).find((p) => p.id === host);
    if (!info) {
      // Placed on an instance that has just gone: forget it and place again.
      await this.state.registry.remove(host);
      const again = await this.state.rooms.place(conferenceId, this.leastLoaded(), this.options.ttlMs);
      const other = this.peers.find((p) => p.id === again.host);
      return again.host === this.id || !other ? { local: true } : { local: false, host: other };
    }
    return { local: false, host: info };
  }

  /** An instance that refuses connections is gone: its rooms move at once instead of after its lease. */
  async markGone(instanceId: string): Promise<void> {
    this.log.warn({ instance: instanceId }, 'instance unreachable: its rooms move');
    this.peers = this.peers.filter((p) => p.id !== instanceId);
    await this.state.registry.remove(instanceId);
  }

  /** The room emptied here: the next person may be placed anywhere. */
  async released(conferenceId: string): Promise<void> {
    await this.state.rooms.release(conferenceId, this.id);
  }

  /**
   * Stops taking rooms, gives up the ones held and sends their participants elsewhere, then
   * waits (up to `timeoutMs`) until nobody is left here.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    await this.beat();
    for (const conferenceId of this.load.roomIds()) {
      await this.state.rooms.release(conferenceId, this.id);
      this.load.moveRoom(conferenceId);
    }
    const deadline = Date.now() + timeoutMs;
    while (this.load.participants() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.state.registry.remove(this.id).catch(() => undefined);
    await this.state.bus.close();
  }

  private info(): InstanceInfo {
    return {
      id: this.id,
      url: this.url,
      rooms: this.load.roomIds().length,
      participants: this.load.participants(),
      userPages: this.load.userPages(),
      draining: this.draining,
    };
  }

  private async beat(): Promise<void> {
    await this.state.registry.heartbeat(this.info(), this.options.ttlMs);
    const lost = await this.state.rooms.renew(this.id, this.load.roomIds(), this.options.ttlMs);
    for (const conferenceId of lost) {
      // Another instance took this room while this one could not renew (a pause, a partition):
      // two live copies must not go on, so this one sends its people to the other.
      this.log.warn({ conferenceId }, 'room lease lost: moving its participants');
      this.load.moveRoom(conferenceId);
    }
    await this.refresh();
  }

  private async refresh(): Promise<InstanceInfo[]> {
    this.peers = await this.state.registry.live();
    return this.peers;
  }

  /** Fewest participants, then fewest rooms; this instance wins ties (no relay hop). */
  private leastLoaded(): string {
    const open = this.peers.filter((p) => !p.draining && p.id !== this.id);
    let best: InstanceInfo | undefined = this.draining ? undefined : this.info();
    for (const p of open) {
      if (!best || p.participants < best.participants || (p.participants === best.participants && p.rooms < best.rooms)) best = p;
    }
    return best?.id ?? this.id;
  }
}
