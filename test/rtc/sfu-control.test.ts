import { afterEach, describe, expect, it } from 'vitest';
import { eventually, RoomHarness, sleep } from './harness.js';

let h: RoomHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('SFU room control', () => {
  it('setForwarding(false) stops a source for everyone; true resumes it with continuous numbering and a keyframe', async () => {
    h = new RoomHarness();
    const p1 = await h.join('p1', ['mic', 'camera']);
    const p2 = await h.join('p2', []);
    const p3 = await h.join('p3', []);
    await eventually(() => [p2, p3].every((p) => p.stream('p1', 'camera').packets > 30 && p.stream('p1', 'mic').packets > 20), 8_000, 'media');

    expect(h.room.stats().forwardedStreams).toBe(4);
    h.room.setForwarding('p1', 'camera', false);
    expect(h.room.stats().forwardedStreams).toBe(2);
    await sleep(150);
    const stopped = [p2, p3].map((p) => p.stream('p1', 'camera').packets);
    const micBefore = p2.stream('p1', 'mic').packets;
    await sleep(600);
    expect([p2, p3].map((p) => p.stream('p1', 'camera').packets)).toEqual(stopped);
    expect(p2.stream('p1', 'mic').packets).toBeGreaterThan(micBefore + 15);
    expect(p1.sent('camera')).toBeGreaterThan(0);

    const plis = p1.plis('camera');
    h.room.setForwarding('p1', 'camera', true);
    await eventually(() => p2.stream('p1', 'camera').packets > stopped[0]! + 10, 4_000, 'camera resumed');
    await eventually(() => p1.plis('camera') > plis, 2_000, 'keyframe request on resume');
    const records = p2.stream('p1', 'camera').records;
    const gap = records[stopped[0]!]!;
    const last = records[stopped[0]! - 1]!;
    // The subscriber sees no hole to NACK: numbering continues, time moves forward.
    expect((gap.seq - last.seq + 0x10000) % 0x10000).toBe(1);
    expect((gap.originSeq - last.originSeq + 0x10000) % 0x10000).toBeGreaterThan(20);
    expect(((gap.ts - last.ts) >>> 0) / 90).toBeGreaterThan(400);
    expect(h.errors).toEqual([]);
  });

  it('removeParticipant frees the removed tracks\' slots for the others without renegotiating, and stops their packets', async () => {
    h = new RoomHarness();
    const p1 = await h.join('p1', ['mic', 'camera']);
    const p2 = await h.join('p2', ['mic', 'camera']);
    const p3 = await h.join('p3', ['camera']);
    await eventually(() => p2.stream('p1', 'camera').packets > 20 && p3.stream('p1', 'mic').packets > 20 && p1.stream('p3', 'camera').packets > 20, 8_000, 'media');
    expect(h.room.stats()).toEqual({ participants: 3, forwardedStreams: 2 + 2 + 1 + 2 + 1 + 2 });
    await h.settled();
    const offers = { p2: h.offersTo('p2'), p3: h.offersTo('p3') };

    await h.room.removeParticipant('p1');
    // The freed slots become spares: the new mapping goes out as `subscribe-tracks`, with no offer.
    expect({ p2: h.offersTo('p2'), p3: h.offersTo('p3') }).toEqual(offers);
    expect(h.lastTracks('p2')!.map((t) => `${t.participantId}/${t.source}`)).toEqual(['p3/camera']);
    expect(h.lastTracks('p3')!.map((t) => `${t.participantId}/${t.source}`).sort()).toEqual(['p2/camera', 'p2/mic']);
    await eventually(() => h!.room.stats().forwardedStreams === 3, 4_000, 'stats after removal');
    expect(h.room.stats().participants).toBe(2);
    await sleep(150);
    const counts = [p2.stream('p1', 'camera').packets, p3.stream('p1', 'mic').packets];
    await sleep(500);
    expect([p2.stream('p1', 'camera').packets, p3.stream('p1', 'mic').packets]).toEqual(counts);
    expect(p2.stream('p3', 'camera').packets).toBeGreaterThan(0);
    expect({ p2: h.offersTo('p2'), p3: h.offersTo('p3') }).toEqual(offers);
    // The removed participant's own downstream is closed too.
    const gotByP1 = [...p1.received.values()].reduce((n, s) => n + s.packets, 0);
    await sleep(300);
    expect([...p1.received.values()].reduce((n, s) => n + s.packets, 0)).toBe(gotByP1);
    expect(h.errors).toEqual([]);
  });

  it('a screen track added by re-publish appears downstream and leaves again; its m-section is reused', async () => {
    // The screen goes onto a spare slot at once; the freed slot stays negotiated as a spare and carries the next share.
    h = new RoomHarness();
    const p1 = await h.join('p1', ['mic', 'camera']);
    const p2 = await h.join('p2', []);
    await eventually(() => p2.stream('p1', 'camera').packets > 10, 8_000, 'media');

    p1.addSource('screen');
    await h.publish(p1);
    await eventually(() => p2.stream('p1', 'screen').packets > 20, 8_000, 'screen at p2');
    expect(p2.stream('p1', 'screen').records.every((r) => r.intact && r.tag === 'p1/screen')).toBe(true);
    expect(h.lastTracks('p2')!.map((t) => t.source).sort()).toEqual(['camera', 'mic', 'screen']);
    const screenMid = p2.midOf('p1', 'screen');
    // The used spare is replaced by a background offer.
    await eventually(() => h!.offersTo('p2') === 2, 4_000, 'top-up offer');
    await sleep(300);
    const sections = p2.downstream.getTransceivers().length;
    const offers = h.offersTo('p2');
    p1.removeSource('screen');
    await h.publish(p1);
    await eventually(() => h!.lastTracks('p2')!.length === 2, 4_000, 'screen removed downstream');
    expect(p2.midOf('p1', 'screen')).toBeUndefined();
    expect(h.offersTo('p2')).toBe(offers);
    await sleep(200);
    const count = p2.stream('p1', 'screen').packets;
    await sleep(400);
    expect(p2.stream('p1', 'screen').packets).toBe(count);

    // Sharing again reuses the freed m-section instead of growing the SDP, again without an offer.
    p1.addSource('screen');
    await h.publish(p1);
    await eventually(() => p2.stream('p1', 'screen').packets > count + 20, 8_000, 'screen again');
    expect(p2.midOf('p1', 'screen')).toBe(screenMid);
    expect(h.offersTo('p2')).toBe(offers);
    expect(p2.downstream.getTransceivers().length).toBe(sections);
    expect(h.errors).toEqual([]);
  });

  it('serializes downstream renegotiation: a change while an offer is pending waits, then the latest state is offered once', async () => {
    h = new RoomHarness();
    await h.join('p1', ['camera']);
    h.holdAnswers.add('p3');
    const p3 = await h.join('p3', []);
    await eventually(() => h!.heldOffers('p3') === 1, 4_000, 'first offer to p3');
    expect(h.lastTracks('p3')!.map((t) => `${t.participantId}/${t.source}`)).toEqual(['p1/camera']);

    const p2 = await h.join('p2', ['mic', 'camera']);
    p2.addSource('screen');
    await h.publish(p2);
    await sleep(300);
    expect(h.heldOffers('p3')).toBe(1);
    expect(h.offersTo('p3')).toBe(1);

    await h.answerHeld('p3');
    await eventually(() => h!.heldOffers('p3') === 1, 4_000, 'second offer to p3');
    expect(h.offersTo('p3')).toBe(2);
    expect(h.lastTracks('p3')!.map((t) => `${t.participantId}/${t.source}`)).toEqual(['p1/camera', 'p2/mic', 'p2/camera', 'p2/screen']);
    await h.answerHeld('p3');
    await eventually(() => ['mic', 'camera', 'screen'].every((s) => p3.stream('p2', s as 'mic').packets > 10) && p3.stream('p1', 'camera').packets > 10, 8_000, 'all media at p3');
    await sleep(300);
    expect(h.offersTo('p3')).toBe(2);
    expect(h.errors).toEqual([]);
  });
});
