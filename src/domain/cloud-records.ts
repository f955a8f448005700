import type { EventRecorder } from './events.js';
import { MeetingStatus, type Meeting, type Member } from './meeting.js';
import type { CloudRecord, CloudRecordStore, CompositeLayout, CompositeMode, CompositePosition, DirectoryRepository, MediaEngine, MediaObserver, MeetingRepository, PushState } from './ports/index.js';
import { Rejection } from './rejection.js';
import { randomHex } from './secrets.js';

/** The one region of a vconf deployment, as QueryCloudRecordVideo names it (regionId). */
export const REGION_ID = 'vconf-local';
/** StartStreamOut takes at most this many URLs (spec §e.3). */
export const MAX_STREAM_URLS = 10;

const MODES: readonly string[] = ['grid', 'speech', 'full_screen'];
const POSITIONS: readonly string[] = ['relative_right', 'float_right', 'float_bottom'];

export interface StartStreamRequest {
  unionId: string;
  mode: string;
  needHostJoin: boolean;
  smallWindowPosition: string;
  streamName: string;
  streamUrlList: readonly string[];
}

export interface CloudRecordDeps {
  meetings: MeetingRepository;
  directory: DirectoryRepository;
  records: CloudRecordStore;
  engine: MediaEngine;
  events?: EventRecorder;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * Cloud recording and stream-out (issue 12): the host starts and stops them; recording files are
 * listed and played afterwards. The media work is the engine's (src/media); this service checks
 * the rules first, keeps the records and reports every change as an event.
 */
export class CloudRecordService implements MediaObserver {
  constructor(private readonly deps: CloudRecordDeps) {}

  /** StartCloudRecord. */
  async start(corpId: string, conferenceId: string, unionId: string, mode: string | undefined, position: string | undefined): Promise<void> {
    this.available();
    const layout = parseLayout(mode, position);
    const { meeting, members } = await this.meeting(corpId, conferenceId);
    await this.requireHost(meeting, members, unionId);
    const { engine } = this.deps;
    if (!engine.hostsRoom(conferenceId)) throw new Rejection('badCommand', 'nobody is in the meeting on this server');
    if (engine.isRecording(conferenceId)) throw new Rejection('badCommand', 'the meeting is already being recorded');
    const earlier = await this.deps.records.ofMeeting(conferenceId);
    const record: CloudRecord = {
      mediaId: randomHex(16),
      // One recordId for all files of a meeting (spec §e.3).
      recordId: earlier[0]?.recordId ?? randomHex(12),
      conferenceId,
      corpId,
      unionId,
      mode: layout.mode,
      position: layout.position,
      status: 'recording',
      startTime: Date.now(),
      endTime: null,
      duration: null,
      fileSize: null,
      failure: null,
    };
    await this.deps.records.insert(record);
    try {
      await engine.startRecording(conferenceId, record.mediaId, layout);
    } catch (err) {
      // A failed request leaves nothing behind.
      await this.deps.records.remove(record.mediaId);
      throw new Rejection('badCommand', `the recording could not start: ${(err as Error).message}`);
    }
    await this.deps.events?.media(conferenceId, 'cloud_record_started', { cloudRecordModel: cloudRecordModel(record) });
  }

  /** StopCloudRecord: the meeting goes on; the file is finished in the background. */
  async stop(corpId: string, conferenceId: string, unionId: string): Promise<void> {
    this.available();
    const { meeting, members } = await this.meeting(corpId, conferenceId);
    await this.requireHost(meeting, members, unionId);
    if (!(await this.deps.engine.stopRecording(conferenceId))) throw new Rejection('badCommand', 'the meeting is not being recorded on this server');
  }

  /** QueryCloudRecordVideo: the meeting's finished files. */
  async videos(corpId: string, conferenceId: string, unionId: string): Promise<CloudRecord[]> {
    const { meeting, members } = await this.meeting(corpId, conferenceId, true);
    await this.requireReader(meeting, members, unionId);
    const ready = (await this.deps.records.ofMeeting(conferenceId)).filter((r) => r.status === 'ready');
    if (ready.length === 0) throw new Rejection('nothingRecorded', 'the meeting has no recording');
    return ready;
  }

  /** QueryCloudRecordVideoPlayInfo: one finished file. */
  async video(corpId: string, conferenceId: string, mediaId: string, regionId: string, unionId: string): Promise<CloudRecord> {
    const { meeting, members } = await this.meeting(corpId, conferenceId, true);
    await this.requireReader(meeting, members, unionId);
    const record = await this.deps.records.find(mediaId);
    if (!record || record.conferenceId !== conferenceId || regionId !== REGION_ID || record.status !== 'ready') {
      throw new Rejection('nothingRecorded', `no finished recording ${mediaId} in region ${regionId}`);
    }
    return record;
  }

  /**
   * QueryConferenceInfo's recording state (spec §e.1): cloudRecordStatus 1 while recording, 3 once
   * a recording finished, 0 when never recorded; the owner is who started the current or last one.
   */
  async status(conferenceId: string): Promise<{ cloudRecordStatus: number; cloudRecordOwnerUnionId?: string }> {
    const records = (await this.deps.records.ofMeeting(conferenceId)).filter((r) => r.status !== 'failed');
    const last = records.at(-1);
    if (!last) return { cloudRecordStatus: 0 };
    return { cloudRecordStatus: last.status === 'recording' ? 1 : 3, cloudRecordOwnerUnionId: last.unionId };
  }

  /** A recording file by its mediaId (for its signed links). */
  record(mediaId: string): Promise<CloudRecord | undefined> {
    return this.deps.records.find(mediaId);
  }

  /** StartStreamOut: the URLs that are pushed to, and why the others are not. */
  async startStream(corpId: string, conferenceId: string, req: StartStreamRequest): Promise<{ success: Record<string, string>; fail: Record<string, string> }> {
    this.available();
    const layout = parseLayout(req.mode, req.smallWindowPosition);
    if (!req.streamName.trim()) throw new Rejection('invalidParams', 'streamName is required');
    const urls = [...new Set(req.streamUrlList.map((u) => u.trim()))];
    if (urls.length === 0) throw new Rejection('invalidParams', 'streamUrlList is empty');
    if (urls.length > MAX_STREAM_URLS) throw new Rejection('invalidParams', `streamUrlList takes at most ${MAX_STREAM_URLS} URLs`);
    const { meeting, members } = await this.meeting(corpId, conferenceId);
    await this.requireHost(meeting, members, req.unionId);
    if (!this.deps.engine.hostsRoom(conferenceId)) throw new Rejection('badCommand', 'nobody is in the meeting on this server');
    const fail: Record<string, string> = {};
    const valid: Array<{ url: string; streamId: string }> = [];
    for (const url of urls) {
      const problem = rtmpProblem(url);
      if (problem) fail[url] = problem;
      else valid.push({ url, streamId: randomHex(8) });
    }
    const success: Record<string, string> = {};
    if (valid.length > 0) {
      const states = await this.deps.engine.startPushes(conferenceId, layout, valid, req.needHostJoin);
      for (const s of states) {
        if (s.state === 'failed' || s.state === 'retrying') {
          // A server that refused the first attempt is not retried: the caller hears about it now.
          await this.deps.engine.stopPushes(conferenceId, s.streamId);
          fail[s.url] = s.detail || 'the RTMP server could not be reached';
        } else success[s.url] = s.streamId;
      }
    }
    return { success, fail };
  }

  /** StopStreamOut: one push by its streamId, or all of them. */
  async stopStream(corpId: string, conferenceId: string, unionId: string, streamId: string, all: boolean): Promise<void> {
    this.available();
    const { meeting, members } = await this.meeting(corpId, conferenceId);
    await this.requireHost(meeting, members, unionId);
    if (!all && !streamId.trim()) throw new Rejection('invalidParams', 'streamId is required unless stopAllStream is true');
    const stopped = await this.deps.engine.stopPushes(conferenceId, all ? undefined : streamId);
    if (!all && stopped.length === 0) throw new Rejection('invalidParams', `no stream ${streamId} in this meeting`);
  }

  // MediaObserver: the engine's reports become records and events.

  recordingStopped(conferenceId: string, mediaId: string): void {
    this.background(async () => {
      await this.deps.records.update(mediaId, { status: 'processing', endTime: Date.now() });
      const record = await this.deps.records.find(mediaId);
      if (record) await this.deps.events?.media(conferenceId, 'cloud_record_stopped', { cloudRecordModel: cloudRecordModel(record) });
    });
  }

  recordingFinished(conferenceId: string, mediaId: string, files: { duration: number; fileSize: number } | undefined, why: string): Promise<void> {
    return this.background(async () => {
      if (files) await this.deps.records.update(mediaId, { status: 'ready', duration: files.duration, fileSize: files.fileSize });
      else await this.deps.records.update(mediaId, { status: 'failed', failure: why });
      const record = await this.deps.records.find(mediaId);
      if (record) await this.deps.events?.media(conferenceId, files ? 'cloud_record_ready' : 'cloud_record_failed', { cloudRecordModel: cloudRecordModel(record) });
    });
  }

  pushChanged(conferenceId: string, push: PushState): void {
    this.background(() => this.deps.events?.media(conferenceId, 'stream_out_changed', { streamOutModel: { ...push } }) ?? Promise.resolve());
  }

  private background(run: () => Promise<void>): Promise<void> {
    return run().catch((err: unknown) => this.deps.log?.warn({ err }, 'recording record or event failed'));
  }

  private available(): void {
    const why = this.deps.engine.unavailable;
    if (why !== undefined) throw new Rejection('unavailable', why);
  }

  private async meeting(corpId: string, conferenceId: string, endedToo = false): Promise<{ meeting: Meeting; members: Member[] }> {
    const meeting = await this.deps.meetings.find(conferenceId);
    if (!meeting) throw new Rejection('notFound', `conference ${conferenceId} does not exist`);
    if (meeting.corpId !== corpId) throw new Rejection('orgForbidden');
    if (!endedToo && meeting.status === MeetingStatus.ended) throw new Rejection('ended');
    return { meeting, members: await this.deps.meetings.members(conferenceId) };
  }

  /** Only a host starts and stops recording and pushes: the organizer or a member who is host now. */
  private async requireHost(meeting: Meeting, members: Member[], unionId: string): Promise<void> {
    if (!unionId.trim()) throw new Rejection('invalidParams', 'unionId is required');
    if (meeting.creatorUnionId === unionId || members.some((m) => m.host && m.unionId === unionId)) return;
    if ((await this.deps.directory.findUsers([unionId])).length === 0) throw new Rejection('unknownUser', unionId);
    throw new Rejection('notAllowed', 'only the host may do this');
  }

  /** Recordings are read by the people of the meeting: its organizer and its members. */
  private async requireReader(meeting: Meeting, members: Member[], unionId: string): Promise<void> {
    if (!unionId.trim()) throw new Rejection('invalidParams', 'unionId is required');
    if (meeting.creatorUnionId === unionId || members.some((m) => m.unionId === unionId)) return;
    if ((await this.deps.directory.findUsers([unionId])).length === 0) throw new Rejection('unknownUser', unionId);
    throw new Rejection('notAllowed', 'only the people of the meeting may read its recordings');
  }
}

/** A layout from the API's words; absent ones default to grid beside-the-main. The docs' own example misspells grid as "grip". */
function parseLayout(mode: string | undefined, position: string | undefined): CompositeLayout {
  const m = !mode ? 'grid' : mode === 'grip' ? 'grid' : mode;
  const p = position || 'relative_right';
  if (!MODES.includes(m)) throw new Rejection('invalidParams', `mode must be one of ${MODES.join(', ')}`);
  if (!POSITIONS.includes(p)) throw new Rejection('invalidParams', `smallWindowPosition must be one of ${POSITIONS.join(', ')}`);
  return { mode: m as CompositeMode, position: p as CompositePosition };
}

/** Why a push URL cannot be used; undefined when it is an rtmp:// or rtmps:// URL with a host. */
export function rtmpProblem(url: string): string | undefined {
  if (!/^rtmps?:\/\//i.test(url)) return 'the URL must start with rtmp:// or rtmps://';
  if (url.length > 2048 || /[\s"'|\\]/.test(url)) return 'the URL has characters that are not allowed';
  try {
    const u = new URL(url);
    if (!u.hostname) return 'the URL has no host';
  } catch {
    return 'the URL is not well formed';
  }
  return undefined;
}

/** What events say about a recording file. */
export function cloudRecordModel(r: CloudRecord): Record<string, unknown> {
  return {
    recordId: r.recordId,
    mediaId: r.mediaId,
    regionId: REGION_ID,
    unionId: r.unionId,
    mode: r.mode,
    status: r.status,
    startTime: r.startTime,
    ...(r.endTime !== null ? { endTime: r.endTime } : {}),
    ...(r.duration !== null ? { duration: r.duration } : {}),
    ...(r.fileSize !== null ? { fileSize: r.fileSize } : {}),
  };
}
