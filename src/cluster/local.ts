import type { ClusterSignal, ClusterState, InstanceInfo, InstanceRegistry, Placement, RoomDirectory, SignalBus } from '../domain/ports/cluster.js';

/**
 * The cluster of one: this instance hosts every room and has nobody to signal. Used when no
 * --redis is given; the same code paths then never leave the process.
 */
export function localCluster(): ClusterState {
  const seen = new Map<string, number>();
  let self: InstanceInfo | undefined;
  const registry: InstanceRegistry = {
    async heartbeat(info) {
      self = info;
      seen.set(info.id, Date.now());
    },
    async live() {
      return self ? [self] : [];
    },
    async lastSeen(id) {
      return seen.get(id);
    },
    async remove(id) {
      if (self?.id === id) self = undefined;
    },
  };
  const hosts = new Map<string, string>();
  const rooms: RoomDirectory = {
    async place(conferenceId, candidate): Promise<Placement> {
      const host = hosts.get(conferenceId);
      if (host) return { host };
      hosts.set(conferenceId, candidate);
      return { host: candidate };
    },
    async hostOf(conferenceId) {
      return hosts.get(conferenceId);
    },
    async renew() {
      // Alone, this instance hosts every room: no lease is ever lost.
      return [];
    },
    async takeOverFrom() {
      return undefined;
    },
    async release(conferenceId, instanceId) {
      if (hosts.get(conferenceId) === instanceId) hosts.delete(conferenceId);
    },
  };
  let handler: ((signal: ClusterSignal) => Promise<unknown>) | undefined;
  let selfId: string | undefined;
  const bus: SignalBus = {
    async request(to, signal) {
      if (to !== selfId || !handler) return false;
      await handler(signal);
      return true;
    },
    async ask(to, signal) {
      if (to !== selfId || !handler) return undefined;
      return { value: await handler(signal) };
    },
    async broadcast() {
      // Nobody else to tell.
    },
    async listen(instanceId, h) {
      selfId = instanceId;
      handler = h;
    },
    async close() {
      handler = undefined;
    },
  };
  return { registry, rooms, bus, shared: false, ping: async () => undefined, close: async () => undefined };
}
