/**
 * Build step (npm run build:prompts): speaks the voice menu's prompts (src/sip/prompt-texts.ts)
 * with espeak-ng, Mandarin then English, and converts each to 8 kHz 16-bit mono PCM with ffmpeg
 * into dist/prompts/<name>.pcm. Run at build time, never at call time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { PROMPT_TEXTS } from '../src/sip/prompt-texts.js';

const out = join(packageRoot, 'dist', 'prompts');
const work = mkdtempSync(join(tmpdir(), 'vconf-prompts-'));
/** A pause between the two languages, and after the prompt (samples of silence at 8 kHz). */
const GAP = new Int16Array(8000 * 0.4);

function speak(text: string, voice: string): Int16Array {
  const wav = join(work, 'speech.wav');
  const raw = join(work, 'speech.raw');
  execFileSync('espeak-ng', ['-v', voice, '-s', '175', '-w', wav, text]);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', wav, '-ar', '8000', '-ac', '1', '-f', 's16le', raw]);
  const bytes = readFileSync(raw);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2).slice();
}

/** The build of a server without telephony must not fail: without the tools, dial-in says at start how to get prompts. */
function missingTool(): string | undefined {
  for (const [tool, flag] of [['espeak-ng', '--version'], ['ffmpeg', '-version']] as const) {
    try {
      execFileSync(tool, [flag], { stdio: 'ignore' });
    } catch {
      return tool;
    }
  }
  return undefined;
}

const missing = missingTool();
if (missing) {
  console.warn(`prompts: ${missing} not found, so dial-in's voice prompts were not made; --sip-listen needs them (install espeak-ng and ffmpeg, then npm run build:prompts)`);
  process.exit(0);
}

try {
  mkdirSync(out, { recursive: true });
  for (const [name, [zh, en]] of Object.entries(PROMPT_TEXTS)) {
    const parts = [speak(zh, 'cmn'), GAP, speak(en, 'en-us'), GAP];
    const total = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      total.set(p, at);
      at += p.length;
    }
    writeFileSync(join(out, `${name}.pcm`), Buffer.from(total.buffer));
  }
  console.log(`prompts: ${Object.keys(PROMPT_TEXTS).length} written to ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
