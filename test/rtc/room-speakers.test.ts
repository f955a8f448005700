import { RtpHeader, RtpPacket } from 'werift';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '../../src/protocol/room.js';
import { RoomSpeakers, SPEAKER_TICK_MS } from '../../src/rtc/room-speakers.js';
import { SfuRoom } from '../../src/rtc/sfu/room.js';

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

describe('levels from the SFU', () => {
  it('hands on a phone caller\'s level with each packet, and none while they are muted', async () => {
    const room = new SfuRoom('conf', {});
    const heard: Array<[string, number]> = [];
    room.onAudioLevel = (id, level) => heard.push([id, level]);
    const caller = room.addLocalParticipant('phone-1');
    const packet = (seq: number) => new RtpPacket(new RtpHeader({ payloadType: 111, sequenceNumber: seq, timestamp: seq * 960, ssrc: 7 }), Buffer.alloc(20));
    caller.send(packet(1), 23);
    room.setForwarding('phone-1', 'mic', false);
    caller.send(packet(2), 25);
    room.setForwarding('phone-1', 'mic', true);
    caller.send(packet(3));
    caller.send(packet(4), 30);
    expect(heard).toEqual([
      ['phone-1', 23],
      ['phone-1', 30],
    ]);
    await room.close();
  });
});
