import type { ClientMessage, StatsReport } from '../../../src/protocol/room.js';

/** Which tracks are screens: the one this page shares, and those it receives. */
export interface TrackRoles {
  screenSent: string | null;
  screensReceived: ReadonlySet<string>;
}

type Stat = Record<string, unknown> & { type: string; id: string };

interface Totals {
  at: number;
  bytes: Map<string, number>;
  lost: number;
  received: number;
}

/**
 * Every interval the server asks for (`welcome.statsIntervalMs`), reads getStats() of both peer
 * connections and sends what only the browser knows as a `stats` frame (docs/room-protocol.md):
 * rates over the interval, the resolution and frame rate of what it sends and receives, audio
 * levels, its own round trip and loss. The server merges it with its own RTCP measurements.
 */
export class StatsReporter {
  private timer: ReturnType<typeof setInterval> | undefined;
  private previous: Totals | undefined;
  private pcs: [RTCPeerConnection | null, RTCPeerConnection | null] = [null, null];

  constructor(
    private readonly connections: () => [RTCPeerConnection | null, RTCPeerConnection | null],
    private readonly roles: () => TrackRoles,
    private readonly send: (message: ClientMessage) => void,
  ) {}

  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.tick().catch(() => undefined), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    const pcs = this.connections();
    // A new media link starts new counters.
    if (pcs[0] !== this.pcs[0] || pcs[1] !== this.pcs[1]) this.previous = undefined;
    this.pcs = pcs;
    const [up, down] = await Promise.all(pcs.map(async (pc) => (pc && pc.connectionState !== 'closed' ? [...(await pc.getStats()).values()] as Stat[] : [])));
    const report = this.measure(up ?? [], down ?? []);
    if (report) this.send({ type: 'stats', ...report });
  }

  private measure(up: Stat[], down: Stat[]): StatsReport | undefined {
    const now = performance.now();
    const roles = this.roles();
    const byId = new Map([...up, ...down].map((s) => [s.id, s]));
    const totals: Totals = { at: now, bytes: new Map(), lost: 0, received: 0 };
    const report: StatsReport = {};
    const before = this.previous;
    const rate = (key: string, bytes: number): number => {
      totals.bytes.set(key, bytes);
      const old = before?.bytes.get(key);
      if (!before || old === undefined || now <= before.at) return 0;
      return clamp((Math.max(0, bytes - old) * 8 * 1000) / (now - before.at), 1e10);
    };
    const add = (field: keyof StatsReport, value: number) => {
      (report as Record<string, number>)[field] = ((report as Record<string, number>)[field] ?? 0) + Math.round(value);
    };

    const sentWidth = { camera: 0, screen: 0 };
    for (const s of up) {
      if (s.type === 'outbound-rtp') {
        const source = byId.get(String(s.mediaSourceId));
        const screen = !!roles.screenSent && source?.trackIdentifier === roles.screenSent;
        const kind = s.kind === 'audio' ? 'audio' : screen ? 'screen' : 'camera';
        add(`${kind}Send` as keyof StatsReport, rate(`out:${s.id}`, num(s.bytesSent)));
        // A simulcast camera has one outbound-rtp per layer: the largest one sent says what the camera sends.
        // A paused layer keeps its last size but sends no frames, so only layers now encoding count.
        if (kind !== 'audio' && s.active !== false && num(s.framesPerSecond) > 0 && num(s.frameWidth) > sentWidth[kind]) {
          sentWidth[kind] = num(s.frameWidth);
          report[`${kind}SendRes`] = `${num(s.frameWidth)}x${num(s.frameHeight)}`;
          report[`${kind}SendFps`] = clamp(Math.round(num(s.framesPerSecond)), 1000);
        }
        if (kind === 'audio' && source && typeof source.audioLevel === 'number') report.micLevel = clamp(source.audioLevel, 1);
      } else if (s.type === 'remote-inbound-rtp' && typeof s.fractionLost === 'number') {
        report.lossUp = Math.max(report.lossUp ?? 0, clamp(s.fractionLost * 100, 100));
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        if (typeof s.currentRoundTripTime === 'number') report.rtt = clamp(Math.round(s.currentRoundTripTime * 1000), 600_000);
        if (typeof s.availableOutgoingBitrate === 'number') report.availableSend = clamp(Math.round(s.availableOutgoingBitrate), 1e10);
      }
    }
    let largest = { camera: 0, screen: 0 };
    for (const s of down) {
      if (s.type !== 'inbound-rtp') continue;
      const screen = roles.screensReceived.has(String(s.trackIdentifier));
      const kind = s.kind === 'audio' ? 'audio' : screen ? 'screen' : 'camera';
      add(`${kind}Recv` as keyof StatsReport, rate(`in:${s.id}`, num(s.bytesReceived)));
      totals.lost += num(s.packetsLost);
      totals.received += num(s.packetsReceived);
      if (kind === 'audio') {
        if (typeof s.audioLevel === 'number') report.playLevel = Math.max(report.playLevel ?? 0, clamp(s.audioLevel, 1));
        if (typeof s.jitter === 'number') report.jitter = Math.max(report.jitter ?? 0, clamp(Math.round(s.jitter * 1000), 600_000));
      } else if (num(s.frameWidth) * num(s.frameHeight) > largest[kind]) {
        largest = { ...largest, [kind]: num(s.frameWidth) * num(s.frameHeight) };
        report[`${kind}RecvRes`] = `${num(s.frameWidth)}x${num(s.frameHeight)}`;
        report[`${kind}RecvFps`] = clamp(Math.round(num(s.framesPerSecond)), 1000);
      }
    }
    if (before) {
      const lost = Math.max(0, totals.lost - before.lost);
      const received = Math.max(0, totals.received - before.received);
      if (lost + received > 0) report.lossDown = clamp((100 * lost) / (lost + received), 100);
    }
    this.previous = totals;
    // The first reading only sets the counters: rates need two.
    return before ? report : undefined;
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

function clamp(v: number, max: number): number {
  return Math.min(max, Math.max(0, v));
}
