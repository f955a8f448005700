import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { FRAME_SAMPLES } from './g711.js';
import { PROMPT_TEXTS, type PromptName } from './prompt-texts.js';

/** Where `npm run build:prompts` writes the recordings. */
export const promptsDir = join(packageRoot, 'dist', 'prompts');

export type Prompts = Record<PromptName, Int16Array>;

/** Reads every prompt once at start-up; a build without them cannot answer calls, so it says how to make them. */
export function loadPrompts(dir = promptsDir): Prompts {
  const prompts = {} as Prompts;
  for (const name of Object.keys(PROMPT_TEXTS) as PromptName[]) {
    const file = join(dir, `${name}.pcm`);
    if (!existsSync(file)) throw new Error(`voice prompt ${file} is missing: run \`npm run build\` (or \`npm run build:prompts\`; it needs espeak-ng and ffmpeg)`);
    const bytes = readFileSync(file);
    prompts[name] = new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 2)).slice();
  }
  return prompts;
}

/** Prompts queued for one caller, read 20 ms at a time. */
export class PromptPlayer {
  private readonly queue: Array<{ pcm: Int16Array; done?: () => void }> = [];
  private offset = 0;

  get playing(): boolean {
    return this.queue.length > 0;
  }

  /** Queues a prompt; `done` runs once it has been played to the end (not when cut short by stop()). */
  play(pcm: Int16Array, done?: () => void): void {
    this.queue.push(done ? { pcm, done } : { pcm });
  }

  /** Barge-in: the caller typed, so the menu stops talking. */
  stop(): void {
    this.queue.length = 0;
    this.offset = 0;
  }

  /** The next 20 ms of speech, or undefined when nothing is queued. */
  next(): Int16Array | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    const frame = new Int16Array(FRAME_SAMPLES);
    frame.set(head.pcm.subarray(this.offset, this.offset + FRAME_SAMPLES));
    this.offset += FRAME_SAMPLES;
    if (this.offset >= head.pcm.length) {
      this.queue.shift();
      this.offset = 0;
      head.done?.();
    }
    return frame;
  }
}
