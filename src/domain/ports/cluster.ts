/**
 * What several vconf instances share (Redis implements it; one instance alone uses
 * src/cluster/local.ts): who is alive, which instance hosts each live room, and signals between
 * instances.
 */
import type { StartStreamRequest } from '../cloud-records.js';
import type { MeetingSettings } from '../meeting-settings.js';
import type { UserPageMessage } from '../user-meetings.js';

/** One running instance as the others see it. */
export interface InstanceInfo {
  id: string;
  /** Base URL the other instances reach it on (signaling relay), e.g. http://10.0.0.5:8080. */
  url: string;
  rooms: number;
  participants: number;
  /** Signed-in users' pages open on it (they are rung for invitations). */
  userPages: number;
  /** Stopping: takes no new rooms. */
  draining: boolean;
}

export interface InstanceRegistry {
  /** Says this instance is alive for another `ttlMs`, with its load. */
  heartbeat(info: InstanceInfo, ttlMs: number): Promise<void>;
  /** Every instance whose last heartbeat has not expired. */
  live(): Promise<InstanceInfo[]>;
  /** When `id` last said it was alive (epoch ms), kept for a while after it stopped. */
  lastSeen(id: string): Promise<number | undefined>;
  /** This instance is gone now (a clean stop), without waiting for its heartbeat to expire. */
  remove(id: string): Promise<void>;
}

/** The result of placing a room. */
export interface Placement {
  /** The instance that hosts the room now. */
  host: string;
  /** Set when `host` just took the room over from an instance that is no longer alive. */
  tookOverFrom?: string | undefined;
}

/** Which instance hosts each meeting's live room: a lease its host renews while it is alive. */
export interface RoomDirectory {
  /** The room's host if it has a live one; otherwise `candidate` becomes its host. Atomic. */
  place(conferenceId: string, candidate: string, ttlMs: number): Promise<Placement>;
  /** The live host of the room, if any. */
  hostOf(conferenceId: string): Promise<string | undefined>;
  /** Renews the leases `instanceId` holds on these rooms; returns the rooms it no longer holds. */
  renew(instanceId: string, conferenceIds: readonly string[], ttlMs: number): Promise<string[]>;
  /** The instance the room was last taken over from (read once: it is cleared). */
  takeOverFrom(conferenceId: string): Promise<string | undefined>;
  /** Gives the room up if `instanceId` holds it. */
  release(conferenceId: string, instanceId: string): Promise<void>;
}

/** A message from one instance to another. */
export type ClusterSignal =
  | { kind: 'control'; op: ControlOp }
  /** Recording or stream-out for the room's hosting instance; its answer is a MediaOutcome. */
  | { kind: 'media'; op: MediaOp }
  | { kind: 'ring'; corpId: string; unionId: string; message: UserPageMessage }
  /** An app in Stream mode has events pending that the sender cannot deliver: its connection's holder should look. */
  | { kind: 'streamEvents'; appKey: string };

/** An API control for the room's hosting instance (LiveControls, serialised). */
export type ControlOp =
  | { name: 'end'; conferenceId: string }
  | { name: 'eject'; conferenceId: string; memberId: string; ban: boolean }
  | { name: 'mute'; conferenceId: string; memberId: string }
  | { name: 'allowUnmute'; conferenceId: string; memberId: string }
  | { name: 'muteEveryone'; conferenceId: string }
  | { name: 'settingsChanged'; conferenceId: string; settings: MeetingSettings }
  | { name: 'roleChanged'; conferenceId: string; memberId: string; role: 'host' | 'cohost' | 'participant' };

/** A recording or stream-out operation (CloudRecordService's, serialised) for the room's host. */
export type MediaOp =
  | { name: 'startRecord'; corpId: string; conferenceId: string; unionId: string; mode?: string | undefined; position?: string | undefined }
  | { name: 'stopRecord'; corpId: string; conferenceId: string; unionId: string }
  | { name: 'startStream'; corpId: string; conferenceId: string; req: StartStreamRequest }
  | { name: 'stopStream'; corpId: string; conferenceId: string; unionId: string; streamId: string; all: boolean };

/** What the host answers a MediaOp: the operation's result, the rule that said no, or a failure. */
export type MediaOutcome =
  | { ok: true; value: unknown }
  | { ok: false; reason: string; detail: string }
  | { ok: false; failure: string };

export interface SignalBus {
  /**
   * Delivers `signal` to instance `to` and waits for its handler to finish; false when that
   * instance did not answer within `timeoutMs` (it is gone, or cut off).
   */
  request(to: string, signal: ClusterSignal, timeoutMs: number): Promise<boolean>;
  /**
   * As `request`, and carries back what the handler returned (JSON); undefined when that instance
   * did not answer within `timeoutMs`.
   */
  ask(to: string, signal: ClusterSignal, timeoutMs: number): Promise<{ value: unknown } | undefined>;
  /** Delivers `signal` to every other instance, without waiting. */
  broadcast(signal: ClusterSignal): Promise<void>;
  /** Handles the signals sent to `instanceId` and the broadcasts of others. */
  listen(instanceId: string, handler: (signal: ClusterSignal) => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

/** The shared state of a deployment, and a way to tell it is reachable (/readyz). */
export interface ClusterState {
  registry: InstanceRegistry;
  rooms: RoomDirectory;
  bus: SignalBus;
  /** True when other instances can exist (Redis); false for one instance alone. */
  shared: boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
}
