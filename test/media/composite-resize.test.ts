/**
 * A simulcast camera moves the recording's tap between layers (320×180 ↔ 1280×720) mid-segment:
 * the composite, made with the composer's own ffmpeg arguments from RTP on loopback, must keep
 * moving after the picture's size changes instead of freezing while its filters start over.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { segmentArgs } from '../../src/media/composer.js';
import { freePortPairs } from '../../src/media/rtp-tap.js';
import { requires } from '../support/requirements.js';
import { distinctFrameShare, greyFrame, meanLevel } from '../e2e/support/media-checks.js';

const run = promisify(execFile);
const ready = await requires(import.meta.url, 'tool:ffmpeg');
const FPS = 25;
const SMALL_SECONDS = 3;

/** A VP8 clip of a moving test pattern: `small` seconds at 320×180, then the rest at 1280×720. */
async function switchingClip(dir: string, small: number, total: number): Promise<string> {
  const vp8 = ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '800k', '-g', '30'];
  const a = join(dir, 'small.webm');
  const b = join(dir, 'large.webm');
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=30`, '-t', String(small), ...vp8, a]);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=1280x720:r=30`, '-t', String(total - small), ...vp8, b]);
  const list = join(dir, 'list.txt');
  writeFileSync(list, `file '${a}'\nfile '${b}'\n`);
  const out = join(dir, 'switching.webm');
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', out]);
  return out;
}

describe.skipIf(!ready)('a composite whose camera changes size mid-segment', () => {
  it('keeps both tiles moving after the tapped layer grows from 320×180 to 1280×720', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vconf-resize-'));
    const clip = await switchingClip(dir, SMALL_SECONDS, 10);
    const [leftPort, rightPort] = await freePortPairs(2);
    const sdp = join(dir, 'tap.sdp');
    const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=tap', 'c=IN IP4 127.0.0.1', 't=0 0'];
    for (const port of [leftPort, rightPort]) lines.push(`m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000', 'a=recvonly');
    writeFileSync(sdp, `${lines.join('\n')}\n`);
    const out = join(dir, 'composite.mp4');
    const args = segmentArgs({ sdpPath: sdp, videos: 2, audios: 0, canvas: { width: 1280, height: 720 }, fps: FPS, mode: 'grid', position: 'relative_right', output: ['-t', '8', '-f', 'mp4', out] });
    const composite = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    composite.stderr.on('data', (d: Buffer) => (log += d.toString()));
    await new Promise((r) => setTimeout(r, 1000));
    // Two cameras sent in real time, as the tap sends them: the left one switches layer, the right one does not.
    const senders = [
      [clip, leftPort],
      [join(dir, 'large.webm'), rightPort],
    ].map(([file, port]) => spawn('ffmpeg', ['-v', 'error', '-re', '-i', String(file), '-c', 'copy', '-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${port}`], { stdio: 'ignore' }));
    const exit = await new Promise<number | null>((resolve) => composite.on('exit', resolve));
    for (const s of senders) s.kill('SIGKILL');
    expect(exit, log).toBe(0);

    // Well after the switch (3 s into the camera, about 4 s into the composite) the left tile still
    // changes from frame to frame, as the right one does.
    const left = await distinctFrameShare(out, 4.5, 3, '640:720:0:0');
    const right = await distinctFrameShare(out, 4.5, 3, '640:720:640:0');
    expect(right).toBeGreaterThan(0.55);
    expect(left).toBeGreaterThan(0.55);
    const frame = await greyFrame(out, 6);
    expect(meanLevel(frame, 4, 28, 10, 26)).toBeGreaterThan(25);
  }, 60_000);
});
