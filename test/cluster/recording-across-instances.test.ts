/**
 * Issue 12 with several instances (PostgreSQL + Redis): the meeting's room lives on one instance
 * while the SDK's recording and stream-out calls reach the other. The other asks the host over the
 * cluster bus and answers with the host's result or rejection, as a local call would; the files,
 * on a `--recordings` both share, are listed and served by either.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { startInstances, type Instances } from '../../tools/cluster.js';
import { enterRoom, eventually } from '../e2e/support/room.js';
import { directory } from '../support/fixtures.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError, slowRuntime } from '../support/sdk.js';

const ready = await requires(import.meta.url, 'postgres', 'redis', 'chromium', 'tool:ffmpeg');

describe.skipIf(!ready)('recording and stream-out called on an instance that does not host the room', () => {
  let cluster: Instances;
  let browser: Browser;
  let page: Page;
  let token: string;
  let conferenceId: string;
  /** `host` runs the room; `other` receives every SDK call. */
  let host: Instances['list'][number];
  let other: Instances['list'][number];
  const shared = mkdtempSync(join(tmpdir(), 'vconf-shared-recordings-'));
  const sdk = () => conferenceClient(other.endpoint);

  beforeAll(async () => {
    cluster = await startInstances({ count: 2, directory, flags: ['--recordings', shared] });
    token = await appToken(cluster.list[1]!.endpoint, 'acme-app', 's3cret');
    browser = await launchBrowser();
    const m = (
      await conferenceClient(cluster.list[1]!.endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Recorded across' }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    conferenceId = m.conferenceId!;
    const entry = await cluster.entryThrough(0);
    const link = new URL(m.externalLinkUrl!);
    page = (await newParticipant(browser)).page;
    await page.goto(`${entry.url}${link.pathname}${link.search}`);
    await enterRoom(page, 'Ann');
    const hostId = await cluster.roomHost(conferenceId);
    host = cluster.list.find((i) => i.id === hostId)!;
    other = cluster.list.find((i) => i.id !== hostId)!;
    expect(host).toBeDefined();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    rmSync(shared, { recursive: true, force: true });
  });

  it('refuses a non-host with the spec’s error, starts and stops on the host, and lists the file through the other instance', async () => {
    const refused = await sdkError(
      sdk().startCloudRecordWithOptions(conferenceId, new $conference.StartCloudRecordRequest({ unionId: 'uA2', mode: 'grid' }), new $conference.StartCloudRecordHeaders({ xAcsDingtalkAccessToken: token }), runtime()),
    );
    expect([refused.statusCode, refused.code]).toEqual([404, 'recordStartPermissionError']);

    const started = await sdk().startCloudRecordWithOptions(
      conferenceId,
      new $conference.StartCloudRecordRequest({ unionId: 'uA1', mode: 'grid' }),
      new $conference.StartCloudRecordHeaders({ xAcsDingtalkAccessToken: token }),
      slowRuntime(),
    );
    expect(started.body?.code).toBe('200');
    // The recording runs where the room is: the page on the host shows it.
    await page.getByTestId('recording-indicator').waitFor({ state: 'visible', timeout: 5000 });
    // The host's own rule, carried back: a second start is its recordStartError.
    const again = await sdkError(
      sdk().startCloudRecordWithOptions(conferenceId, new $conference.StartCloudRecordRequest({ unionId: 'uA1' }), new $conference.StartCloudRecordHeaders({ xAcsDingtalkAccessToken: token }), slowRuntime()),
    );
    expect([again.statusCode, again.code, again.message]).toEqual([404, 'recordStartError', expect.stringContaining('already being recorded')]);
    await new Promise((r) => setTimeout(r, 3000));
    const stopped = await sdk().stopCloudRecordWithOptions(conferenceId, new $conference.StopCloudRecordRequest({ unionId: 'uA1' }), new $conference.StopCloudRecordHeaders({ xAcsDingtalkAccessToken: token }), slowRuntime());
    expect(stopped.body?.code).toBe('200');
    await page.getByTestId('recording-indicator').waitFor({ state: 'hidden', timeout: 5000 });

    const list = await eventually(
      async () =>
        (
          await sdk()
            .queryCloudRecordVideoWithOptions(conferenceId, new $conference.QueryCloudRecordVideoRequest({ unionId: 'uA1' }), new $conference.QueryCloudRecordVideoHeaders({ xAcsDingtalkAccessToken: token }), slowRuntime())
            .catch(() => undefined)
        )?.body?.videoList ?? [],
      (l) => l.length === 1,
      20_000,
    );
    expect(list[0]).toMatchObject({ unionId: 'uA1', regionId: 'vconf-local' });
    expect(list[0]!.fileSize).toBeGreaterThan(1000);
    expect(list[0]!.duration).toBeGreaterThan(0);
    // The signed MP4 link works on the instance that did not record it: the storage is shared.
    const info = await sdk().queryCloudRecordVideoPlayInfoWithOptions(
      conferenceId,
      new $conference.QueryCloudRecordVideoPlayInfoRequest({ mediaId: list[0]!.mediaId!, regionId: 'vconf-local', unionId: 'uA1' }),
      new $conference.QueryCloudRecordVideoPlayInfoHeaders({ xAcsDingtalkAccessToken: token }),
      slowRuntime(),
    );
    const mp4 = new URL(info.body!.mp4FileUrl!);
    const part = await fetch(`${other.url}${mp4.pathname}${mp4.search}`, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
  }, 60_000);

  it('StartStreamOut and StopStreamOut reach the host: its answer (failStreamMap) comes back through the other instance', async () => {
    const res = await sdk().startStreamOutWithOptions(
      conferenceId,
      new $conference.StartStreamOutRequest({ unionId: 'uA1', mode: 'grid', needHostJoin: false, smallWindowPosition: 'relative_right', streamName: 'Live', streamUrlList: ['http://example.com/live'] }),
      new $conference.StartStreamOutHeaders({ xAcsDingtalkAccessToken: token }),
      slowRuntime(),
    );
    expect(res.body?.successStreamMap).toEqual({});
    expect(res.body?.failStreamMap?.['http://example.com/live']).toMatch(/rtmp/);
    const missing = await sdkError(
      sdk().stopStreamOutWithOptions(
        conferenceId,
        new $conference.StopStreamOutRequest({ unionId: 'uA1', streamId: 'nosuchstream', stopAllStream: false }),
        new $conference.StopStreamOutHeaders({ xAcsDingtalkAccessToken: token }),
        slowRuntime(),
      ),
    );
    expect([missing.statusCode, missing.code]).toEqual([400, 'paramsError']);
    expect(missing.message).toContain('no stream nosuchstream');
  });
});
