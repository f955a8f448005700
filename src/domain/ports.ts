/**
 * What the domain needs from storage and shared counters. SQLite implements these today;
 * PostgreSQL and Redis implement the same interfaces for multi-instance deployments.
 */
import type { App, DirectoryDocument, DirectoryUser, Org, Suite } from './directory.js';
import type { AppendedEvent, NewEvent } from './events.js';
import type { Meeting, Member } from './meeting.js';

export interface ImportSummary {
  orgs: number;
  users: number;
  apps: number;
  suites: number;
}

export interface DirectoryRepository {
  findOrg(corpId: string): Promise<Org | undefined>;
  /** Every directory user with one of these unionIds, in any organization. */
  findUsers(unionIds: readonly string[]): Promise<DirectoryUser[]>;
  findApp(appKey: string): Promise<App | undefined>;
  findSuite(suiteKey: string): Promise<Suite | undefined>;
  countOrgs(): Promise<number>;
  /** Creates and updates everything in the document in one transaction; deletes nothing. */
  apply(doc: DirectoryDocument): Promise<ImportSummary>;
}

export type TokenKind = 'app' | 'suite' | 'client';

export interface TokenRecord {
  tokenHash: string;
  nonce: string;
  kind: TokenKind;
  clientKey: string;
  corpId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
}

export interface TokenRepository {
  insert(record: TokenRecord): Promise<void>;
  findByHash(tokenHash: string): Promise<TokenRecord | undefined>;
  /** The newest unexpired token of this client for this organization, if any. */
  findLive(kind: TokenKind, clientKey: string, corpId: string, now: number): Promise<TokenRecord | undefined>;
  extend(tokenHash: string, expiresAt: number): Promise<void>;
  /** Deletes tokens that expired before `before`; returns how many. */
  purgeExpired(before: number): Promise<number>;
}

/** Thrown by MeetingRepository.create when the room code is already held by a live meeting. */
export class RoomCodeTaken extends Error {
  constructor() {
    super('room code taken');
    this.name = 'RoomCodeTaken';
  }
}

export interface MeetingRepository {
  /** Persists the meeting and its members atomically. */
  create(meeting: Meeting, members: readonly Member[], events?: readonly NewEvent[]): Promise<AppendedEvent[]>;
  find(conferenceId: string): Promise<Meeting | undefined>;
  members(conferenceId: string): Promise<Member[]>;
  /** Every meeting that has used this room code, newest first (a code is reused once its meeting ended). */
  findByRoomCode(roomCode: string): Promise<Meeting[]>;
  findMember(conferenceId: string, memberId: string): Promise<Member | undefined>;
  isDeviceBanned(conferenceId: string, deviceId: string): Promise<boolean>;
  /** Whether a removal barred this signed-in person (a banned member record under their unionId). */
  isUnionBanned(conferenceId: string, corpId: string, unionId: string): Promise<boolean>;
  /** Whether a member record of the meeting has this browser (it was inside before). */
  isDeviceMember(conferenceId: string, deviceId: string): Promise<boolean>;
  /** Bars newcomers from a network until `until` (a removed guest's network, docs/security.md). */
  barNetwork(conferenceId: string, network: string, until: number): Promise<void>;
  /** Since when a bar on this network holds, if one holds at `now`. */
  networkBarredSince(conferenceId: string, network: string, now: number): Promise<number | undefined>;
  insertMember(member: Member): Promise<void>;
  updateMember(conferenceId: string, memberId: string, patch: Partial<Omit<Member, 'conferenceId' | 'memberId'>>): Promise<void>;
  /** initialised → started, once; later calls change nothing. */
  markStarted(conferenceId: string, at: number): Promise<void>;
  /** Ends the meeting and closes the visits of everyone still in it, atomically. False if it had already ended. */
  markEnded(conferenceId: string, at: number): Promise<boolean>;

  // Reads of the query API (src/domain/meeting-queries.ts).
  /** The meetings among these ids that exist, in any order. */
  findMany(conferenceIds: readonly string[]): Promise<Meeting[]>;
  /** The member records of these meetings, in memberId order within each meeting. */
  membersOf(conferenceIds: readonly string[]): Promise<Member[]>;
  /** Up to `limit` member records of a meeting in memberId order, starting after `afterMemberId`. */
  memberPage(conferenceId: string, afterMemberId: string | null, limit: number): Promise<Member[]>;
  countMembers(conferenceId: string): Promise<number>;
  /** Up to `limit` meetings matching `filter`, newest first (createdAt, then conferenceId, descending), after `after`. */
  meetingPage(filter: MeetingFilter, after: MeetingKey | null, limit: number): Promise<Meeting[]>;
  countMeetings(filter: MeetingFilter): Promise<number>;
  /** The member records of this unionId, in any meeting, whose holder is in the room now. */
  activeMemberships(unionId: string): Promise<Member[]>;
}

/** Which meetings a listing covers; absent fields do not filter. */
export interface MeetingFilter {
  corpId?: string;
  roomCode?: string;
  status?: Meeting['status'];
}

/** The last meeting of a page, where the next page continues. */
export interface MeetingKey {
  createdAt: number;
  conferenceId: string;
}

export interface MetaRepository {
  /** Returns the stored value, creating it with `make()` the first time (first writer wins). */
  getOrCreate(name: string, make: () => string): Promise<string>;
}

/** Rolling-window budgets (invites per minute, calls per second). */
export interface RateCounter {
  /** Takes `amount` from the budget of `key` if that stays within `limit`; false when it would not. */
  take(key: string, amount: number, limit: number, windowMs: number): Promise<boolean>;
  /** How much of the budget of `key` is used, and in how many ms the oldest use leaves the window. */
  peek(key: string, windowMs: number): Promise<{ used: number; resetInMs: number }>;
  /** Gives back what a failed operation took. */
  giveBack(key: string, amount: number): Promise<void>;
}
