/**
 * Issue 12 through the SDK, without browsers: the recording and stream-out operations' errors per
 * the spec (§e.3) and their answer when ffmpeg is missing. Recording itself is in
 * test/e2e/recording.test.ts and test/e2e/stream-out.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $conference, conferenceClient, confHeaders, fixtureTokens, runtime, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { requires } from '../support/requirements.js';

const withFfmpeg = await requires(import.meta.url, 'tool:ffmpeg');

const headers = (token: string) => ({ xAcsDingtalkAccessToken: token });

function calls(server: TestServer, token: string, conferenceId: string) {
  const sdk = conferenceClient(server.endpoint);
  const h = headers(token);
  return {
    start: (unionId: string, mode?: string, smallWindowPosition?: string) =>
      sdk.startCloudRecordWithOptions(conferenceId, new $conference.StartCloudRecordRequest({ unionId, mode, smallWindowPosition }), new $conference.StartCloudRecordHeaders(h), runtime()),
    stop: (unionId: string) => sdk.stopCloudRecordWithOptions(conferenceId, new $conference.StopCloudRecordRequest({ unionId }), new $conference.StopCloudRecordHeaders(h), runtime()),
    videos: (unionId: string) =>
      sdk.queryCloudRecordVideoWithOptions(conferenceId, new $conference.QueryCloudRecordVideoRequest({ unionId }), new $conference.QueryCloudRecordVideoHeaders(h), runtime()),
    playInfo: (mediaId: string, regionId: string, unionId: string) =>
      sdk.queryCloudRecordVideoPlayInfoWithOptions(
        conferenceId,
        new $conference.QueryCloudRecordVideoPlayInfoRequest({ mediaId, regionId, unionId }),
        new $conference.QueryCloudRecordVideoPlayInfoHeaders(h),
        runtime(),
      ),
    startStream: (streamUrlList: string[], unionId = 'uA1') =>
      sdk.startStreamOutWithOptions(
        conferenceId,
        new $conference.StartStreamOutRequest({ unionId, mode: 'grid', needHostJoin: false, smallWindowPosition: 'float_right', streamName: 'x', streamUrlList }),
        new $conference.StartStreamOutHeaders(h),
        runtime(),
      ),
    stopStream: (streamId: string, stopAllStream = false) =>
      sdk.stopStreamOutWithOptions(conferenceId, new $conference.StopStreamOutRequest({ unionId: 'uA1', streamId, stopAllStream }), new $conference.StopStreamOutHeaders(h), runtime()),
  };
}

async function meeting(server: TestServer, token: string): Promise<string> {
  const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Recording rules' }),
    confHeaders(token),
    runtime(),
  );
  return res.body!.conferenceId!;
}

const codeOf = async (call: Promise<unknown>) => {
  const e = await sdkError(call);
  return [e.statusCode, e.code];
};

describe('recording and stream-out without ffmpeg', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ config: { ffmpegPath: '/nonexistent/bin/ffmpeg' } });
    [token] = await fixtureTokens(server.endpoint);
  });
  afterAll(async () => server.stop());

  it('answer capabilityNotAvailable with the reason serve found at start; the reads find nothing recorded', async () => {
    const c = calls(server, token, await meeting(server, token));
    // Thunks: a call made before the loop reaches it would reject with nobody listening.
    for (const call of [() => c.start('uA1'), () => c.stop('uA1'), () => c.startStream(['rtmp://127.0.0.1/live/x']), () => c.stopStream('', true)]) {
      const e = await sdkError(call());
      expect([e.statusCode, e.code]).toEqual([403, 'capabilityNotAvailable']);
      expect(e.message).toMatch(/ffmpeg is not usable/);
    }
    // Files recorded earlier (or by another instance) can still be listed: there are none.
    expect(await codeOf(c.videos('uA1'))).toEqual([400, 'cloudRecordNotFound']);
  });
});

describe.skipIf(!withFfmpeg)('recording and stream-out: the spec\'s errors', () => {
  let server: TestServer;
  let token: string;
  let beta: string;
  beforeAll(async () => {
    server = await startTestServer();
    [token, beta] = await fixtureTokens(server.endpoint);
  });
  afterAll(async () => server.stop());

  it('StartCloudRecord: host only (recordStartPermissionError), valid mode and position (paramsError), someone in the room (recordStartError)', async () => {
    const id = await meeting(server, token);
    const c = calls(server, token, id);
    expect(await codeOf(c.start('uA2'))).toEqual([404, 'recordStartPermissionError']);
    expect(await codeOf(c.start('nobody'))).toEqual([404, 'recordStartPermissionError']);
    expect(await codeOf(c.start('uA1', 'mosaic'))).toEqual([400, 'paramsError']);
    expect(await codeOf(c.start('uA1', 'speech', 'top_left'))).toEqual([400, 'paramsError']);
    expect(await codeOf(c.start(''))).toEqual([400, 'paramsError']);
    // Nobody has joined: there is nothing to record, and nothing was written.
    expect(await codeOf(c.start('uA1', 'grid'))).toEqual([404, 'recordStartError']);
    expect(await server.db.selectFrom('cloud_records').selectAll().execute()).toEqual([]);
    // Another organization's token.
    expect(await codeOf(calls(server, beta, id).start('uB1'))).toEqual([404, 'recordStartPermissionError']);
    // An unknown meeting.
    expect(await codeOf(calls(server, token, 'f'.repeat(36)).start('uA1'))).toEqual([400, 'paramsError']);
  });

  it('StopCloudRecord: recordStopError when not recording, recordStopPermissionError for others; roomClosed once ended', async () => {
    const id = await meeting(server, token);
    const c = calls(server, token, id);
    expect(await codeOf(c.stop('uA1'))).toEqual([400, 'recordStopError']);
    expect(await codeOf(c.stop('uA3'))).toEqual([400, 'recordStopPermissionError']);
    await conferenceClient(server.endpoint).closeVideoConferenceWithOptions(
      id,
      new $conference.CloseVideoConferenceRequest({ unionId: 'uA1' }),
      new $conference.CloseVideoConferenceHeaders(headers(token)),
      runtime(),
    );
    expect(await codeOf(c.start('uA1'))).toEqual([400, 'roomClosed']);
    expect(await codeOf(c.stop('uA1'))).toEqual([400, 'roomClosed']);
  });

  it('QueryCloudRecordVideo / PlayInfo: cloudRecordNotFound, and only the meeting\'s people may read', async () => {
    const id = await meeting(server, token);
    const c = calls(server, token, id);
    expect(await codeOf(c.videos('uA1'))).toEqual([400, 'cloudRecordNotFound']);
    const info = await conferenceClient(server.endpoint).queryConferenceInfoWithOptions(id, new $conference.QueryConferenceInfoHeaders(headers(token)), runtime());
    expect(info.body?.confInfo?.cloudRecordStatus).toBe(0);
    expect(await codeOf(c.playInfo('0'.repeat(32), 'vconf-local', 'uA1'))).toEqual([400, 'cloudRecordNotFound']);
    expect(await codeOf(c.videos('uA4'))).toEqual([403, 'noPermission']);
    expect(await codeOf(calls(server, beta, id).videos('uB1'))).toEqual([400, 'orgAccessForbidden']);
  });

  it('StartStreamOut / StopStreamOut: the URL list per the spec, host only, unknown streams', async () => {
    const id = await meeting(server, token);
    const c = calls(server, token, id);
    expect(await codeOf(c.startStream(Array.from({ length: 11 }, (_, i) => `rtmp://127.0.0.1/live/${i}`)))).toEqual([400, 'paramsError']);
    expect(await codeOf(c.startStream([]))).toEqual([400, 'paramsError']);
    expect(await codeOf(c.startStream(['rtmp://127.0.0.1/live/x'], 'nobody'))).toEqual([400, 'unknownUserError']);
    expect(await codeOf(calls(server, beta, id).startStream(['rtmp://127.0.0.1/live/x'], 'uB1'))).toEqual([400, 'orgAccessForbidden']);
    // Nobody is in the meeting: nothing to push.
    expect(await codeOf(c.startStream(['rtmp://127.0.0.1/live/x']))).toEqual([400, 'paramsError']);
    expect(await codeOf(c.stopStream('0123456789abcdef'))).toEqual([400, 'paramsError']);
    expect((await c.stopStream('', true)).body?.code).toBe('200');
  });
});
