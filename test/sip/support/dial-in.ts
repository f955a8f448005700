import { createSocket, type Socket } from 'node:dgram';
import { alaw } from 'alawmulaw';
import type { Page } from 'playwright-core';
import type { Config } from '../../../src/config.js';

/** A SIP endpoint on loopback for one test server: a port of its own, SIPp's address trusted. */
export function sipConfig(overrides: Partial<NonNullable<Config['sip']>> = {}): NonNullable<Config['sip']> {
  const base = 42000 + 20 * Math.floor(Math.random() * 1000);
  return { host: '127.0.0.1', port: base, trusted: ['127.0.0.1'], rtpPorts: [base + 2, base + 19], announcedIp: undefined, ...overrides };
}

/**
 * The caller's media endpoint, played by the test: vconf sends the caller's audio here (the SDP
 * of the SIPp scenario names this port). Each A-law packet is decoded and its loudness kept.
 */
export class CallerEar {
  private socket: Socket | undefined;
  /** Mean absolute sample of each packet received, in arrival order, with its arrival time. */
  readonly levels: Array<{ at: number; level: number }> = [];

  async open(): Promise<number> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (datagram) => {
      if (datagram.length <= 12 || (datagram[1]! & 0x7f) !== 8) return;
      const pcm = alaw.decode(datagram.subarray(12));
      let total = 0;
      for (const s of pcm) total += Math.abs(s);
      this.levels.push({ at: Date.now(), level: total / pcm.length });
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return socket.address().port;
  }

  /** Packets and mean loudness received since `since` (ms epoch). */
  since(since: number): { packets: number; loudPackets: number; meanLevel: number } {
    const recent = this.levels.filter((l) => l.at >= since);
    const meanLevel = recent.reduce((n, l) => n + l.level, 0) / Math.max(1, recent.length);
    return { packets: recent.length, loudPackets: recent.filter((l) => l.level > 200).length, meanLevel };
  }

  close(): void {
    this.socket?.close();
  }
}

/** What the page receives as audio, over every inbound audio stream (the caller is the only other participant). */
export function inboundAudio(p: Page): Promise<{ packets: number; level: number; energy: number }> {
  return p.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    const out = { packets: 0, level: 0, energy: 0 };
    for (const pc of pcs) {
      (await pc.getStats()).forEach((s: { type: string; kind?: string; packetsReceived?: number; audioLevel?: number; totalAudioEnergy?: number }) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        out.packets += s.packetsReceived ?? 0;
        out.level = Math.max(out.level, s.audioLevel ?? 0);
        out.energy += s.totalAudioEnergy ?? 0;
      });
    }
    return out;
  });
}
