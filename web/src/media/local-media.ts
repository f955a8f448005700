// The person's own camera and microphone: acquisition with clear failure reasons, device switching,
// and on/off state. Camera off stops the track (the camera light goes out); mic off only disables it.
import { locale, t } from '../i18n/i18n.js';

export type MediaProblem = 'denied' | 'notFound' | 'inUse' | 'insecure' | 'failed';
export type Kind = 'audio' | 'video';

export interface DeviceLists {
  mics: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

export interface LocalMediaOptions {
  mic: boolean;
  camera: boolean;
  micDeviceId?: string;
  cameraDeviceId?: string;
}

type Listener = () => void;

const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24, max: 30 } };

export class LocalMedia {
  audioTrack: MediaStreamTrack | null = null;
  videoTrack: MediaStreamTrack | null = null;
  micOn: boolean;
  cameraOn: boolean;
  micProblem: MediaProblem | null = null;
  cameraProblem: MediaProblem | null = null;
  micDeviceId: string | undefined;
  cameraDeviceId: string | undefined;
  private readonly listeners = new Set<Listener>();
  private closed = false;

  constructor(options: LocalMediaOptions) {
    this.micOn = options.mic;
    this.cameraOn = options.camera;
    this.micDeviceId = options.micDeviceId;
    this.cameraDeviceId = options.cameraDeviceId;
  }

  /** Called whenever a track, an on/off state or a problem changes. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  /** Opens the microphone (always, so the level meter works and unmute is instant) and the camera if on. */
  async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.micProblem = this.cameraProblem = 'insecure';
      this.micOn = this.cameraOn = false;
      this.emit();
      return;
    }
    const wantVideo = this.cameraOn;
    try {
      // One request so the browser asks once for both.
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: this.audioConstraints(),
        video: wantVideo ? this.videoConstraints() : false,
      });
      this.adopt(stream);
    } catch {
      // Find out which of the two failed, and why.
      await Promise.all([this.acquire('audio'), wantVideo ? this.acquire('video') : Promise.resolve()]);
    }
    this.applyMicEnabled();
    this.emit();
  }

  private adopt(stream: MediaStream): void {
    if (this.closed) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    for (const track of stream.getTracks()) {
      if (track.kind === 'audio') this.setAudioTrack(track);
      else this.setVideoTrack(track);
    }
  }

  private async acquire(kind: Kind): Promise<boolean> {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(
        kind === 'audio' ? { audio: this.audioConstraints() } : { video: this.videoConstraints() },
      );
      if (kind === 'audio') this.micProblem = null;
      else this.cameraProblem = null;
      this.adopt(stream);
      return true;
    } catch (error) {
      const problem = classify(error);
      if (kind === 'audio') {
        this.micProblem = problem;
        this.micOn = false;
      } else {
        this.cameraProblem = problem;
        this.cameraOn = false;
      }
      return false;
    }
  }

  private audioConstraints(): MediaTrackConstraints {
    return this.micDeviceId ? { ...AUDIO, deviceId: { ideal: this.micDeviceId } } : AUDIO;
  }

  private videoConstraints(): MediaTrackConstraints {
    return this.cameraDeviceId ? { ...VIDEO, deviceId: { ideal: this.cameraDeviceId } } : VIDEO;
  }

  private setAudioTrack(track: MediaStreamTrack | null): void {
    if (this.audioTrack && this.audioTrack !== track) this.audioTrack.stop();
    this.audioTrack = track;
    if (track) this.micDeviceId = track.getSettings().deviceId ?? this.micDeviceId;
  }

  private setVideoTrack(track: MediaStreamTrack | null): void {
    if (this.videoTrack && this.videoTrack !== track) this.videoTrack.stop();
    this.videoTrack = track;
    if (track) {
      this.cameraDeviceId = track.getSettings().deviceId ?? this.cameraDeviceId;
      // A camera unplugged mid-meeting ends the track: show the camera as off rather than a frozen frame.
      track.addEventListener('ended', () => {
        if (this.videoTrack !== track) return;
        this.videoTrack = null;
        this.cameraOn = false;
        this.emit();
      });
    }
  }

  private applyMicEnabled(): void {
    if (this.audioTrack) this.audioTrack.enabled = this.micOn;
  }

  /** Mic on/off. Returns false when there is no microphone to turn on. */
  async setMic(on: boolean): Promise<boolean> {
    if (on && !this.audioTrack) {
      if (!(await this.acquire('audio'))) {
        this.emit();
        return false;
      }
    }
    this.micOn = on && !!this.audioTrack;
    this.applyMicEnabled();
    this.emit();
    return this.micOn === on;
  }

  /** Camera on/off. Off releases the camera entirely. */
  async setCamera(on: boolean): Promise<boolean> {
    if (on === this.cameraOn && (!on || this.videoTrack)) return true;
    if (on) {
      this.cameraOn = true;
      const ok = await this.acquire('video');
      this.cameraOn = ok;
      this.emit();
      return ok;
    }
    this.cameraOn = false;
    this.setVideoTrack(null);
    this.emit();
    return true;
  }

  async useMic(deviceId: string): Promise<void> {
    this.micDeviceId = deviceId;
    if (!navigator.mediaDevices?.getUserMedia) return;
    await this.acquire('audio');
    this.applyMicEnabled();
    this.emit();
  }

  async useCamera(deviceId: string): Promise<void> {
    this.cameraDeviceId = deviceId;
    if (!this.cameraOn) {
      this.emit();
      return;
    }
    await this.acquire('video');
    this.emit();
  }

  /** Device lists; labels are only filled in once the person has granted access. */
  async devices(): Promise<DeviceLists> {
    const all = navigator.mediaDevices?.enumerateDevices ? await navigator.mediaDevices.enumerateDevices() : [];
    const real = (d: MediaDeviceInfo) => d.deviceId !== '' && d.deviceId !== 'communications';
    return {
      mics: all.filter((d) => d.kind === 'audioinput' && real(d)),
      cameras: all.filter((d) => d.kind === 'videoinput' && real(d)),
      speakers: all.filter((d) => d.kind === 'audiooutput' && real(d)),
    };
  }

  close(): void {
    this.closed = true;
    this.setAudioTrack(null);
    this.setVideoTrack(null);
    this.listeners.clear();
  }
}

/** Problems a retry will not fix (an in-use camera may be free a moment later). */
export function isMissing(problem: MediaProblem | null): boolean {
  return problem === 'denied' || problem === 'notFound' || problem === 'insecure';
}

function classify(error: unknown): MediaProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'notFound';
    case 'NotReadableError':
    case 'AbortError':
      return 'inUse';
    default:
      return 'failed';
  }
}

/** One sentence per problem, for the pre-join screen and the room's notices. */
export function describeProblems(mic: MediaProblem | null, camera: MediaProblem | null): string | null {
  if (!mic && !camera) return null;
  if (mic === 'insecure' || camera === 'insecure') return t('media.insecure');
  if (mic === 'denied' && camera === 'denied') return t('media.bothBlocked');
  const parts: string[] = [];
  if (mic) parts.push(MIC_PROBLEM[mic]());
  if (camera) parts.push(CAMERA_PROBLEM[camera]());
  parts.push(mic ? t('media.canHear') : t('media.audioOnly'));
  // Chinese sentences run on without a space; English ones are separated by one.
  return parts.join(locale() === 'zh-CN' ? '' : ' ');
}

const MIC_PROBLEM: Record<MediaProblem, () => string> = {
  denied: () => t('media.micDenied'),
  insecure: () => t('media.micDenied'),
  notFound: () => t('media.micNotFound'),
  inUse: () => t('media.micInUse'),
  failed: () => t('media.micFailed'),
};

const CAMERA_PROBLEM: Record<MediaProblem, () => string> = {
  denied: () => t('media.cameraDenied'),
  insecure: () => t('media.cameraDenied'),
  notFound: () => t('media.cameraNotFound'),
  inUse: () => t('media.cameraInUse'),
  failed: () => t('media.cameraFailed'),
};
