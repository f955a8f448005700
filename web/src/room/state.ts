// The room's state rules as pure functions (no DOM, no socket): who is in the roster, how many chat
// messages are unread, and what the stage shows. The Room keeps the values; these decide them
// (property-tested in test/web/room-state.test.ts).

import type { Participant } from '../../../src/protocol/room.js';

/** The others in the room (never oneself), in the order they arrived. */
export type Roster = ReadonlyMap<string, Participant>;

export type PanelKind = 'participants' | 'chat';

/** Above this many people, arrivals and departures are no longer announced one by one. */
export const ANNOUNCE_MAX_ROOM = 12;

export function announces(othersCount: number): boolean {
  return othersCount < ANNOUNCE_MAX_ROOM;
}

/** A `welcome`: the roster becomes exactly the server's list; `gone` left while we were away. */
export function rosterFromWelcome(before: Roster, participants: readonly Participant[], myId: string): { roster: Roster; gone: string[] } {
  const roster = new Map<string, Participant>();
  // Who was already here keeps their place; newcomers follow in the server's order.
  const incoming = new Map(participants.filter((p) => p.participantId !== myId).map((p) => [p.participantId, p]));
  for (const id of before.keys()) {
    const p = incoming.get(id);
    if (p) roster.set(id, p);
  }
  for (const [id, p] of incoming) if (!roster.has(id)) roster.set(id, p);
  return { roster, gone: [...before.keys()].filter((id) => !incoming.has(id)) };
}

/** A joined or updated participant; `isNew` when they were not in the roster. */
export function upsert(roster: Roster, participant: Participant): { roster: Roster; isNew: boolean } {
  const next = new Map(roster);
  const isNew = !next.has(participant.participantId);
  next.set(participant.participantId, participant);
  return { roster: next, isNew };
}

export function without(roster: Roster, participantId: string): Roster {
  if (!roster.has(participantId)) return roster;
  const next = new Map(roster);
  next.delete(participantId);
  return next;
}

/** A chat message arrived: it counts as unread unless it is one's own or the chat is open. */
export function unreadAfterChat(unread: number, chat: { mine: boolean; chatOpen: boolean }): number {
  return chat.mine || chat.chatOpen ? unread : unread + 1;
}

/** Opening the chat reads everything. */
export function unreadAfterPanel(unread: number, panel: PanelKind | null): number {
  return panel === 'chat' ? 0 : unread;
}

export type StageChoice = { kind: 'remote'; participantId: string } | { kind: 'local'; participantId: string } | null;

/**
 * Whose shared screen the stage shows: the current presenter while they still share, else the
 * first remote sharer (in roster order) whose screen has arrived, else one's own screen (shown as
 * a card), else nothing.
 */
export function chooseStage(input: { current: string | null; order: readonly string[]; sharers: ReadonlySet<string>; me: { participantId: string; sharing: boolean } }): StageChoice {
  const { current, order, sharers, me } = input;
  if (current && current !== me.participantId && sharers.has(current)) return { kind: 'remote', participantId: current };
  for (const id of order) if (sharers.has(id)) return { kind: 'remote', participantId: id };
  return me.sharing ? { kind: 'local', participantId: me.participantId } : null;
}

/** Whom the spotlight shows: the focused person, if present; never while a screen is on stage. */
export function chooseSpotlight(input: { stage: StageChoice; focusId: string | null; myId: string; roster: Roster }): { participantId: string; local: boolean } | null {
  const { stage, focusId, myId, roster } = input;
  if (stage || !focusId) return null;
  if (focusId === myId) return { participantId: focusId, local: true };
  return roster.has(focusId) ? { participantId: focusId, local: false } : null;
}
