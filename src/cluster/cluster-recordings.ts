import type { CloudRecordService, StartStreamRequest } from '../domain/cloud-records.js';
import type { MediaOp, MediaOutcome, RoomDirectory, SignalBus } from '../domain/ports/cluster.js';
import { Rejection, type RejectionReason } from '../domain/rejection.js';

/**
 * How long a recording or stream-out call waits for the hosting instance: starting waits for
 * ffmpeg's first frame and the pushes' first outcome, which take seconds on a loaded machine.
 */
const MEDIA_TIMEOUT_MS = 30_000;

/** The operations that need the room's media, so run where the room is hosted. */
export type RecordingControls = Pick<CloudRecordService, 'start' | 'stop' | 'startStream' | 'stopStream'>;

/** Runs a media operation on this instance's service; whatever happens becomes a JSON answer. */
export async function applyMediaOp(local: RecordingControls, op: MediaOp): Promise<MediaOutcome> {
  try {
    return { ok: true, value: (await run(local, op)) ?? null };
  } catch (err) {
    if (err instanceof Rejection) return { ok: false, reason: err.reason, detail: err.detail };
    return { ok: false, failure: err instanceof Error ? err.message : String(err) };
  }
}

function run(local: RecordingControls, op: MediaOp): Promise<unknown> {
  switch (op.name) {
    case 'startRecord':
      return local.start(op.corpId, op.conferenceId, op.unionId, op.mode, op.position);
    case 'stopRecord':
      return local.stop(op.corpId, op.conferenceId, op.unionId);
    case 'startStream':
      return local.startStream(op.corpId, op.conferenceId, op.req);
    case 'stopStream':
      return local.stopStream(op.corpId, op.conferenceId, op.unionId, op.streamId, op.all);
  }
}

/**
 * Recording and stream-out wherever the API call arrives: the instance hosting the meeting's room
 * has the media, so it runs the whole operation (rules, records, ffmpeg) and this instance answers
 * with its result or its rejection, exactly as if the call had been local. A room hosted nowhere,
 * or whose host does not answer, is handled here (which then says nobody is in the meeting).
 */
export class ClusterRecordings implements RecordingControls {
  constructor(
    private readonly self: string,
    private readonly rooms: RoomDirectory,
    private readonly bus: SignalBus,
    private readonly local: RecordingControls,
  ) {}

  async start(corpId: string, conferenceId: string, unionId: string, mode: string | undefined, position: string | undefined): Promise<void> {
    await this.route({ name: 'startRecord', corpId, conferenceId, unionId, mode, position });
  }

  async stop(corpId: string, conferenceId: string, unionId: string): Promise<void> {
    await this.route({ name: 'stopRecord', corpId, conferenceId, unionId });
  }

  async startStream(corpId: string, conferenceId: string, req: StartStreamRequest): Promise<{ success: Record<string, string>; fail: Record<string, string> }> {
    return (await this.route({ name: 'startStream', corpId, conferenceId, req })) as { success: Record<string, string>; fail: Record<string, string> };
  }

  async stopStream(corpId: string, conferenceId: string, unionId: string, streamId: string, all: boolean): Promise<void> {
    await this.route({ name: 'stopStream', corpId, conferenceId, unionId, streamId, all });
  }

  private async route(op: MediaOp): Promise<unknown> {
    const host = await this.rooms.hostOf(op.conferenceId);
    const reply = host && host !== this.self ? await this.bus.ask(host, { kind: 'media', op }, MEDIA_TIMEOUT_MS) : undefined;
    const outcome = reply?.value as MediaOutcome | undefined;
    if (!outcome || typeof outcome !== 'object') return run(this.local, op);
    if (outcome.ok) return outcome.value;
    if ('reason' in outcome) throw new Rejection(outcome.reason as RejectionReason, outcome.detail);
    throw new Error(`the instance hosting the meeting failed: ${outcome.failure}`);
  }
}
