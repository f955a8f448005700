import { FRAME_SAMPLES } from './g711.js';

/** Most audio one source may hold before the oldest is dropped (keeps a late stream from lagging for ever). */
const MAX_FRAMES = 8;
/** After running dry, a source waits for this many frames before it is heard again (a small jitter buffer). */
const PRIME_FRAMES = 2;

/** One source's 20 ms frames between arrival and the mixer's clock. */
export class FrameQueue {
  private readonly frames: Int16Array[] = [];
  private primed = false;

  push(frame: Int16Array): void {
    this.frames.push(frame.length === FRAME_SAMPLES ? frame : fit(frame));
    if (this.frames.length > MAX_FRAMES) this.frames.shift();
  }

  /** The frame due now, or undefined (silence) while the queue is dry or priming. */
  take(): Int16Array | undefined {
    if (!this.primed) {
      if (this.frames.length < PRIME_FRAMES) return undefined;
      this.primed = true;
    }
    const frame = this.frames.shift();
    if (!frame) this.primed = false;
    return frame;
  }
}

function fit(frame: Int16Array): Int16Array {
  const out = new Int16Array(FRAME_SAMPLES);
  out.set(frame.subarray(0, FRAME_SAMPLES));
  return out;
}
