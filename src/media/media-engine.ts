import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { CompositeLayout, MediaEngine, MediaObserver, PushState } from '../domain/ports/index.js';
import type { Sfu } from '../rtc/sfu/sfu.js';
import { Composer, type ComposerSource } from './composer.js';
import type { Canvas } from './layout.js';
import type { MediaTools, MediaToolsProbe } from './media-tools.js';
import { finishRecording, recordingDir, segmentName } from './recording-files.js';
import { freePortPairs } from './rtp-tap.js';
import { StreamRelay } from './stream-relay.js';

/** What the engine needs to know about the live rooms of this instance. */
export interface RoomView {
  /** Whether the meeting's room is live here. */
  live(conferenceId: string): boolean;
  /** Live participants by prominence: the focused one, then hosts, co-hosts, the rest. */
  prominence(conferenceId: string): string[];
  hostPresent(conferenceId: string): boolean;
  /** Tells every page in the room what is being recorded and pushed (the indicator and notice). */
  announce(conferenceId: string, state: { recording: boolean; streaming: boolean }): void;
}

/** The composite's picture: 720p at 15 frames per second (what a meeting's cameras send at most). */
export const CANVAS: Canvas = { width: 1280, height: 720 };
export const FPS = 15;
/**
 * How long StartStreamOut waits for each push's first outcome before answering it as connecting:
 * the SDK gives up on an answer after 3 s by default. A server that refuses later is seen in
 * stream_out_changed events (retrying, then failed).
 */
export const DEFAULT_OUTCOME_WAIT_MS = 2500;
/** How long StartCloudRecord waits for ffmpeg's first encoded frame, within the SDK's 3 s. */
const FIRST_FRAME_WAIT_MS = 2000;

interface Recording {
  mediaId: string;
  dir: string;
  composer: Composer;
}

interface PushGroup {
  layout: CompositeLayout;
  needHost: boolean;
  composer: Composer | undefined;
  relays: Map<string, { url: string; port: number; relay: StreamRelay | undefined; state: PushState }>;
  waitTimer: NodeJS.Timeout | undefined;
}

/**
 * Recording and stream-out on this instance, by ffmpeg processes fed from the SFU (src/media).
 * Each recording and each StartStreamOut call has its own composite (its own layout); the pushes
 * of one call share that encode and copy it to their servers.
 */
export class LocalMediaEngine implements MediaEngine {
  observer: MediaObserver | undefined;
  private readonly tools: MediaTools | undefined;
  readonly unavailable: string | undefined;
  private readonly recordings = new Map<string, Recording>();
  private readonly groups = new Map<string, PushGroup[]>();
  /** Recordings being finished (joined, cut into HLS): shutdown waits for them. */
  private readonly finishing = new Set<Promise<void>>();

  constructor(
    probe: MediaToolsProbe,
    private readonly root: string,
    private readonly sfu: Sfu,
    private readonly rooms: RoomView,
    private readonly log: Logger,
    private readonly outcomeWaitMs = DEFAULT_OUTCOME_WAIT_MS,
  ) {
    this.tools = probe.ok ? probe.tools : undefined;
    this.unavailable = probe.ok ? undefined : probe.reason;
  }

  hostsRoom(conferenceId: string): boolean {
    return this.rooms.live(conferenceId);
  }

  hostPresent(conferenceId: string): boolean {
    return this.rooms.hostPresent(conferenceId);
  }

  isRecording(conferenceId: string): boolean {
    return this.recordings.has(conferenceId);
  }

  async startRecording(conferenceId: string, mediaId: string, layout: CompositeLayout): Promise<void> {
    const tools = this.need();
    if (this.recordings.has(conferenceId)) throw new Error('already recording');
    const dir = recordingDir(this.root, conferenceId, mediaId);
    mkdirSync(dir, { recursive: true });
    const log = this.log.child({ conferenceId, mediaId });
    const composer = new Composer(this.source(conferenceId), {
      tools,
      mode: layout.mode,
      position: layout.position,
      canvas: CANVAS,
      fps: FPS,
      workDir: dir,
      output: (n) => ['-movflags', '+faststart', '-f', 'mp4', `${dir}/${segmentName(n)}`],
      log,
      failed: (why) => {
        log.error({ why }, 'recording stopped: ffmpeg keeps failing');
        void this.stopRecording(conferenceId);
      },
    });
    const recording: Recording = { mediaId, dir, composer };
    this.recordings.set(conferenceId, recording);
    try {
      await composer.start(FIRST_FRAME_WAIT_MS);
    } catch (err) {
      this.recordings.delete(conferenceId);
      await composer.stop().catch(() => undefined);
      throw err;
    }
    this.announce(conferenceId);
  }

  async stopRecording(conferenceId: string): Promise<boolean> {
    const recording = this.recordings.get(conferenceId);
    if (!recording) return false;
    this.recordings.delete(conferenceId);
    this.announce(conferenceId);
    this.observer?.recordingStopped(conferenceId, recording.mediaId);
    // The files are finished in the background: StopCloudRecord answers at once.
    const done = (async () => {
      await recording.composer.stop();
      const files = await finishRecording(this.need(), recording.dir);
      await this.observer?.recordingFinished(conferenceId, recording.mediaId, files, files ? '' : 'nothing was recorded');
    })().catch(async (err: unknown) => {
      this.log.error({ err, conferenceId, mediaId: recording.mediaId }, 'finishing a recording failed');
      await this.observer?.recordingFinished(conferenceId, recording.mediaId, undefined, (err as Error).message);
    });
    this.finishing.add(done);
    void done.finally(() => this.finishing.delete(done));
    return true;
  }

  async startPushes(conferenceId: string, layout: CompositeLayout, urls: ReadonlyArray<{ url: string; streamId: string }>, needHost: boolean): Promise<PushState[]> {
    this.need();
    const asked = Date.now();
    const ports = await freePortPairs(urls.length, [30000, 39998]);
    const group: PushGroup = { layout, needHost, composer: undefined, relays: new Map(), waitTimer: undefined };
    urls.forEach(({ url, streamId }, i) => {
      const state: PushState = { streamId, url, state: needHost ? 'waitingHost' : 'connecting', detail: '' };
      group.relays.set(streamId, { url, port: ports[i]!, relay: undefined, state });
    });
    this.groups.set(conferenceId, [...(this.groups.get(conferenceId) ?? []), group]);
    for (const { state } of group.relays.values()) this.observer?.pushChanged(conferenceId, { ...state });
    if (needHost && !this.rooms.hostPresent(conferenceId)) {
      group.waitTimer = setInterval(() => {
        if (!this.rooms.hostPresent(conferenceId)) return;
        clearInterval(group.waitTimer);
        group.waitTimer = undefined;
        this.launch(conferenceId, group).catch((err: unknown) => this.log.error({ err, conferenceId }, 'stream-out did not start'));
      }, 1000);
      group.waitTimer.unref();
    } else {
      await this.launch(conferenceId, group);
      // Each push's first outcome, within a bound: the caller learns which servers refused at once.
      await Promise.race([
        Promise.all([...group.relays.values()].map((r) => r.relay?.firstOutcome)),
        new Promise((r) => setTimeout(r, Math.max(0, this.outcomeWaitMs - (Date.now() - asked)))),
      ]);
    }
    this.announce(conferenceId);
    return [...group.relays.values()].map((r) => ({ ...r.state }));
  }

  async stopPushes(conferenceId: string, streamId: string | undefined): Promise<string[]> {
    const stopped: string[] = [];
    for (const group of this.groups.get(conferenceId) ?? []) {
      for (const [id, entry] of group.relays) {
        if (streamId !== undefined && id !== streamId) continue;
        group.relays.delete(id);
        stopped.push(id);
        await entry.relay?.stop();
        if (!entry.relay) this.setPush(conferenceId, entry.state, 'stopped', '');
      }
      if (group.relays.size === 0) await this.endGroup(group);
    }
    this.groups.set(conferenceId, (this.groups.get(conferenceId) ?? []).filter((g) => g.relays.size > 0));
    if (this.groups.get(conferenceId)?.length === 0) this.groups.delete(conferenceId);
    this.announce(conferenceId);
    return stopped;
  }

  pushes(conferenceId: string): PushState[] {
    return (this.groups.get(conferenceId) ?? []).flatMap((g) => [...g.relays.values()].map((r) => ({ ...r.state })));
  }

  async endMeeting(conferenceId: string): Promise<void> {
    await this.stopRecording(conferenceId);
    await this.stopPushes(conferenceId, undefined);
  }

  /** Every recording and push of this instance stops (shutdown); recordings are still finished first. */
  async close(): Promise<void> {
    const ids = new Set([...this.recordings.keys(), ...this.groups.keys()]);
    await Promise.all([...ids].map((id) => this.endMeeting(id)));
    await Promise.all([...this.finishing]);
  }

  private async launch(conferenceId: string, group: PushGroup): Promise<void> {
    const tools = this.need();
    const entries = [...group.relays.values()];
    const targets = entries.map((e) => `[f=mpegts]udp://127.0.0.1:${e.port}?pkt_size=1316`).join('|');
    const log = this.log.child({ conferenceId, streams: entries.map((e) => e.state.streamId) });
    group.composer = new Composer(this.source(conferenceId), {
      tools,
      mode: group.layout.mode,
      position: group.layout.position,
      canvas: CANVAS,
      fps: FPS,
      workDir: mkdtempIn(this.root, conferenceId),
      output: () => ['-f', 'tee', targets],
      log,
    });
    for (const entry of entries) {
      entry.relay = new StreamRelay(tools, entry.url, entry.port, {
        changed: (state, detail) => this.setPush(conferenceId, entry.state, state, detail),
      });
      entry.relay.start();
    }
    await group.composer.start(0);
  }

  private setPush(conferenceId: string, push: PushState, state: PushState['state'], detail: string): void {
    push.state = state;
    push.detail = detail;
    this.observer?.pushChanged(conferenceId, { ...push });
  }

  private async endGroup(group: PushGroup): Promise<void> {
    if (group.waitTimer) clearInterval(group.waitTimer);
    await group.composer?.stop();
  }

  private announce(conferenceId: string): void {
    const streaming = this.pushes(conferenceId).some((p) => p.state !== 'stopped' && p.state !== 'failed');
    this.rooms.announce(conferenceId, { recording: this.recordings.has(conferenceId), streaming });
  }

  private source(conferenceId: string): ComposerSource {
    return {
      tracks: () => this.sfu.existing(conferenceId)?.upstreamTracks() ?? [],
      prominence: () => this.rooms.prominence(conferenceId),
    };
  }

  private need(): MediaTools {
    if (!this.tools) throw new Error(this.unavailable ?? 'no media tools');
    return this.tools;
  }
}

function mkdtempIn(root: string, conferenceId: string): string {
  const dir = `${root}/${conferenceId}/stream-${Date.now().toString(36)}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}
