import { BackgroundPipeline, type BackgroundStatus } from './background/pipeline.js';
import type { BackgroundChoice } from './background/choice.js';
import { locale, t } from '../i18n/i18n.js';

// The person's own camera and microphone: acquisition with clear failure reasons, device switching,
// and on/off state. Camera off stops the track (the camera light goes out); mic off only disables it.
// With a background effect on, `videoTrack` is the processed track, and the camera feeds it.

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
  background?: BackgroundChoice;
  noiseSuppression?: boolean;
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
  background: BackgroundChoice;
  noiseSuppression: boolean;
  /** The camera's own track; `videoTrack` is this one, or the background pipeline's output. */
  private camera: MediaStreamTrack | null = null;
  private pipeline: BackgroundPipeline | null = null;
  private readonly listeners = new Set<Listener>();
  private closed = false;

  constructor(options: LocalMediaOptions) {
    this.micOn = options.mic;
    this.cameraOn = options.camera;
    this.micDeviceId = options.micDeviceId;
    this.cameraDeviceId = options.cameraDeviceId;
    this.background = options.background ?? 'off';
    this.noiseSuppression = options.noiseSuppression ?? true;
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
    const audio = { ...AUDIO, noiseSuppression: this.noiseSuppression };
    return this.micDeviceId ? { ...audio, deviceId: { ideal: this.micDeviceId } } : audio;
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
    if (this.camera && this.camera !== track) this.camera.stop();
    this.camera = track;
    if (track) {
      this.cameraDeviceId = track.getSettings().deviceId ?? this.cameraDeviceId;
      // A camera unplugged mid-meeting ends the track: show the camera as off rather than a frozen frame.
      track.addEventListener('ended', () => {
        if (this.camera !== track) return;
        this.camera = null;
        this.cameraOn = false;
        this.applyBackground();
        this.emit();
      });
    }
    this.applyBackground();
  }

  /**
   * Runs the background pipeline while there is a camera and an effect: a new camera track gets a new
   * pipeline, camera off or effect off stops it (no segmentation work without a picture to send).
   */
  private applyBackground(): void {
    const camera = this.background !== 'off' ? this.camera : null;
    if (this.pipeline && this.pipeline.input !== camera) {
      this.pipeline.stop();
      this.pipeline = null;
    }
    if (camera && !this.pipeline) this.pipeline = new BackgroundPipeline(camera, this.background, () => this.emit());
    else this.pipeline?.setChoice(this.background);
    this.videoTrack = this.pipeline?.track ?? this.camera;
  }

  /** Off, blur or a picture; the processed track replaces the camera's wherever it is shown or sent. */
  setBackground(choice: BackgroundChoice): void {
    if (choice === this.background) return;
    this.background = choice;
    this.applyBackground();
    this.emit();
  }

  /** 'off' without an effect or camera; otherwise whether the model is loading, working or failed. */
  get backgroundStatus(): 'off' | BackgroundStatus {
    return this.pipeline?.status ?? 'off';
  }

  /** How many person masks the running pipeline has produced. */
  get backgroundMasks(): number {
    return this.pipeline?.masks ?? 0;
  }

  /**
   * The browser's noise suppression on the microphone. Where the browser cannot change it on a live
   * track, the microphone is opened again with the new setting.
   */
  async setNoiseSuppression(on: boolean): Promise<void> {
    this.noiseSuppression = on;
    const track = this.audioTrack;
    if (track) {
      await track.applyConstraints(this.audioConstraints()).catch(() => undefined);
      if (track.getSettings().noiseSuppression !== on && this.audioTrack === track) {
        // A device's processing is fixed while a track holds it open (a second track would share
        // it): release the microphone, then open it again.
        track.stop();
        await this.acquire('audio');
        this.applyMicEnabled();
      }
    }
    this.emit();
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
