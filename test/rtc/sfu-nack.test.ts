import { afterEach, describe, expect, it } from 'vitest';
import { lossToWerift } from '../../bench/support/rtp-peer.js';
import { eventually, RoomHarness, sleep } from './harness.js';

let h: RoomHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Stats values of one type from a werift stats report. */
async function statsOf(pc: { getStats(): Promise<Map<string, unknown>> }, type: string): Promise<Array<Record<string, number>>> {
  const report = await pc.getStats();
  return [...report.values()].filter((s) => (s as { type: string }).type === type) as Array<Record<string, number>>;
}

describe('SFU retransmission', () => {
  it('repairs loss on both legs: the SFU NACKs the publisher, and answers the subscriber\'s NACKs from its send cache', async () => {
    h = new RoomHarness();
    // 5% loss on the publisher's outgoing packets and on the subscriber's incoming packets.
    const p1 = await h.join('p1', ['camera'], { upstreamDebug: { outboundPacketLoss: lossToWerift(5) } });
    const p2 = await h.join('p2', [], { downstreamDebug: { inboundPacketLoss: lossToWerift(5) } });
    await eventually(() => p2.stream('p1', 'camera').packets > 150, 15_000, 'media through the lossy legs');
    p1.stop();
    await sleep(1_000);

    const records = p2.stream('p1', 'camera').records;
    expect(records.every((r) => r.intact)).toBe(true);
    // Every packet between the lowest and highest received arrived in the end (late ones were retransmitted).
    // Distances are taken relative to the first packet, signed, so the 16-bit wrap does not matter.
    const first = records[0]!.originSeq;
    const rel = records.map((r) => ((r.originSeq - first + 0x18000) % 0x10000) - 0x8000);
    const present = new Set(rel);
    const missing = [];
    for (let d = Math.min(...rel); d <= Math.max(...rel); d++) if (!present.has(d)) missing.push(d);
    expect(missing).toEqual([]);
    expect(present.size).toBeGreaterThan(100);
    // Retransmitted packets keep the subscriber's numbering: the same origin maps to the same sequence number.
    const offsets = new Set(records.map((r) => (r.seq - r.originSeq + 0x10000) % 0x10000));
    expect(offsets.size).toBe(1);
    // Loss really happened on both legs and was repaired by NACKs.
    const [upstreamOut] = await statsOf(p1.upstream as never, 'outbound-rtp');
    const [downstreamIn] = await statsOf(p2.downstream as never, 'inbound-rtp');
    expect(upstreamOut!.nackCount ?? 0).toBeGreaterThan(0);
    expect(upstreamOut!.retransmittedPacketsSent ?? 0).toBeGreaterThan(0);
    expect(downstreamIn!.nackCount ?? 0).toBeGreaterThan(0);
    // Repairs arrive late, out of order.
    const late = records.filter((r, i) => i > 0 && ((r.seq - records[i - 1]!.seq + 0x10000) % 0x10000) > 0x8000);
    expect(late.length).toBeGreaterThan(0);
  });
});
