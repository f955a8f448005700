/** What the recording and stream-out rules need from the media side (src/media implements it). */

export type CompositeMode = 'grid' | 'speech' | 'full_screen';
export type CompositePosition = 'relative_right' | 'float_right' | 'float_bottom';

export interface CompositeLayout {
  mode: CompositeMode;
  position: CompositePosition;
}

/** A stream-out push as the room and events show it. */
export interface PushState {
  streamId: string;
  url: string;
  state: 'waitingHost' | 'connecting' | 'live' | 'retrying' | 'failed' | 'stopped';
  detail: string;
}

/** Told by the media side as recordings and pushes change (the domain turns them into records, events and room notices). */
export interface MediaObserver {
  /** A recording ended (StopCloudRecord, the room closed, the meeting ended); its files are being finished. */
  recordingStopped(conferenceId: string, mediaId: string): void;
  recordingFinished(conferenceId: string, mediaId: string, files: { duration: number; fileSize: number } | undefined, why: string): Promise<void>;
  pushChanged(conferenceId: string, push: PushState): void;
}

export interface MediaEngine {
  /** Why recording and stream-out cannot run here (no usable ffmpeg); undefined when they can. */
  readonly unavailable: string | undefined;
  /** Whether the meeting's live room (its media) is on this instance. */
  hostsRoom(conferenceId: string): boolean;
  /** The participantId of a live member who is a host, if any. */
  hostPresent(conferenceId: string): boolean;
  isRecording(conferenceId: string): boolean;
  /** Starts composing the meeting into the recording's directory; resolves once ffmpeg runs. */
  startRecording(conferenceId: string, mediaId: string, layout: CompositeLayout): Promise<void>;
  /** Ends the current recording; its files are finished in the background (recordingFinished). */
  stopRecording(conferenceId: string): Promise<boolean>;
  /** Starts pushing to these URLs; resolves with each push's first outcome (or 'connecting' after a bounded wait). */
  startPushes(conferenceId: string, layout: CompositeLayout, urls: ReadonlyArray<{ url: string; streamId: string }>, needHost: boolean): Promise<PushState[]>;
  /** Stops one push (by streamId) or all; the ids that were stopped. */
  stopPushes(conferenceId: string, streamId: string | undefined): Promise<string[]>;
  pushes(conferenceId: string): PushState[];
  /** The meeting ended or its room closed here: everything of it stops. */
  endMeeting(conferenceId: string): Promise<void>;
}

/** One recording file (migration 015). */
export interface CloudRecord {
  mediaId: string;
  recordId: string;
  conferenceId: string;
  corpId: string;
  /** Who started it (the host's unionId). */
  unionId: string;
  mode: CompositeMode;
  position: CompositePosition;
  status: 'recording' | 'processing' | 'ready' | 'failed';
  startTime: number;
  endTime: number | null;
  duration: number | null;
  fileSize: number | null;
  failure: string | null;
}

export interface CloudRecordStore {
  insert(record: CloudRecord): Promise<void>;
  update(mediaId: string, patch: Partial<Pick<CloudRecord, 'status' | 'endTime' | 'duration' | 'fileSize' | 'failure'>>): Promise<void>;
  find(mediaId: string): Promise<CloudRecord | undefined>;
  /** A recording that never started leaves no row. */
  remove(mediaId: string): Promise<void>;
  /** The meeting's files, oldest first. */
  ofMeeting(conferenceId: string): Promise<CloudRecord[]>;
}
