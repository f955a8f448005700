import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from './ffmpeg-process.js';
import type { MediaTools } from './media-tools.js';

/** Where one recording's files live: `<recordings>/<conferenceId>/<mediaId>/`. */
export function recordingDir(root: string, conferenceId: string, mediaId: string): string {
  return join(root, conferenceId, mediaId);
}

export const MP4_NAME = 'video.mp4';
export const HLS_DIR = 'hls';
export const HLS_PLAYLIST = 'index.m3u8';

export const segmentName = (n: number) => `segment-${String(n).padStart(4, '0')}.mp4`;

export interface FinishedFiles {
  /** Milliseconds of video in the MP4. */
  duration: number;
  fileSize: number;
}

/** Seconds of media in a file, by ffprobe; 0 for a file it cannot read. */
export async function probeDuration(tools: MediaTools, file: string): Promise<number> {
  const out = await runTool(tools.ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file], 30_000).catch(() => '0');
  const seconds = Number.parseFloat(out.trim());
  return Number.isFinite(seconds) ? seconds : 0;
}

/**
 * Turns a recording's segments into its two deliverables: one MP4 (the segments joined without
 * re-encoding — they share codec, size and rate — with the index at the front for progressive
 * download) and an HLS VOD playlist cut from it, again without re-encoding.
 * Segments ffmpeg could not finish (nothing in them) are left out. undefined when nothing was recorded.
 */
export async function finishRecording(tools: MediaTools, dir: string): Promise<FinishedFiles | undefined> {
  const segments: string[] = [];
  for (const name of readdirSync(dir).filter((n) => /^segment-\d+\.mp4$/.test(n)).sort()) {
    if (statSync(join(dir, name)).size > 0 && (await probeDuration(tools, join(dir, name))) > 0.2) segments.push(name);
  }
  if (segments.length === 0) return undefined;
  const mp4 = join(dir, MP4_NAME);
  if (segments.length === 1) {
    renameSync(join(dir, segments[0]!), mp4);
  } else {
    const list = join(dir, 'segments.txt');
    writeFileSync(list, segments.map((s) => `file '${s}'`).join('\n'));
    await runTool(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', mp4]);
  }
  const hls = join(dir, HLS_DIR);
  mkdirSync(hls, { recursive: true });
  await runTool(tools.ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', mp4, '-c', 'copy',
    '-f', 'hls', '-hls_time', '4', '-hls_playlist_type', 'vod', '-hls_segment_filename', join(hls, 'part-%04d.ts'), join(hls, HLS_PLAYLIST),
  ]);
  for (const name of readdirSync(dir)) if (/^segment-\d+\.mp4$|^segments\.txt$|^tap-\d+\.sdp$/.test(name)) rmSync(join(dir, name), { force: true });
  return { duration: Math.round((await probeDuration(tools, mp4)) * 1000), fileSize: statSync(mp4).size };
}

export function hasFiles(dir: string): boolean {
  return existsSync(join(dir, MP4_NAME));
}
