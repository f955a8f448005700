import { SEGMENT_HEIGHT, SEGMENT_WIDTH } from './segmenter.js';

/** The background is blurred at a quarter of the frame size: the blur is then cheap and still strong. */
const SOFT_SCALE = 4;
const SOFT_BLUR = 'blur(4px)';

/**
 * Paints each camera frame onto an output canvas: the person (where the latest mask says so) over a
 * blurred copy of the frame or over a chosen picture. Until a first mask exists the whole frame is
 * blurred, so turning an effect on never shows the room behind the person unblurred.
 */
export class Compositor {
  readonly canvas = document.createElement('canvas');
  private readonly ctx: CanvasRenderingContext2D;
  /** The camera frame as RGB at the output size: a camera frame is converted once, then reused. */
  private readonly frameCanvas = document.createElement('canvas');
  private readonly frameCtx: CanvasRenderingContext2D;
  private readonly segmentCanvas = document.createElement('canvas');
  private readonly segmentCtx: CanvasRenderingContext2D;
  private readonly maskCanvas = document.createElement('canvas');
  private readonly maskCtx: CanvasRenderingContext2D;
  private readonly softCanvas = document.createElement('canvas');
  private readonly softCtx: CanvasRenderingContext2D;
  private hasMask = false;
  /** The picture behind the person, or null to blur the real background. */
  image: HTMLImageElement | null = null;
  /** Whether the picture is shown: false while it loads (blur meanwhile). */
  useImage = false;

  constructor() {
    this.ctx = context(this.canvas);
    this.frameCtx = context(this.frameCanvas);
    this.segmentCanvas.width = this.maskCanvas.width = SEGMENT_WIDTH;
    this.segmentCanvas.height = this.maskCanvas.height = SEGMENT_HEIGHT;
    this.segmentCtx = context(this.segmentCanvas);
    this.maskCtx = context(this.maskCanvas);
    this.softCtx = context(this.softCanvas);
  }

  /**
   * Takes in one camera frame at the output size (width x height). Converting a camera frame is the
   * costly step, so it happens once; segmentInput and draw then work from the copy.
   */
  load(frame: CanvasImageSource, sourceWidth: number, sourceHeight: number, width: number, height: number): void {
    for (const canvas of [this.canvas, this.frameCanvas]) {
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
    }
    this.frameCtx.drawImage(frame, 0, 0, sourceWidth, sourceHeight, 0, 0, width, height);
  }

  /** The loaded frame scaled down to the model's input size (reused: segment one frame at a time). */
  segmentInput(): HTMLCanvasElement {
    this.segmentCtx.drawImage(this.frameCanvas, 0, 0, SEGMENT_WIDTH, SEGMENT_HEIGHT);
    return this.segmentCanvas;
  }

  /** Keeps a copy of the newest mask (the model's own buffer is reused for the next frame). */
  takeMask(mask: CanvasImageSource): void {
    this.maskCtx.globalCompositeOperation = 'copy';
    this.maskCtx.drawImage(mask, 0, 0, SEGMENT_WIDTH, SEGMENT_HEIGHT);
    this.hasMask = true;
  }

  /** Paints the output frame from the loaded one. */
  draw(): void {
    const { width, height } = this.canvas;
    const frame = this.frameCanvas;
    const ctx = this.ctx;
    if (!this.hasMask) {
      ctx.globalCompositeOperation = 'copy';
      this.drawBlurred(frame, width, height);
    } else {
      // Person: the mask's alpha, then the frame kept only where the mask is.
      ctx.globalCompositeOperation = 'copy';
      ctx.drawImage(this.maskCanvas, 0, 0, width, height);
      ctx.globalCompositeOperation = 'source-in';
      ctx.drawImage(frame, 0, 0, width, height);
      // Background: behind whatever the person layer left transparent.
      ctx.globalCompositeOperation = 'destination-over';
      if (this.useImage && this.image) this.drawCover(this.image, width, height);
      else this.drawBlurred(frame, width, height);
    }
    ctx.globalCompositeOperation = 'source-over';
  }

  private drawBlurred(frame: CanvasImageSource, width: number, height: number): void {
    const w = Math.max(1, Math.round(width / SOFT_SCALE));
    const h = Math.max(1, Math.round(height / SOFT_SCALE));
    if (this.softCanvas.width !== w || this.softCanvas.height !== h) {
      this.softCanvas.width = w;
      this.softCanvas.height = h;
    }
    // The sharp small frame underneath: near the edges the blur fades out (it averages in the
    // transparent outside), and this keeps the border from going dark.
    this.softCtx.filter = 'none';
    this.softCtx.globalCompositeOperation = 'copy';
    this.softCtx.drawImage(frame, 0, 0, width, height, 0, 0, w, h);
    this.softCtx.globalCompositeOperation = 'source-over';
    this.softCtx.filter = SOFT_BLUR;
    this.softCtx.drawImage(this.softCanvas, 0, 0);
    this.softCtx.filter = 'none';
    this.ctx.drawImage(this.softCanvas, 0, 0, width, height);
  }

  /** The picture scaled to cover the frame, centred, like CSS object-fit: cover. */
  private drawCover(image: HTMLImageElement, width: number, height: number): void {
    const scale = Math.max(width / image.naturalWidth, height / image.naturalHeight);
    const sw = width / scale;
    const sh = height / scale;
    this.ctx.drawImage(image, (image.naturalWidth - sw) / 2, (image.naturalHeight - sh) / 2, sw, sh, 0, 0, width, height);
  }
}

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d canvas');
  return ctx;
}
