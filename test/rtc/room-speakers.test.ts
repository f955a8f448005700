import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '../../src/protocol/room.js';
import { RoomSpeakers, SPEAKER_TICK_MS } from '../../src/rtc/room-speakers.js';

let sent: Array<{ message: ServerMessage; exceptId: string | undefined }>;
let present: Set<string>;
let speakers: RoomSpeakers;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  sent = [];
  present = new Set(['ann', 'bob']);
  speakers = new RoomSpeakers({ broadcast: (message, exceptId) => sent.push({ message, exceptId }), present: (id) => present.has(id) });
});
afterEach(() => {
  speakers.close();
  vi.useRealTimers();
});

/** `ms` of 20 ms packets at these levels (-dBov), the room's timer running alongside. */
function talk(ms: number, levels: Record<string, number>): void {
  for (let t = 0; t < ms; t += 20) {
    for (const [id, level] of Object.entries(levels)) speakers.level(id, level);
    vi.advanceTimersByTime(20);
  }
}

describe('a room\'s server-side voice activity', () => {
  it('tells the others who speaks, everyone who the active speaker is, and a newcomer both', () => {
    talk(1000, { ann: 20, bob: 127 });
    expect(sent).toEqual([
      { message: { type: 'speaking', participantId: 'ann', speaking: true }, exceptId: 'ann' },
      { message: { type: 'active-speaker', participantId: 'ann' }, exceptId: undefined },
    ]);
    expect(speakers.snapshot()).toEqual([
      { type: 'speaking', participantId: 'ann', speaking: true },
      { type: 'active-speaker', participantId: 'ann' },
    ]);
    expect(speakers.measured('ann')).toBe(true);
    expect(speakers.measured('carl')).toBe(false);
  });

  it('quiets a muted talker at once, forgets one who left, and stops its timer when nobody is measured', () => {
    talk(1000, { ann: 20, bob: 127 });
    sent = [];
    speakers.quiet('ann');
    expect(sent).toEqual([{ message: { type: 'speaking', participantId: 'ann', speaking: false }, exceptId: 'ann' }]);
    present.delete('ann');
    present.delete('bob');
    vi.advanceTimersByTime(SPEAKER_TICK_MS);
    expect(sent.at(-1)).toEqual({ message: { type: 'active-speaker', participantId: null }, exceptId: undefined });
    expect(vi.getTimerCount()).toBe(0);
  });
});
