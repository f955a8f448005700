/**
 * The page's statistics report (web/src/rtc/stats-reporter.ts) read from getStats() as Chromium
 * gives it for a simulcast camera: one outbound-rtp per layer, and a paused layer keeps its last
 * size while sending nothing.
 */
import { describe, expect, it } from 'vitest';
import { StatsReporter } from '../../web/src/rtc/stats-reporter.js';
import type { ClientMessage } from '../../src/protocol/room.js';

type Stat = Record<string, unknown> & { type: string; id: string };

/** What getStats() answers, as a peer connection offers it (only the parts the reporter reads). */
function connection(stats: () => Stat[]): RTCPeerConnection {
  return { connectionState: 'connected', getStats: async () => new Map(stats().map((s) => [s.id, s])) } as unknown as RTCPeerConnection;
}

function layer(rid: string, width: number, bytesSent: number, sending: boolean): Stat {
  const s: Stat = { type: 'outbound-rtp', id: `out-${rid}`, kind: 'video', rid, mediaSourceId: 'cam', frameWidth: width, frameHeight: (width * 9) / 16, bytesSent, active: sending };
  if (sending) s.framesPerSecond = 30;
  return s;
}

async function reportOf(layers: (round: number) => Stat[]): Promise<ClientMessage> {
  let round = 0;
  const sent: ClientMessage[] = [];
  const up = connection(() => [{ type: 'media-source', id: 'cam', kind: 'video', trackIdentifier: 'camera-track' }, ...layers(round++)]);
  const reporter = new StatsReporter(() => [up, null], () => ({ screenSent: null, screensReceived: new Set() }), (m) => sent.push(m));
  reporter.start(20);
  while (sent.length === 0) await new Promise((r) => setTimeout(r, 10));
  reporter.stop();
  return sent[0]!;
}

describe('the page\'s statistics report of a simulcast camera', () => {
  it('gives the size and frame rate of the largest layer being sent, not of a paused one', async () => {
    const report = await reportOf((n) => [layer('l', 320, 1000 * n, true), layer('m', 640, 4000 * n, true), layer('h', 1280, 50_000, false)]);
    expect(report).toMatchObject({ type: 'stats', cameraSendRes: '640x360', cameraSendFps: 30 });
  });

  it('gives the top layer while every layer is sent', async () => {
    const report = await reportOf((n) => [layer('l', 320, 1000 * n, true), layer('m', 640, 4000 * n, true), layer('h', 1280, 9000 * n, true)]);
    expect(report).toMatchObject({ cameraSendRes: '1280x720', cameraSendFps: 30 });
    expect((report as { cameraSend: number }).cameraSend).toBeGreaterThan(0);
  });
});
