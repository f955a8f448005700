import { Counter, Gauge, type Registry } from 'prom-client';
import type { ForwardTally } from '../rtc/sfu/types.js';

/** What the metrics read from the SFU. */
export interface ForwardingSource {
  readonly forwarded: ForwardTally;
  stats(): { forwardedStreams: number };
}

/**
 * Forwarded streams, packets and payload bytes (rate() of the bytes is the forwarded bitrate).
 * The SFU keeps plain running totals; the counters catch up with them at scrape time.
 */
export function registerSfuMetrics(registry: Registry, sfu: ForwardingSource): void {
  new Gauge({
    name: 'vconf_sfu_forwarded_streams',
    help: 'Media streams the SFU is forwarding now (one per track per receiving participant)',
    registers: [registry],
    collect() {
      this.set(sfu.stats().forwardedStreams);
    },
  });
  catchUp(registry, 'vconf_sfu_forwarded_packets_total', 'RTP packets the SFU has forwarded', () => sfu.forwarded.packets);
  catchUp(registry, 'vconf_sfu_forwarded_payload_bytes_total', 'RTP payload bytes the SFU has forwarded', () => sfu.forwarded.payloadBytes);
}

/** A counter that follows a running total kept elsewhere. */
function catchUp(registry: Registry, name: string, help: string, total: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = total();
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
}
