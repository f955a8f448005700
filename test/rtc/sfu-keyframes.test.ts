import { afterEach, describe, expect, it } from 'vitest';
import { eventually, RoomHarness, sleep } from './harness.js';

let h: RoomHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('SFU keyframe requests', () => {
  it('asks the publisher for a keyframe when a subscriber attaches, so a late joiner starts on one', async () => {
    h = new RoomHarness();
    const p1 = await h.join('p1', ['camera']);
    const early = await h.join('early', []);
    await eventually(() => early.stream('p1', 'camera').packets > 40, 8_000, 'early subscriber media');
    const before = p1.plis('camera');
    const late = await h.join('late', []);
    await eventually(() => late.stream('p1', 'camera').packets > 0, 8_000, 'late subscriber media');
    await eventually(() => p1.plis('camera') > before, 2_000, 'PLI after the late join');
    // The first keyframe reaches the late joiner within a few frames of its first packet.
    await eventually(() => late.stream('p1', 'camera').records.some((r) => r.keyframe), 2_000, 'keyframe at the late joiner');
    const records = late.stream('p1', 'camera').records;
    const firstKey = records.find((r) => r.keyframe)!;
    expect(firstKey.at - records[0]!.at).toBeLessThan(700);
  });

  it('forwards PLI and FIR from a subscriber to the publisher, rate-limited', async () => {
    h = new RoomHarness();
    const p1 = await h.join('p1', ['camera']);
    const p2 = await h.join('p2', []);
    await eventually(() => p2.stream('p1', 'camera').packets > 30, 8_000, 'media');
    await sleep(400); // past the attach-time request's rate-limit window
    const base = p1.plis('camera');
    await p2.sendPli('p1', 'camera');
    await eventually(() => p1.plis('camera') === base + 1, 2_000, 'PLI forwarded');
    await sleep(400);
    await p2.sendFir('p1', 'camera');
    await eventually(() => p1.plis('camera') === base + 2, 2_000, 'FIR forwarded as PLI');
    await sleep(400);
    // A burst collapses into one request now and one when the interval ends.
    for (let i = 0; i < 10; i++) await p2.sendPli('p1', 'camera');
    await eventually(() => p1.plis('camera') >= base + 3, 2_000, 'burst forwarded');
    await sleep(700);
    expect(p1.plis('camera')).toBe(base + 4);
  });
});
