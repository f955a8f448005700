import { levelFromRms } from './speaking';

// Microphone level from WebAudio. One AudioContext for the page; browsers start it suspended until the
// person interacts, so it is resumed on the first click or key press.

let context: AudioContext | null = null;

export function audioContext(): AudioContext | null {
  if (context) return context;
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  context = new Ctor();
  const resume = () => {
    if (context?.state === 'suspended') void context.resume();
  };
  resume();
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, resume, { capture: true });
  return context;
}

export class AudioLevel {
  private readonly source: MediaStreamAudioSourceNode;
  private readonly analyser: AnalyserNode;
  private readonly samples: Float32Array<ArrayBuffer>;

  private constructor(ctx: AudioContext, track: MediaStreamTrack) {
    this.source = ctx.createMediaStreamSource(new MediaStream([track]));
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 1024;
    this.samples = new Float32Array(this.analyser.fftSize);
    this.source.connect(this.analyser);
  }

  static for(track: MediaStreamTrack): AudioLevel | null {
    const ctx = audioContext();
    return ctx ? new AudioLevel(ctx, track) : null;
  }

  /** Current level, 0..1. */
  read(): number {
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    return levelFromRms(Math.sqrt(sum / this.samples.length));
  }

  close(): void {
    this.source.disconnect();
    this.analyser.disconnect();
  }
}

/**
 * Samples the level of whatever the current mic track is, every `intervalMs`, and hands it to `sink`.
 * Follows track replacement (device switch) by being told the new track.
 */
export class LevelMonitor {
  private level: AudioLevel | null = null;
  private track: MediaStreamTrack | null = null;
  private readonly timer: number;

  constructor(
    private readonly sink: (level: number) => void,
    intervalMs = 50,
  ) {
    this.timer = window.setInterval(() => this.sink(this.track?.enabled && this.level ? this.level.read() : 0), intervalMs);
  }

  setTrack(track: MediaStreamTrack | null): void {
    if (track === this.track) return;
    this.level?.close();
    this.track = track;
    this.level = track ? AudioLevel.for(track) : null;
  }

  close(): void {
    window.clearInterval(this.timer);
    this.level?.close();
    this.level = null;
  }
}
