/** ffprobe / ffmpeg checks of recorded media: streams, duration, picture content, loudness. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
}

export async function probe(file: string): Promise<{ streams: ProbedStream[]; duration: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height:format=duration', '-of', 'json', file]);
  const out = JSON.parse(stdout) as { streams: ProbedStream[]; format: { duration: string } };
  return { streams: out.streams, duration: Number(out.format.duration) };
}

/**
 * One frame at `seconds`, shrunk to 64×36, as the mean of its RGB channels (0–255) per pixel, row by
 * row. RGB rather than luma: Chromium's fake camera paints only luma over zero chroma, which shows
 * green at a luma near black.
 */
export async function greyFrame(file: string, seconds: number): Promise<Uint8Array> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1', '-vf', 'scale=64:36', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 1 << 20 },
  );
  const rgb = stdout as unknown as Buffer;
  const out = new Uint8Array(64 * 36);
  for (let i = 0; i < out.length; i++) out[i] = Math.round((rgb[3 * i]! + rgb[3 * i + 1]! + rgb[3 * i + 2]!) / 3);
  return out;
}

/** Mean grey level of the part of a 64×36 frame between columns [x0, x1) and rows [y0, y1). */
export function meanLevel(frame: Uint8Array, x0: number, x1: number, y0 = 0, y1 = 36): number {
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      sum += frame[y * 64 + x]!;
      n++;
    }
  }
  return sum / n;
}

/**
 * The share of frames in [start, start + seconds) of one region (ffmpeg's crop=w:h:x:y) that differ
 * from every frame before them: about 1 for a picture that moves each frame, near 0 for a frozen one.
 */
export async function distinctFrameShare(file: string, start: number, seconds: number, crop: string): Promise<number> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-ss', String(start), '-t', String(seconds), '-i', file, '-map', '0:v:0', '-vf', `crop=${crop}`, '-fps_mode', 'passthrough', '-f', 'framemd5', '-'], { maxBuffer: 1 << 22 });
  const hashes = stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop()!.trim());
  return hashes.length === 0 ? 0 : new Set(hashes).size / hashes.length;
}

/** ffmpeg volumedetect's mean volume of the audio, in dB (about -91 for digital silence). */
export async function meanVolume(file: string): Promise<number> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-']);
  const m = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(stderr);
  return m && m[1] !== '-inf' ? Number(m[1]) : -Infinity;
}
