/**
 * Issue 12 §4 and §6 in real Chromium through the official SDK: StartStreamOut pushes the meeting
 * to a local RTMP server (ffmpeg -listen 1) that receives H.264 video and AAC audio; StopStreamOut
 * ends the push; an unreachable URL lands in failStreamMap; the URL list is checked per the spec;
 * needHostJoin waits for a host; the page shows the live indicator; a subscribed app hears of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { Receiver } from '../events/receiver.js';
import { directory as baseDirectory } from '../support/fixtures.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError, slowRuntime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { enterRoom, eventually } from './support/room.js';
import { probe } from './support/media-checks.js';

const ready = await requires(import.meta.url, 'chromium', 'tool:ffmpeg');
const SECRET = 'stream-callback-secret-5678';

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The RTMP test sink: one ffmpeg that accepts one publisher and copies what it gets into a file. */
async function rtmpSink(dir: string): Promise<{ url: string; file: string; proc: ChildProcess; done: Promise<number | null> }> {
  const port = await closedPort();
  const file = join(dir, `sink-${port}.flv`);
  const url = `rtmp://127.0.0.1:${port}/live/meeting`;
  const proc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-listen', '1', '-i', url, '-c', 'copy', file], { stdio: 'ignore' });
  const done = new Promise<number | null>((r) => proc.once('exit', r));
  // ffmpeg listens a moment after it starts. A probe connection would use up its one accept, so
  // the test only gives it that moment.
  await new Promise((r) => setTimeout(r, 800));
  return { url, file, proc, done };
}

describe.skipIf(!ready)('stream-out through the SDK to a local RTMP server', () => {
  let server: TestServer;
  let browser: Browser;
  let token: string;
  let receiver: Receiver;
  let ann: Page;
  let conferenceId: string;
  let meetingUrl: string;
  const work = mkdtempSync(join(tmpdir(), 'vconf-stream-test-'));
  const sdk = () => conferenceClient(server.endpoint);
  const h = () => confHeaders(token);
  const start = (body: Partial<{ unionId: string; mode: string; needHostJoin: boolean; smallWindowPosition: string; streamName: string; streamUrlList: string[] }>) =>
    sdk().startStreamOutWithOptions(
      conferenceId,
      new $conference.StartStreamOutRequest({ unionId: 'uA1', mode: 'grid', needHostJoin: false, smallWindowPosition: 'relative_right', streamName: 'All hands', ...body }),
      new $conference.StartStreamOutHeaders({ xAcsDingtalkAccessToken: token }),
      slowRuntime(),
    );
  const stop = (body: { streamId?: string; stopAllStream?: boolean }) =>
    sdk().stopStreamOutWithOptions(
      conferenceId,
      new $conference.StopStreamOutRequest({ unionId: 'uA1', streamId: '', stopAllStream: false, ...body }),
      new $conference.StopStreamOutHeaders({ xAcsDingtalkAccessToken: token }),
      slowRuntime(),
    );

  beforeAll(async () => {
    receiver = new Receiver(SECRET);
    await receiver.start();
    const doc = structuredClone(baseDirectory) as typeof baseDirectory;
    const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
    acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' ? { ...a, eventCallback: { url: receiver.url, secret: SECRET, events: ['meeting_status_change'] } } : a));
    // This 2-core machine runs the tests in parallel: pushes get longer to show their first outcome.
    server = await startTestServer({ directory: doc, config: { streamOutcomeWaitMs: 12_000 } });
    token = await appToken(server.endpoint, 'acme-app', 's3cret');
    browser = await launchBrowser();
    const res = await sdk().createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Streamed' }), h(), runtime());
    const m = res.body as { conferenceId: string; externalLinkUrl: string };
    conferenceId = m.conferenceId;
    meetingUrl = m.externalLinkUrl;
    ann = (await newParticipant(browser)).page;
    await ann.goto(m.externalLinkUrl);
    await enterRoom(ann, 'Ann');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.stop();
  });

  it('checks the URL list per the spec: at most 10, each rtmp://; a non-host is refused', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `rtmp://127.0.0.1:1935/live/s${i}`);
    const tooMany = await sdkError(start({ streamUrlList: eleven }));
    expect([tooMany.statusCode, tooMany.code]).toEqual([400, 'paramsError']);
    const empty = await sdkError(start({ streamUrlList: [] }));
    expect(empty.code).toBe('paramsError');
    const stranger = await sdkError(start({ unionId: 'nobody-here', streamUrlList: ['rtmp://127.0.0.1:1935/live/x'] }));
    expect(stranger.code).toBe('unknownUserError');
    const res = await start({ streamUrlList: ['http://example.com/live'] });
    expect(res.body?.successStreamMap).toEqual({});
    expect(res.body?.failStreamMap?.['http://example.com/live']).toMatch(/rtmp/);
  });

  it('pushes video and audio to the RTMP server and an unreachable URL lands in failStreamMap; StopStreamOut ends the push', async () => {
    const sink = await rtmpSink(work);
    const unreachable = `rtmp://127.0.0.1:${await closedPort()}/live/nobody`;
    const res = await start({ streamUrlList: [sink.url, unreachable] });
    const success = res.body!.successStreamMap!;
    const fail = res.body!.failStreamMap!;
    expect(Object.keys(success)).toEqual([sink.url]);
    expect(Object.keys(fail)).toEqual([unreachable]);
    const streamId = success[sink.url] as string;
    expect(streamId).toMatch(/^[0-9a-f]{16}$/);
    await ann.getByTestId('streaming-indicator').waitFor({ state: 'visible', timeout: 5000 });
    // Someone who joins while the meeting is live sees it too (camera and microphone off: a viewer).
    const cy = await newParticipant(browser);
    await cy.page.goto(meetingUrl);
    await cy.page.getByTestId('display-name-input').waitFor({ timeout: 15_000 });
    await cy.page.getByTestId('mic-toggle').click();
    await cy.page.getByTestId('camera-toggle').click();
    await enterRoom(cy.page, 'Cy');
    await cy.page.getByTestId('streaming-indicator').waitFor({ state: 'visible', timeout: 5000 });
    expect(await cy.page.getByTestId('recording-indicator').isHidden()).toBe(true);
    await cy.context.close();
    await new Promise((r) => setTimeout(r, 4000));
    await stop({ streamId });
    // The push ended: the sink's publisher went away and it finished its file.
    const code = await Promise.race([sink.done, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
    expect(code).not.toBe('still running');
    const { streams, duration } = await probe(sink.file);
    expect(streams.find((s) => s.codec_type === 'video')?.codec_name).toBe('h264');
    expect(streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
    expect(duration).toBeGreaterThan(3);
    await ann.getByTestId('streaming-indicator').waitFor({ state: 'hidden', timeout: 5000 });
    const again = await sdkError(stop({ streamId }));
    expect(again.code).toBe('paramsError');
  });

  it('needHostJoin waits while no host is in the room; stopAllStream stops it', async () => {
    const res = await start({ needHostJoin: true, streamUrlList: ['rtmp://127.0.0.1:1/live/later'] });
    const streamId = res.body!.successStreamMap!['rtmp://127.0.0.1:1/live/later'] as string;
    expect(streamId).toBeDefined();
    await stop({ stopAllStream: true });
  });

  it('the subscribed app heard each push change state (stream_out_changed)', async () => {
    const states = await eventually(
      async () =>
        receiver.deliveries
          .filter((d) => (d.body as { changeScene?: string }).changeScene === 'stream_out_changed')
          .map((d) => (d.body as { streamOutModel: { state: string } }).streamOutModel.state),
      (s) => s.includes('live') && s.includes('stopped') && s.includes('waitingHost'),
      10_000,
    );
    expect(states).toEqual(expect.arrayContaining(['connecting', 'live', 'stopped', 'waitingHost']));
  });
});
