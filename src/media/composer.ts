import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RtpSink, UpstreamTrack } from '../rtc/sfu/sfu.js';
import { FfmpegProcess } from './ffmpeg-process.js';
import { compositeGraph, type Canvas, type LayoutMode, type SmallWindowPosition } from './layout.js';
import type { MediaTools } from './media-tools.js';
import { freePortPairs, RtpTap } from './rtp-tap.js';

/** The meeting as a composite sees it. */
export interface ComposerSource {
  /** Tracks published in the meeting now (the SFU room's upstream tracks), in join order. */
  tracks(): UpstreamTrack[];
  /** Participants in order of prominence for `speech` and `full_screen` (the focused one, then hosts). */
  prominence(): string[];
}

export interface ComposerOptions {
  tools: MediaTools;
  mode: LayoutMode;
  position: SmallWindowPosition;
  canvas: Canvas;
  fps: number;
  /** Where the taps' SDP files go. */
  workDir: string;
  /** ffmpeg's output arguments for segment `n` (0, 1, …), after the encoder's. */
  output(segment: number): string[];
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** A segment ended: `ok` when ffmpeg finished it cleanly. */
  segmentEnded?(segment: number, ok: boolean, why: string): void;
  /** Segments keep failing (ffmpeg cannot run this composite): the composer has stopped. */
  failed?(why: string): void;
}

/** H.264 + AAC as players and RTMP servers take them; no B-frames, so wall-clock timestamps stay in order. */
export const ENCODER_ARGS = [
  '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
  '-crf', '23', '-maxrate', '2500k', '-bufsize', '5000k', '-bf', '0',
  '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
];

/**
 * ffmpeg's arguments for one segment: the tap's SDP (videos first, then audios, in m-line order)
 * with wall-clock timestamps, the composite graph, the encoder and the output. Shared with the
 * recording benchmark so it measures exactly this.
 */
export function segmentArgs(o: { sdpPath: string; videos: number; audios: number; canvas: Canvas; fps: number; mode: LayoutMode; position: SmallWindowPosition; output: string[] }): string[] {
  const graph = compositeGraph({
    canvas: o.canvas,
    fps: o.fps,
    mode: o.mode,
    position: o.position,
    videos: Array.from({ length: o.videos }, (_, i) => ({ stream: `0:${i}` })),
    audios: Array.from({ length: o.audios }, (_, i) => `0:${o.videos + i}`),
  });
  const input =
    o.videos + o.audios > 0
      ? [
          '-protocol_whitelist', 'file,udp,rtp', '-use_wallclock_as_timestamps', '1', '-analyzeduration', '1500000', '-probesize', '5000000',
          // A simulcast camera's tap may move to a layer of another size: the scale filter follows it, whereas
          // rebuilding the graph (ffmpeg's default) restarts its clocks and the output freezes.
          '-reinit_filter', '0',
          '-i', o.sdpPath,
        ]
      : [];
  return [
    '-hide_banner', '-loglevel', 'warning', '-nostdin', '-y', '-progress', 'pipe:1', '-stats_period', '0.25', ...input,
    '-filter_complex', graph, '-map', '[v]', '-map', '[a]', '-r', String(o.fps), '-g', String(o.fps * 2), ...ENCODER_ARGS, ...o.output,
  ];
}

/** A source counts as live while its packets keep coming; silent this long, it leaves the layout. */
const LIVE_MS = 1500;
const TICK_MS = 500;
/** A new segment at most this often, so a flapping source does not cut the recording into crumbs. */
const MIN_SEGMENT_MS = 2500;
/** Segments failing this many times in a row: the composite cannot be made. */
const MAX_FAILURES = 4;

interface Segment {
  index: number;
  key: string;
  tap: RtpTap;
  ffmpeg: FfmpegProcess;
  startedAt: number;
  keyframeTimers: NodeJS.Timeout[];
}

/**
 * A meeting's composite, made by ffmpeg in its own process from the upstream RTP the SFU receives.
 *
 * The set of live sources (tracks whose packets are flowing: not muted, camera on, still present)
 * fixes the layout and ffmpeg's inputs, so when it changes — someone joins, leaves, mutes, turns
 * the camera off, starts sharing — the composer ends the current segment and starts the next one
 * with the new layout. ffmpeg's filters wait for every input they have, so an input that goes
 * quiet would stall the whole picture; a new segment never has one. The cost is a short gap
 * (ffmpeg's start, about a second) at each change; the recording joins its segments at the end.
 */
export class Composer {
  private readonly activity = new Map<UpstreamTrack, { sink: RtpSink; last: number }>();
  private current: Segment | undefined;
  private next = 0;
  private failures = 0;
  private ticker: NodeJS.Timeout | undefined;
  private rolling: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly ending: Array<Promise<unknown>> = [];

  constructor(
    private readonly source: ComposerSource,
    private readonly opts: ComposerOptions,
  ) {}

  get segments(): number {
    return this.next;
  }

  /**
   * Starts the first segment once the live sources have shown themselves (a few packets each), and
   * resolves when ffmpeg has encoded its first frame (or after a bound): a recording answered as
   * started is really recording.
   */
  async start(firstFrameWaitMs = 5000): Promise<void> {
    this.watch();
    // Sources just published may not have sent yet: give each up to a second to show itself.
    for (let waited = 0; waited < 1000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      this.watch();
      if (waited >= 100 && [...this.activity].every(([t, a]) => !t.forwarding || a.last > 0)) break;
    }
    await this.roll();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
    const first = this.current?.ffmpeg.firstFrame;
    if (first) await Promise.race([first, new Promise((r) => setTimeout(r, firstFrameWaitMs))]);
  }

  /** Ends the current segment cleanly and stops; resolves once every ffmpeg has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.rolling;
    if (this.current) this.ending.push(this.end(this.current));
    this.current = undefined;
    for (const [track, { sink }] of this.activity) track.detach(sink);
    this.activity.clear();
    await Promise.all(this.ending);
  }

  private tick(): void {
    if (this.stopped) return;
    this.watch();
    const cur = this.current;
    const key = this.liveKey();
    const died = cur !== undefined && !cur.ffmpeg.running;
    if (!died && cur && (key === cur.key || Date.now() - cur.startedAt < MIN_SEGMENT_MS)) return;
    this.rolling = this.rolling.then(() => this.roll()).catch((err: unknown) => this.opts.log.warn({ err }, 'composite segment did not start'));
  }

  /** Keeps an activity sink on every published track, to know which are live. */
  private watch(): void {
    const tracks = new Set(this.source.tracks());
    for (const [track, { sink }] of this.activity) {
      if (!tracks.has(track)) {
        track.detach(sink);
        this.activity.delete(track);
      }
    }
    for (const track of tracks) {
      if (this.activity.has(track)) continue;
      const entry: { sink: RtpSink; last: number } = { sink: { deliver: () => (entry.last = Date.now()), restart: () => undefined }, last: 0 };
      track.attach(entry.sink);
      this.activity.set(track, entry);
    }
  }

  private liveTracks(): UpstreamTrack[] {
    const now = Date.now();
    return [...this.activity].filter(([t, a]) => t.forwarding && now - a.last < LIVE_MS).map(([t]) => t);
  }

  private liveKey(): string {
    return this.liveTracks()
      .map((t) => `${t.participantId}:${t.source}:${t.mid}`)
      .join(',');
  }

  private async roll(): Promise<void> {
    if (this.stopped) return;
    const previous = this.current;
    this.current = undefined;
    if (previous) {
      const ok = previous.ffmpeg.running;
      this.ending.push(this.end(previous));
      if (!ok) {
        this.failures++;
        if (this.failures >= MAX_FAILURES) {
          this.stopped = true;
          if (this.ticker) clearInterval(this.ticker);
          this.opts.failed?.(previous.ffmpeg.lastWords());
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * this.failures));
        if (this.stopped) return;
      }
    }
    const live = this.liveTracks();
    const videos = this.ordered(live.filter((t) => t.kind === 'video'));
    const audios = live.filter((t) => t.kind === 'audio');
    const streams = [...videos, ...audios];
    const ports = await freePortPairs(streams.length);
    const tap = new RtpTap(streams.map((track, i) => ({ track, port: ports[i]! })));
    const index = this.next++;
    const sdpPath = join(this.opts.workDir, `tap-${index}.sdp`);
    writeFileSync(sdpPath, tap.sdp());
    const args = segmentArgs({ ...this.opts, sdpPath, videos: videos.length, audios: audios.length, output: this.opts.output(index) });
    const ffmpeg = new FfmpegProcess(this.opts.tools.ffmpeg, args);
    tap.start();
    // ffmpeg binds its ports a moment after it starts: ask again until it surely has a keyframe.
    const keyframeTimers = [300, 700, 1200, 2000].map((ms) => setTimeout(() => tap.requestKeyframes(), ms).unref());
    const segment: Segment = { index, key: this.liveKey(), tap, ffmpeg, startedAt: Date.now(), keyframeTimers };
    this.current = segment;
    this.opts.log.info({ segment: index, videos: videos.length, audios: audios.length, pid: ffmpeg.pid }, 'composite segment started');
    void ffmpeg.exited.then(() => {
      if (this.current === segment && !this.stopped) this.tick();
    });
    if (this.failures > 0) setTimeout(() => ffmpeg.running && (this.failures = 0), 5000).unref();
  }

  /** Orders videos for the layout: a screen share first, then by prominence, then join order. */
  private ordered(videos: UpstreamTrack[]): UpstreamTrack[] {
    const rank = this.source.prominence();
    const score = (t: UpstreamTrack) => {
      const r = rank.indexOf(t.participantId);
      return (t.source === 'screen' ? 0 : 1000) + (this.opts.mode === 'grid' ? 0 : r < 0 ? 500 : r);
    };
    return videos.map((t, i) => ({ t, i })).sort((a, b) => score(a.t) - score(b.t) || a.i - b.i).map(({ t }) => t);
  }

  private async end(segment: Segment): Promise<void> {
    for (const t of segment.keyframeTimers) clearTimeout(t);
    const code = await segment.ffmpeg.stop();
    segment.tap.close();
    const ok = code === 0 || code === 255;
    const why = ok ? '' : segment.ffmpeg.lastWords();
    if (!ok) this.opts.log.warn({ segment: segment.index, code, why }, 'composite segment failed');
    this.opts.segmentEnded?.(segment.index, ok, why);
  }
}
