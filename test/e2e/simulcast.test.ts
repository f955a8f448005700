/**
 * Simulcast in a real meeting: a publisher's camera arrives at the SFU as three layers, and each
 * viewer gets the one its tile and its downlink call for.
 *
 *   this namespace: vconf (HTTP + SFU) on 10.123.k.1; the publisher and two viewers in one Chromium
 *   ns "slow": a third viewer's Chromium at 10.123.k.2, its downlink held to 300 kbit/s by tbf
 *
 * The viewers publish no camera, so the machine only encodes the one camera being measured.
 * That camera is a file of moving detail with grain, not Chromium's built-in pattern: the built-in one
 * is so simple that an encoder slowed by a busy CPU (a few frames a second) sent its 720p layer for
 * under 300 kbit/s, and a slow viewer was then rightly given 720p. Grain costs bits in every frame,
 * so each layer costs about its encoder's target whatever the frame rate, as a real camera's does.
 * 15 fps and light grain: on 1.1 cores (a cgroup quota) heavier grain at 30 fps starved the encoder
 * until the large tile got 180p; this kept 720p there, with the layers at ~170 / 520 / 1,130 kbit/s.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ip, TestNetworks } from '../support/netns.js';
import { enterRoom, eventually, localParticipantId } from './support/room.js';
import type { UpstreamTrack } from '../../src/rtc/sfu/sfu.js';

const ready = await requires(import.meta.url, 'root', 'chromium', 'tool:tc', 'tool:ip', 'tool:ffmpeg');

const k = 200 + (process.pid % 50);
const SERVER = `10.123.${k}.1`;
const SLOW = `10.123.${k}.2`;

/** The decoded size and frame count of the video a page shows for `participantId`. */
async function remoteVideo(page: Page, participantId: string): Promise<{ height: number; frames: number }> {
  return page.evaluate((id) => {
    const video = document.querySelector<HTMLVideoElement>(`[data-testid="participant-tile"][data-participant-id="${id}"] video`);
    const quality = video?.getVideoPlaybackQuality();
    return { height: video?.videoHeight ?? 0, frames: quality?.totalVideoFrames ?? 0 };
  }, participantId);
}

/** Concealed share of the audio the page has played so far, over every inbound audio stream. */
async function audioTotals(page: Page): Promise<{ samples: number; concealed: number }> {
  return page.evaluate(async () => {
    const totals = { samples: 0, concealed: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: string; totalSamplesReceived?: number; concealedSamples?: number }) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        totals.samples += s.totalSamplesReceived ?? 0;
        totals.concealed += s.concealedSamples ?? 0;
      });
    }
    return totals;
  });
}

describe.skipIf(!ready)('simulcast: one layer per viewer, by tile size and downlink', () => {
  const nets = new TestNetworks();
  let server: TestServer;
  let local: Browser;
  let slowBrowser: Browser;
  let conferenceId: string;
  let publisherId: string;
  let cameraDir: string | undefined;
  const pages: Record<'publisher' | 'large' | 'small' | 'slow', Page> = {} as never;

  beforeAll(async () => {
    const slow = nets.namespace('slow');
    const { ifA } = nets.link(undefined, `${SERVER}/24`, slow, `${SLOW}/24`, 's');
    ip('-n', slow, 'route', 'add', 'default', 'via', SERVER);
    // The viewer's downlink: 300 kbit/s, a queue of at most ~400 ms, then drops (what a weak link does).
    execFileSync('tc', ['qdisc', 'add', 'dev', ifA, 'root', 'tbf', 'rate', '300kbit', 'burst', '16kb', 'latency', '400ms']);
    cameraDir = mkdtempSync(joinPath(tmpdir(), 'vconf-camera-'));
    const cameraFile = joinPath(cameraDir, 'grain.y4m');
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=15:d=2', '-vf', 'noise=alls=12:allf=t', '-pix_fmt', 'yuv420p', cameraFile]);
    server = await startTestServer({ config: { host: SERVER, rtcListenIp: SERVER } });
    const args = [`--unsafely-treat-insecure-origin-as-secure=${server.url}`];
    local = await launchBrowser({ args: [...args, `--use-file-for-fake-video-capture=${cameraFile}`] });
    slowBrowser = await launchBrowser({ executablePath: nets.chromiumIn(slow), args });

    const token = await appToken(server.endpoint, 'acme-app', 's3cret');
    const meeting = (
      await conferenceClient(server.endpoint).createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Simulcast' }), confHeaders(token), runtime())
    ).body!;
    conferenceId = meeting.conferenceId!;
    const join = async (browser: Browser, name: string, viewport: { width: number; height: number }, camera: boolean) => {
      const { page } = await newParticipant(browser, { viewport });
      await page.goto(meeting.externalLinkUrl!);
      await page.getByTestId('display-name-input').waitFor({ timeout: 15_000 });
      // Viewers join with camera and microphone off: one camera to encode, one voice to hear.
      if (!camera) {
        await page.getByTestId('camera-toggle').click();
        await page.getByTestId('mic-toggle').click();
      }
      await enterRoom(page, name);
      return page;
    };
    pages.publisher = await join(local, 'Publisher', { width: 640, height: 480 }, true);
    publisherId = await localParticipantId(pages.publisher);
    pages.large = await join(local, 'Large', { width: 1280, height: 800 }, false);
    pages.small = await join(local, 'Small', { width: 400, height: 300 }, false);
    pages.slow = await join(slowBrowser, 'Slow', { width: 1280, height: 800 }, false);
    // The large viewer pins the publisher: one big tile.
    await pages.large.locator(`[data-testid="participant-tile"][data-participant-id="${publisherId}"] [data-testid="pin-tile"]`).click({ force: true });
    await pages.slow.locator(`[data-testid="participant-tile"][data-participant-id="${publisherId}"] [data-testid="pin-tile"]`).click({ force: true });
  }, 90_000);

  afterAll(async () => {
    await local?.close();
    await slowBrowser?.close();
    await server?.stop();
    nets.close();
    if (cameraDir) rmSync(cameraDir, { recursive: true, force: true });
  });

  function camera(): UpstreamTrack {
    const track = server.running.ctx.sfu.existing(conferenceId)?.upstreamTracks().find((t) => t.participantId === publisherId && t.source === 'camera');
    if (!track) throw new Error('the publisher has no camera track at the SFU');
    return track;
  }

  it('receives three layers from the publisher', async () => {
    const layers = await eventually(
      async () => camera().layers.map((l) => ({ rid: l.rid, active: l.active, height: l.height ?? 0, packets: l.packets })),
      (ls) => ls.length === 3 && ls.every((l) => l.packets > 50 && l.height > 0),
      30_000,
    );
    expect(layers.map((l) => l.rid)).toEqual(['l', 'm', 'h']);
    // Each layer is a different size, lowest first, the top one the camera's 720p.
    expect(layers[0]!.height).toBeLessThan(layers[1]!.height);
    expect(layers[1]!.height).toBeLessThan(layers[2]!.height);
    expect(layers[2]!.height).toBeGreaterThanOrEqual(540);
  }, 45_000);

  it('sends a small tile the low layer and a large tile the high one', async () => {
    const small = await eventually(() => remoteVideo(pages.small, publisherId), (v) => v.height > 0 && v.height <= 360, 30_000);
    const large = await eventually(() => remoteVideo(pages.large, publisherId), (v) => v.height >= 540, 30_000);
    console.log(`small tile decodes ${small.height}p, large tile ${large.height}p`);
    // Both keep decoding.
    await eventually(() => remoteVideo(pages.small, publisherId), (v) => v.frames > small.frames + 20);
    await eventually(() => remoteVideo(pages.large, publisherId), (v) => v.frames > large.frames + 20);
  }, 75_000);

  // One retry. With Chromium's built-in camera pattern the encoder, held back by this two-core machine's
  // CPU, could send its 720p layer for under 300 kbit/s and a slow viewer was rightly given it (CI failed
  // both tries so); the grain camera (above) keeps every layer near its target rate. First tries also
  // failed with the premise intact, the slow viewer's 180p stalled (+0–10 frames in 8 s):
  // its NACKs were all answered, ~1,800 retransmissions in 8 s kept its queue full after the video paused,
  // and a loss report just after the video resumed cut the estimate from the audio-only rate. Both fixed
  // (retransmit-budget.ts, downlink.ts). On failure the layer rates and the viewer's loss reports are logged.
  it('keeps a 300 kbit/s viewer decoding a lower layer, with its audio, while a fast one keeps ≥ 540p', { retry: 1, timeout: 75_000 }, async () => {
    const slowId = await localParticipantId(pages.slow);
    const layerKbps = () => camera().layerViews().map((l) => `${l.rid} ${Math.round(l.bitrate / 1000)}`).join(', ');
    // Once the squeeze has settled (the first seconds tried a bigger layer), the slow viewer decodes a low one.
    let slow = await eventually(() => remoteVideo(pages.slow, publisherId), (v) => v.height > 0 && v.height <= 360, 45_000).catch((e: unknown) => {
      // A 720p layer under 300 kbit/s is a premise failure; one above it that got through is an allocation one.
      console.log(`publisher's layers (kbit/s) when the slow viewer stayed high: ${layerKbps()}`);
      const down = server.running.ctx.sfu.existing(conferenceId)?.trackCounters().filter((c) => c.direction === 'down' && c.participantId === slowId) ?? [];
      console.log(`what the slow viewer reported back: ${JSON.stringify(down.map(({ kind, packets, packetsLost, fractionLost, rttMs }) => ({ kind, packets, packetsLost, fractionLost, rttMs })))}`);
      throw e;
    });
    await eventually(
      async () => {
        const before = slow;
        await new Promise((r) => setTimeout(r, 2_000));
        slow = await remoteVideo(pages.slow, publisherId);
        return { frames: slow.frames - before.frames, height: slow.height };
      },
      (v) => v.frames >= 10 && v.height <= 360,
      45_000,
    );
    const audioBefore = await audioTotals(pages.slow);
    const fastBefore = await remoteVideo(pages.large, publisherId);
    await new Promise((r) => setTimeout(r, 8_000));
    const slowAfter = await remoteVideo(pages.slow, publisherId);
    const fastAfter = await remoteVideo(pages.large, publisherId);
    const audioAfter = await audioTotals(pages.slow);
    const concealed = (audioAfter.concealed - audioBefore.concealed) / Math.max(1, audioAfter.samples - audioBefore.samples);
    console.log(`publisher's layers (kbit/s): ${layerKbps()}`);
    console.log(`over 8 s: slow viewer ${slowAfter.height}p +${slowAfter.frames - slow.frames} frames, fast viewer ${fastAfter.height}p +${fastAfter.frames - fastBefore.frames} frames, slow viewer's audio concealed ${(concealed * 100).toFixed(1)}%`);
    expect(slowAfter.frames - slow.frames).toBeGreaterThan(20);
    expect(slowAfter.height).toBeLessThanOrEqual(360);
    expect(fastAfter.height).toBeGreaterThanOrEqual(540);
    // Frames advancing, not a frame rate: with four Chromium pages encoding and decoding on two cores the
    // publisher's 720p layer was seen at 3–4 fps (its encoder adapts to CPU), a frozen one adds none.
    expect(fastAfter.frames - fastBefore.frames).toBeGreaterThan(16);
    // Audio went first: it kept playing through the squeeze.
    expect(audioAfter.samples - audioBefore.samples).toBeGreaterThan(48_000 * 6);
    expect(concealed).toBeLessThan(0.05);
  });

  it('pauses a layer nobody receives at the publisher, and resumes it when a tile needs it', async () => {
    await pages.slow.context().close();
    // Large takes the top layer, small the lowest: the middle one is wanted by nobody and stops.
    await eventually(async () => camera().layers.map((l) => l.active), (a) => a[0] === true && a[1] === false && a[2] === true, 30_000);
    const encodings = () => pages.publisher.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.flatMap((pc) => pc.getSenders().filter((s) => s.track?.kind === 'video').flatMap((s) => s.getParameters().encodings.map((e) => `${e.rid}:${e.active}`))));
    expect(await encodings()).toEqual(['l:true', 'm:false', 'h:true']);
    // The small viewer now shows the publisher at 300 px: the middle layer fills that.
    await pages.small.addStyleTag({ content: '[data-testid="spotlight"] video { width: 533px !important; height: 300px !important; }' });
    await pages.small.locator(`[data-testid="participant-tile"][data-participant-id="${publisherId}"] [data-testid="pin-tile"]`).click({ force: true });
    await eventually(() => remoteVideo(pages.small, publisherId), (v) => v.height === 360, 30_000);
    expect(camera().layers[1]!.active).toBe(true);
    expect(await encodings()).toEqual(['l:true', 'm:true', 'h:true']);
  }, 75_000);
});
