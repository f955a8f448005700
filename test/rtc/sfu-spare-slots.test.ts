import { afterEach, describe, expect, it } from 'vitest';
import { SPARE_SLOTS } from '../../src/rtc/sfu/subscriber.js';
import { eventually, RoomHarness } from './harness.js';

let h: RoomHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** m-section kinds of an SDP whose mids `tracks` does not map: the spare slots. */
function spareKinds(sdp: string, mapped: Array<{ mid: string }>): string[] {
  const taken = new Set(mapped.map((t) => t.mid));
  return sdp
    .split(/\r\n(?=m=)/)
    .filter((m) => m.startsWith('m='))
    .filter((m) => /^a=sendonly$/m.test(m) && !taken.has(/^a=mid:(\S+)$/m.exec(m)![1]!))
    .map((m) => m.slice(2, 7))
    .sort();
}

const sources = (tracks: Array<{ participantId: string; source: string }> | undefined) => tracks?.map((t) => `${t.participantId}/${t.source}`);

describe('pre-negotiated downstream slots', () => {
  it('someone already in the room receives a newcomer on spare slots with no offer answered, then the spares are topped up', async () => {
    h = new RoomHarness();
    const p1 = await h.join('p1', ['mic']);
    await eventually(() => p1.downstream.connectionState === 'connected', 8_000, 'p1 downstream up while alone');
    expect(spareKinds(h.lastOfferSdp('p1')!, [])).toEqual(['audio', ...Array(SPARE_SLOTS.video).fill('video')]);
    // From now on p1 answers nothing: whatever it receives comes without a new round.
    h.holdAnswers.add('p1');

    const p2 = await h.join('p2', ['mic', 'camera']);
    await eventually(() => p1.stream('p2', 'camera').packets > 10 && p1.stream('p2', 'mic').packets > 10, 8_000, 'newcomer media at p1');
    expect(p1.downstreamOffers).toBe(1);
    expect(p1.strayPackets).toBe(0);
    expect(p1.stream('p2', 'camera').records.every((r) => r.intact && r.tag === 'p2/camera')).toBe(true);
    expect(sources(h.trackFrames.filter((f) => f.participantId === 'p1').at(-1)?.tracks)).toEqual(['p2/mic', 'p2/camera']);
    // The newcomer's own view: p1's mic, in its first offer.
    await eventually(() => p2.stream('p1', 'mic').packets > 10, 8_000, 'p1 at the newcomer');

    // The top-up was offered in the background; answering it restores the spares.
    await eventually(() => h!.heldOffers('p1') === 1, 4_000, 'top-up offer');
    const topUp = h.offers.filter((o) => o.participantId === 'p1').at(-1)!;
    expect(sources(topUp.tracks)).toEqual(['p2/mic', 'p2/camera']);
    expect(spareKinds(topUp.sdp, topUp.tracks)).toEqual(['audio', ...Array(SPARE_SLOTS.video).fill('video')]);
    await h.answerHeld('p1');
    const before = p1.stream('p2', 'camera').packets;
    await eventually(() => p1.stream('p2', 'camera').packets > before + 10, 4_000, 'media across the top-up');
    expect(h.errors).toEqual([]);
  });

  it('a leave frees its slots at once (no offer), and the next joiner reuses them without growing the SDP', async () => {
    h = new RoomHarness();
    const p1 = await h.join('p1', []);
    await eventually(() => p1.downstream.connectionState === 'connected', 8_000, 'p1 downstream up');
    await h.join('p2', ['mic', 'camera']);
    await eventually(() => p1.stream('p2', 'camera').packets > 10, 8_000, 'p2 at p1');
    await h.settled();
    const offers = h.offersTo('p1');
    const sections = p1.downstream.getTransceivers().length;
    const mids = [p1.midOf('p2', 'mic'), p1.midOf('p2', 'camera')];

    await h.room.removeParticipant('p2');
    expect(h.lastTracks('p1')).toEqual([]);
    await h.peers.get('p2')!.close();
    h.peers.delete('p2');
    await h.join('p3', ['mic', 'camera']);
    await eventually(() => p1.stream('p3', 'camera').packets > 10 && p1.stream('p3', 'mic').packets > 10, 8_000, 'p3 at p1');
    expect([p1.midOf('p3', 'mic'), p1.midOf('p3', 'camera')]).toEqual(mids);
    await h.settled();
    // Two spares of each kind were free after the leave (its own two and the topped-up ones): no offer needed.
    expect(h.offersTo('p1')).toBe(offers);
    expect(p1.downstream.getTransceivers().length).toBe(sections);
    expect(p1.strayPackets).toBe(0);
    expect(h.errors).toEqual([]);
  });

  it('a track in a codec no spare has still arrives, through an offer', async () => {
    h = new RoomHarness();
    const p1 = await h.join('p1', []);
    await eventually(() => p1.downstream.connectionState === 'connected', 8_000, 'p1 downstream up');
    const offers = h.offersTo('p1');
    await h.join('p2', ['camera'], { publishH264: true });
    await eventually(() => p1.stream('p2', 'camera').packets > 10, 8_000, 'H264 at p1');
    expect(h.offersTo('p1')).toBeGreaterThan(offers);
    expect(h.lastOfferSdp('p1')).toMatch(/H264\/90000/);
    expect(h.errors).toEqual([]);
  });
});
