/**
 * Issue 8: what the SFU forwards shows in the metrics — streams being forwarded now, and running
 * totals of packets and payload bytes (their rate is the forwarded bitrate) — with werift peers
 * standing in for browsers on loopback.
 */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerSfuMetrics } from '../../src/metrics/sfu.js';
import { eventually, RoomHarness } from './harness.js';

let h: RoomHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function read(registry: Registry): Promise<Record<string, number>> {
  const metrics = await registry.getMetricsAsJSON();
  return Object.fromEntries(metrics.map((m) => [m.name, m.values.reduce((sum, v) => sum + v.value, 0)]));
}

describe('SFU metrics', () => {
  it('count forwarded streams, packets and payload bytes', async () => {
    h = new RoomHarness();
    const registry = new Registry();
    registerSfuMetrics(registry, h.sfu);
    expect(await read(registry)).toEqual({
      vconf_sfu_forwarded_streams: 0,
      vconf_sfu_forwarded_packets_total: 0,
      vconf_sfu_forwarded_payload_bytes_total: 0,
    });

    await h.join('talker', ['mic', 'camera']);
    const listener = await h.join('listener', []);
    await eventually(() => listener.stream('talker', 'camera').packets > 30 && listener.stream('talker', 'mic').packets > 20, 10_000, 'media at the listener');

    const first = await read(registry);
    const received = (what: 'packets' | 'bytes') => listener.stream('talker', 'camera')[what] + listener.stream('talker', 'mic')[what];
    expect(first.vconf_sfu_forwarded_streams).toBe(2);
    // Everything the listener got was forwarded (and counted) first.
    expect(first.vconf_sfu_forwarded_packets_total).toBeGreaterThanOrEqual(received('packets'));
    expect(first.vconf_sfu_forwarded_payload_bytes_total).toBeGreaterThanOrEqual(received('bytes'));

    // Counters keep growing while media flows; the stream gauge follows forwarding being paused.
    h.room.setForwarding('talker', 'camera', false);
    const micBefore = listener.stream('talker', 'mic').packets;
    await eventually(() => listener.stream('talker', 'mic').packets > micBefore + 10, 5_000, 'more audio');
    const second = await read(registry);
    expect(second.vconf_sfu_forwarded_streams).toBe(1);
    expect(second.vconf_sfu_forwarded_packets_total).toBeGreaterThan(first.vconf_sfu_forwarded_packets_total!);
    expect(second.vconf_sfu_forwarded_payload_bytes_total).toBeGreaterThan(first.vconf_sfu_forwarded_payload_bytes_total!);
  });
});
