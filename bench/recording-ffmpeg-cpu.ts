/**
 * CPU of one recording's composite alone, with steady synthetic participants instead of browsers.
 *
 *   npm run build && node dist/bench/recording-ffmpeg-cpu.js [--people 2,4] [--window 15] [--mode grid]
 *
 * Each participant is an ffmpeg sending real VP8 (640×480, 20 fps, ~500 kbps, libvpx realtime) and
 * Opus (48 kHz) over RTP to loopback ports, as a browser's camera and microphone reach the SFU's tap.
 * The composite ffmpeg runs with exactly vconf's arguments (src/media/composer.ts segmentArgs:
 * wall-clock timestamps, the layout's overlays, amix, libx264 veryfast 1280×720 at 15 fps + AAC) into
 * an MP4; its CPU (utime + stime from /proc) is taken over the window after a warm-up. The
 * generators' own CPU is not counted. Complements recording-cpu.js, where Chromium's load on a small
 * machine makes the browsers' media (and so the recording's work) uneven.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { segmentArgs } from '../src/media/composer.js';
import type { LayoutMode } from '../src/media/layout.js';
import { CANVAS, FPS } from '../src/media/media-engine.js';
import { freePortPairs } from '../src/media/rtp-tap.js';
import { machineInfo } from './support/machine.js';

const TICK_MS = 10;
const { values } = parseArgs({ options: { people: { type: 'string', default: '2,4' }, window: { type: 'string', default: '15' }, mode: { type: 'string', default: 'grid' } } });

function ticks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(people: number, windowS: number, mode: LayoutMode): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'vconf-rec-bench-'));
  const ports = await freePortPairs(people * 2);
  const videoPorts = ports.slice(0, people);
  const audioPorts = ports.slice(people);
  const sdp = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=bench', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const p of videoPorts) sdp.push(`m=video ${p} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000');
  for (const p of audioPorts) sdp.push(`m=audio ${p} RTP/AVP 97`, 'a=rtpmap:97 opus/48000/2');
  const sdpPath = join(dir, 'tap.sdp');
  writeFileSync(sdpPath, `${sdp.join('\n')}\n`);
  const out = join(dir, 'out.mp4');
  const composite = spawn('ffmpeg', segmentArgs({ sdpPath, videos: people, audios: people, canvas: CANVAS, fps: FPS, mode, position: 'relative_right', output: ['-movflags', '+faststart', '-f', 'mp4', out] }), {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await sleep(500);
  const generators: ChildProcess[] = [];
  for (let i = 0; i < people; i++) {
    generators.push(
      spawn(
        'ffmpeg',
        [
          '-hide_banner', '-loglevel', 'error', '-re',
          '-f', 'lavfi', '-i', `testsrc2=size=640x480:rate=20`,
          '-f', 'lavfi', '-i', `sine=frequency=${300 + 100 * i}:sample_rate=48000`,
          '-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', '40', '-payload_type', '96', '-f', 'rtp', `rtp://127.0.0.1:${videoPorts[i]}`,
          '-map', '1:a', '-c:a', 'libopus', '-b:a', '32k', '-ac', '2', '-payload_type', '97', '-f', 'rtp', `rtp://127.0.0.1:${audioPorts[i]}`,
        ],
        { stdio: 'ignore' },
      ),
    );
  }
  await sleep(5000);
  const before = ticks(composite.pid!);
  const t0 = performance.now();
  await sleep(windowS * 1000);
  const cpu = (100 * (ticks(composite.pid!) - before) * TICK_MS) / (performance.now() - t0);
  composite.kill('SIGINT');
  await new Promise((r) => composite.once('exit', r));
  for (const g of generators) g.kill('SIGKILL');
  const size = statSync(out).size;
  rmSync(dir, { recursive: true, force: true });
  return { participants: people, mode, compositeCpuPercentOfCore: Math.round(cpu * 10) / 10, mp4Bytes: size };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const results = [];
  for (const people of values.people!.split(',').map(Number)) results.push(await run(people, Number(values.window), values.mode as LayoutMode));
  console.log(JSON.stringify({ machine: { ...machine, loadAverageAtEnd: machineInfo().loadAverage1m }, results }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
