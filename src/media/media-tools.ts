import { runTool } from './ffmpeg-process.js';

/** The media engine's programs, once found usable. */
export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
  /** e.g. "5.1.6-0+deb12u1". */
  version: string;
}

export type MediaToolsProbe = { ok: true; tools: MediaTools } | { ok: false; reason: string };

/** What a composite needs from ffmpeg's build: the encoders and filters vconf uses. */
const NEEDED_ENCODERS = ['libx264', 'aac'];
const NEEDED_FILTERS = ['overlay', 'amix', 'aresample', 'scale', 'pad'];

/**
 * Looks for a usable ffmpeg at start (recording and stream-out run it as separate processes).
 * Missing or lacking a part, the reason is kept: `vconf serve` logs it and the recording and
 * stream-out operations answer capabilityNotAvailable with it.
 */
export async function probeMediaTools(ffmpeg = 'ffmpeg', ffprobe = siblingProbe(ffmpeg)): Promise<MediaToolsProbe> {
  let version: string;
  try {
    version = (await runTool(ffmpeg, ['-hide_banner', '-version'], 10_000)).match(/ffmpeg version (\S+)/)?.[1] ?? 'unknown';
  } catch (err) {
    return { ok: false, reason: `ffmpeg is not usable (${(err as Error).message.split('\n')[0]}); install it (apt-get install ffmpeg) or pass --ffmpeg PATH` };
  }
  try {
    await runTool(ffprobe, ['-hide_banner', '-version'], 10_000);
  } catch {
    return { ok: false, reason: `ffprobe is not usable next to ${ffmpeg}; install ffmpeg's full package` };
  }
  const encoders = await runTool(ffmpeg, ['-hide_banner', '-encoders'], 10_000).catch(() => '');
  const filters = await runTool(ffmpeg, ['-hide_banner', '-filters'], 10_000).catch(() => '');
  const missing = [
    ...NEEDED_ENCODERS.filter((e) => !new RegExp(`\\s${e}\\s`).test(encoders)).map((e) => `encoder ${e}`),
    ...NEEDED_FILTERS.filter((f) => !new RegExp(`\\s${f}\\s`).test(filters)).map((f) => `filter ${f}`),
  ];
  if (missing.length > 0) return { ok: false, reason: `ffmpeg ${version} lacks ${missing.join(', ')}` };
  return { ok: true, tools: { ffmpeg, ffprobe, version } };
}

function siblingProbe(ffmpeg: string): string {
  return ffmpeg.endsWith('ffmpeg') ? `${ffmpeg.slice(0, -'ffmpeg'.length)}ffprobe` : 'ffprobe';
}
