import { FfmpegProcess } from './ffmpeg-process.js';
import type { MediaTools } from './media-tools.js';

/** Where a pushed stream stands (visible in the room and in stream-out events). */
export type RelayState = 'connecting' | 'live' | 'retrying' | 'failed' | 'stopped';

export interface RelayEvents {
  changed(state: RelayState, detail: string): void;
}

/** Waits between reconnection attempts of a broken push; the last one repeats. */
export const RETRY_SCHEDULE_MS = [1000, 2000, 4000, 8000, 15000, 30000];
/** A push that never reached its server this many times in a row is given up. */
const MAX_ATTEMPTS_WITHOUT_SUCCESS = 6;

/**
 * One RTMP push: an ffmpeg copying the meeting's encoded composite (MPEG-TS on a loopback UDP port)
 * to the URL as FLV, without re-encoding. When the push breaks it is retried with growing waits;
 * each change of state is reported.
 */
export class StreamRelay {
  private proc: FfmpegProcess | undefined;
  private attempts = 0;
  private everLive = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  state: RelayState = 'connecting';
  detail = '';
  /** Settles on the first outcome: the server took the stream, or the first attempt failed. */
  readonly firstOutcome: Promise<{ ok: boolean; detail: string }>;
  private settle!: (v: { ok: boolean; detail: string }) => void;

  constructor(
    private readonly tools: MediaTools,
    readonly url: string,
    private readonly inputPort: number,
    private readonly events: RelayEvents,
  ) {
    this.firstOutcome = new Promise((r) => (this.settle = r));
  }

  start(): void {
    if (this.stopped) return;
    this.attempts++;
    const args = [
      '-hide_banner', '-loglevel', 'info', '-nostdin',
      '-use_wallclock_as_timestamps', '1', '-fflags', '+genpts',
      '-analyzeduration', '500000', '-probesize', '500000',
      '-i', `udp://127.0.0.1:${this.inputPort}?fifo_size=100000&overrun_nonfatal=1&timeout=10000000`,
      '-c', 'copy', '-f', 'flv', '-flvflags', 'no_duration_filesize', this.url,
    ];
    const proc = new FfmpegProcess(this.tools.ffmpeg, args, (text) => {
      // ffmpeg names the output once it has opened it: the RTMP server accepted the connection.
      if (proc === this.proc && this.state !== 'live' && /Output #0, flv/.test(text)) this.set('live', '');
    });
    this.proc = proc;
    void proc.exited.then((code) => {
      if (proc !== this.proc || this.stopped) return;
      const why = proc.lastWords(2) || `ffmpeg exited with ${code}`;
      if (!this.everLive && this.attempts >= MAX_ATTEMPTS_WITHOUT_SUCCESS) return this.set('failed', why);
      this.set('retrying', why);
      const wait = RETRY_SCHEDULE_MS[Math.min(this.attempts - 1, RETRY_SCHEDULE_MS.length - 1)]!;
      this.timer = setTimeout(() => this.start(), wait);
      this.timer.unref();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.proc?.stop(3000);
    this.set('stopped', '');
  }

  private set(state: RelayState, detail: string): void {
    if (state === 'live') {
      this.everLive = true;
      this.attempts = 0;
    }
    if (state === this.state && detail === this.detail) return;
    this.state = state;
    this.detail = detail;
    if (state === 'live') this.settle({ ok: true, detail });
    else if (state !== 'connecting') this.settle({ ok: false, detail });
    this.events.changed(state, detail);
  }
}
