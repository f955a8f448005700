import { imageOf, type BackgroundChoice } from './choice.js';
import { Compositor } from './compositor.js';
import { loadBackgroundImage } from './images.js';
import { loadSegmenter, type Segmenter } from './segmenter.js';

export type BackgroundStatus = 'loading' | 'ready' | 'failed';

/**
 * Segmentation runs at most this often; frames in between are painted with the latest mask. On two
 * cores this leaves room for the encoder and the rest of the meeting.
 */
const SEGMENT_EVERY_MS = 1000 / 15;
/**
 * Output sizes (longest side), largest first. Painting runs on the main thread, so when a frame takes
 * longer than the budget on average the pipeline steps down a size and stays there.
 */
const OUTPUT_SIDES = [960, 640, 480];
const PAINT_BUDGET_MS = 20;
const PAINT_SAMPLE = 30;
/** The <video> fallback's pace when requestVideoFrameCallback is missing. */
const FALLBACK_FPS = 24;

const insertable = typeof MediaStreamTrackProcessor === 'function' && typeof MediaStreamTrackGenerator === 'function' && typeof VideoFrame === 'function';

/**
 * Camera track in, processed track out (`track`): the background blurred or replaced. Chromium reads
 * and writes frames through insertable streams (not paced by rendering, so a hidden tab keeps
 * sending); other browsers go through a <video> element and canvas.captureStream. `stop()` ends all
 * work; the camera track itself belongs to the caller.
 */
export class BackgroundPipeline {
  readonly track: MediaStreamTrack;
  status: BackgroundStatus = 'loading';
  /** Person masks the model has produced (the self-view shows the count as a data attribute). */
  masks = 0;
  private readonly compositor = new Compositor();
  private segmenter: Segmenter | null = null;
  private lastSegment = 0;
  private size = 0;
  private paintMs = 0;
  private painted = 0;
  private running = true;
  private choice: BackgroundChoice = 'blur';
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly input: MediaStreamTrack,
    choice: BackgroundChoice,
    private readonly onStatus: () => void,
  ) {
    this.setChoice(choice);
    this.track = insertable ? this.runInsertable() : this.runWithVideo();
    loadSegmenter().then(
      (segmenter) => (this.segmenter = segmenter),
      () => this.setStatus('failed'),
    );
  }

  setChoice(choice: BackgroundChoice): void {
    if (choice === this.choice) return;
    this.choice = choice;
    const image = imageOf(choice);
    this.compositor.useImage = false;
    if (!image) return;
    void loadBackgroundImage(image).then(
      (img) => {
        if (this.choice !== choice) return;
        this.compositor.image = img;
        this.compositor.useImage = true;
      },
      // A picture that failed to load leaves the blur in its place.
      () => undefined,
    );
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const cleanup of this.cleanups) cleanup();
    this.track.stop();
  }

  private setStatus(status: BackgroundStatus): void {
    if (this.status === status) return;
    this.status = status;
    if (this.running) this.onStatus();
  }

  /** One camera frame: maybe start segmenting it, then paint the output with the latest mask. */
  private paint(frame: CanvasImageSource, sourceWidth: number, sourceHeight: number): void {
    const scale = Math.min(1, OUTPUT_SIDES[this.size]! / Math.max(sourceWidth, sourceHeight));
    // Even sizes: video encoders work on 2x2 blocks.
    const width = Math.max(2, Math.round((sourceWidth * scale) / 2) * 2);
    const height = Math.max(2, Math.round((sourceHeight * scale) / 2) * 2);
    this.compositor.load(frame, sourceWidth, sourceHeight, width, height);
    const segmenter = this.segmenter;
    const now = performance.now();
    if (segmenter && !segmenter.busy && now - this.lastSegment >= SEGMENT_EVERY_MS) {
      this.lastSegment = now;
      const small = this.compositor.segmentInput();
      let delivered = false;
      const take = (mask: CanvasImageSource) => {
        if (!this.running) return;
        this.compositor.takeMask(mask);
        delivered = true;
      };
      segmenter.segment(small, take).then(
        () => {
          if (!delivered) return;
          this.masks++;
          this.setStatus('ready');
        },
        () => this.setStatus('failed'),
      );
    }
    this.compositor.draw();
  }

  /** Time spent on one frame, up to the point its pixels were read back; steps down when too slow. */
  private measure(ms: number): void {
    this.paintMs += ms;
    if (++this.painted < PAINT_SAMPLE) return;
    if (this.paintMs / this.painted > PAINT_BUDGET_MS && this.size < OUTPUT_SIDES.length - 1) this.size++;
    this.paintMs = this.painted = 0;
  }

  private runInsertable(): MediaStreamTrack {
    const processor = new MediaStreamTrackProcessor({ track: this.input });
    const generator = new MediaStreamTrackGenerator({ kind: 'video' });
    const reader = processor.readable.getReader();
    const writer = generator.writable.getWriter();
    this.cleanups.push(() => void reader.cancel().catch(() => undefined));
    const loop = async () => {
      while (this.running) {
        const { value: frame, done } = await reader.read();
        if (done || !frame) break;
        try {
          if (!this.running) break;
          const started = performance.now();
          this.paint(frame, frame.displayWidth, frame.displayHeight);
          // The canvas work is flushed here, when the new frame reads the pixels.
          const out = new VideoFrame(this.compositor.canvas, { timestamp: frame.timestamp });
          this.measure(performance.now() - started);
          await writer.write(out).finally(() => out.close());
        } finally {
          frame.close();
        }
      }
    };
    loop().catch(() => undefined);
    return generator;
  }

  private runWithVideo(): MediaStreamTrack {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([this.input]);
    void video.play().catch(() => undefined);
    const track = this.compositor.canvas.captureStream().getVideoTracks()[0]!;
    let timer = 0;
    const tick = () => {
      if (!this.running) return;
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
        const started = performance.now();
        this.paint(video, video.videoWidth, video.videoHeight);
        this.measure(performance.now() - started);
      }
      if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(tick);
      else timer = window.setTimeout(tick, 1000 / FALLBACK_FPS);
    };
    tick();
    this.cleanups.push(() => {
      window.clearTimeout(timer);
      video.srcObject = null;
    });
    return track;
  }
}
