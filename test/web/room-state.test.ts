/** The room's state rules (web/src/room/state.ts): roster, unread count, stage and spotlight choice. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Participant } from '../../src/protocol/room.js';
import { announces, chooseSpotlight, chooseStage, rosterFromWelcome, unreadAfterChat, unreadAfterPanel, upsert, without, type Roster } from '../../web/src/room/state.js';

const person = (id: string, patch: Partial<Participant> = {}): Participant => ({ participantId: id, name: `n${id}`, role: 'participant', mic: true, camera: true, screen: false, ...patch });
const ids = fc.uniqueArray(fc.integer({ min: 1, max: 40 }).map(String), { maxLength: 12 });
const rosterOf = (list: string[]): Roster => new Map(list.map((id) => [id, person(id)]));

describe('roster', () => {
  it('after a welcome is exactly the server list without oneself; who stayed keeps their place; `gone` are all the others it held', () => {
    fc.assert(
      fc.property(ids, ids, fc.integer({ min: 1, max: 40 }).map(String), (before, now, me) => {
        const { roster, gone } = rosterFromWelcome(rosterOf(before), now.map((id) => person(id)), me);
        expect(new Set(roster.keys())).toEqual(new Set(now.filter((id) => id !== me)));
        expect(new Set(gone)).toEqual(new Set(before.filter((id) => !now.includes(id) || id === me)));
        const stayed = before.filter((id) => now.includes(id) && id !== me);
        expect([...roster.keys()].slice(0, stayed.length)).toEqual(stayed);
      }),
    );
  });

  it('upsert adds once and updates in place; without removes; neither changes the roster it was given', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 40 }).map(String), (list, id) => {
        const before = rosterOf(list);
        const added = upsert(before, person(id, { mic: false }));
        expect(added.isNew).toBe(!list.includes(id));
        expect(added.roster.get(id)?.mic).toBe(false);
        expect(added.roster.size).toBe(new Set([...list, id]).size);
        if (list.includes(id)) expect([...added.roster.keys()]).toEqual(list);
        const removed = without(added.roster, id);
        expect(removed.has(id)).toBe(false);
        expect(removed.size).toBe(added.roster.size - 1);
        expect([...before.keys()]).toEqual(list);
      }),
    );
  });

  it('arrivals are announced only in small rooms', () => {
    expect(announces(3)).toBe(true);
    expect(announces(12)).toBe(false);
  });
});

describe('unread chat', () => {
  it('counts only others’ messages while the chat is closed, and opening the chat reads them all', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ mine: fc.boolean(), chatOpen: fc.boolean() })), (events) => {
        const unread = events.reduce((n, e) => unreadAfterChat(n, e), 0);
        expect(unread).toBe(events.filter((e) => !e.mine && !e.chatOpen).length);
        expect(unreadAfterPanel(unread, 'chat')).toBe(0);
        expect(unreadAfterPanel(unread, 'participants')).toBe(unread);
        expect(unreadAfterPanel(unread, null)).toBe(unread);
      }),
    );
  });
});

describe('stage', () => {
  const input = fc.record({
    order: ids,
    sharing: fc.array(fc.integer({ min: 1, max: 40 }).map(String), { maxLength: 6 }),
    current: fc.option(fc.integer({ min: 1, max: 40 }).map(String), { nil: null }),
    localSharing: fc.boolean(),
  });

  it('shows a remote sharer when there is one (the current presenter while they share), else one’s own screen, else nothing', () => {
    fc.assert(
      fc.property(input, ({ order, sharing, current, localSharing }) => {
        const sharers = new Set(sharing.filter((id) => order.includes(id)));
        const me = { participantId: 'me', sharing: localSharing };
        const choice = chooseStage({ current, order, sharers, me });
        if (sharers.size === 0) {
          expect(choice).toEqual(localSharing ? { kind: 'local', participantId: 'me' } : null);
          return;
        }
        expect(choice?.kind).toBe('remote');
        expect(sharers.has(choice!.participantId)).toBe(true);
        if (current && sharers.has(current)) expect(choice!.participantId).toBe(current);
        else expect(choice!.participantId).toBe(order.find((id) => sharers.has(id)));
      }),
    );
  });

  it('the spotlight shows the focused person when present and no screen is on stage', () => {
    const roster = rosterOf(['a', 'b']);
    expect(chooseSpotlight({ stage: null, focusId: 'a', myId: 'me', roster })).toEqual({ participantId: 'a', local: false });
    expect(chooseSpotlight({ stage: null, focusId: 'me', myId: 'me', roster })).toEqual({ participantId: 'me', local: true });
    expect(chooseSpotlight({ stage: null, focusId: 'zz', myId: 'me', roster })).toBeNull();
    expect(chooseSpotlight({ stage: { kind: 'remote', participantId: 'b' }, focusId: 'a', myId: 'me', roster })).toBeNull();
  });
});
