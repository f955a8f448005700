import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { REGION_ID } from '../domain/cloud-records.js';
import { SCOPE_READ, SCOPE_WRITE } from '../domain/directory.js';
import type { RejectionReason } from '../domain/rejection.js';
import { principalOf } from './auth.js';
import { ApiError, type CatalogueKey } from './errors.js';
import { mapRejections } from './rejections.js';
import { recordingLinks } from './recording-links.js';
import { bool, num, object, responses, str } from './schemas.js';

/**
 * Cloud recording and stream-out of conference_1_0 (spec §d "Cloud recording and live streaming",
 * §e.3): StartCloudRecord, StopCloudRecord, QueryCloudRecordVideo, QueryCloudRecordVideoPlayInfo,
 * StartStreamOut, StopStreamOut. Without a usable ffmpeg each answers capabilityNotAvailable with
 * the reason `vconf serve` logged at start. docs/recording.md has the choices the spec leaves open.
 */

type Params = { conferenceId: string };
const params = object({ conferenceId: str }, ['conferenceId']);
const codeOk = responses(object({ code: str }));

const common: Partial<Record<RejectionReason, CatalogueKey>> = {
  invalidParams: 'paramsError',
  notFound: 'paramsError',
  unavailable: 'capabilityNotAvailable',
};
const startErrors: Partial<Record<RejectionReason, CatalogueKey>> = {
  ...common,
  ended: 'roomClosed',
  orgForbidden: 'recordStartPermissionError',
  unknownUser: 'recordStartPermissionError',
  notAllowed: 'recordStartPermissionError',
  badCommand: 'recordStartError',
};
const stopErrors: Partial<Record<RejectionReason, CatalogueKey>> = {
  ...common,
  ended: 'roomClosed',
  orgForbidden: 'recordStopPermissionError',
  unknownUser: 'recordStopPermissionError',
  notAllowed: 'recordStopPermissionError',
  badCommand: 'recordStopError',
};
const readErrors: Partial<Record<RejectionReason, CatalogueKey>> = {
  ...common,
  orgForbidden: 'orgAccessForbidden',
  unknownUser: 'unknownUserError',
  notAllowed: 'noPermission',
  nothingRecorded: 'cloudRecordNotFound',
};
/** StartStreamOut / StopStreamOut document only these four codes. */
const streamErrors: Partial<Record<RejectionReason, CatalogueKey>> = {
  ...common,
  ended: 'paramsError',
  orgForbidden: 'orgAccessForbidden',
  unknownUser: 'unknownUserError',
  notAllowed: 'paramsError',
  badCommand: 'paramsError',
};

function config(action: string, scope: string, withBody: boolean) {
  return { action, scope, bodyRequired: withBody, onInvalid: (invalid: { problem: string }) => new ApiError('paramsError', invalid.problem) };
}

function schema(summary: string, extra: Record<string, unknown>, response: ReturnType<typeof responses>) {
  return { tags: ['conference_1_0'], summary, security: [{ accessToken: [] }], params, ...extra, response };
}

const corpOf = (req: FastifyRequest) => principalOf(req).corpId;

export async function cloudRecordRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const records = ctx.recordings;
  // Starting and stopping need the room's media: they run on the instance hosting it.
  const controls = ctx.recordingControls;
  const links = recordingLinks(ctx);
  const base = '/v1.0/conference/videoConferences/:conferenceId';

  app.post<{ Params: Params; Body: { unionId: string; mode?: string; smallWindowPosition?: string } }>(
    `${base}/cloudRecords/start`,
    {
      config: config('StartCloudRecord', SCOPE_WRITE, true),
      schema: schema('StartCloudRecord — the host starts recording the meeting (composite MP4 + HLS)', { body: object({ unionId: str, mode: str, smallWindowPosition: str }, ['unionId']) }, codeOk),
    },
    async (req) => {
      await mapRejections(startErrors, () => controls.start(corpOf(req), req.params.conferenceId, req.body.unionId, req.body.mode, req.body.smallWindowPosition));
      return { code: '200' };
    },
  );

  app.post<{ Params: Params; Body: { unionId: string } }>(
    `${base}/cloudRecords/stop`,
    {
      config: config('StopCloudRecord', SCOPE_WRITE, true),
      schema: schema('StopCloudRecord — the host stops recording; the meeting goes on', { body: object({ unionId: str }, ['unionId']) }, codeOk),
    },
    async (req) => {
      await mapRejections(stopErrors, () => controls.stop(corpOf(req), req.params.conferenceId, req.body.unionId));
      return { code: '200' };
    },
  );

  const video = object({ duration: num, endTime: num, fileSize: num, mediaId: str, recordId: str, recordType: num, regionId: str, startTime: num, unionId: str });
  app.get<{ Params: Params; Querystring: { unionId: string } }>(
    `${base}/cloudRecords/getVideos`,
    {
      config: config('QueryCloudRecordVideo', SCOPE_READ, false),
      schema: schema(
        'QueryCloudRecordVideo — the meeting\'s recording files',
        { querystring: object({ unionId: str }, ['unionId']) },
        responses(object({ videoList: { type: 'array', items: video } })),
      ),
    },
    async (req) => {
      const list = await mapRejections(readErrors, () => records.videos(corpOf(req), req.params.conferenceId, req.query.unionId));
      return {
        videoList: list.map((r) => ({
          duration: r.duration ?? 0,
          endTime: r.endTime ?? r.startTime,
          fileSize: r.fileSize ?? 0,
          mediaId: r.mediaId,
          recordId: r.recordId,
          // 0 = a normal recording (spec §e.1): each StartCloudRecord … Stop run is one file.
          recordType: 0,
          regionId: REGION_ID,
          startTime: r.startTime,
          unionId: r.unionId,
        })),
      };
    },
  );

  app.get<{ Params: Params; Querystring: { mediaId: string; regionId: string; unionId: string } }>(
    `${base}/cloudRecords/videos/getPlayInfos`,
    {
      config: config('QueryCloudRecordVideoPlayInfo', SCOPE_READ, false),
      schema: schema(
        'QueryCloudRecordVideoPlayInfo — signed, expiring HLS and MP4 URLs of one recording',
        { querystring: object({ mediaId: str, regionId: str, unionId: str }, ['mediaId', 'regionId', 'unionId']) },
        responses(object({ duration: num, fileSize: num, mp4FileUrl: str, playUrl: str, status: num })),
      ),
    },
    async (req) => {
      const q = req.query;
      const r = await mapRejections(readErrors, () => records.video(corpOf(req), req.params.conferenceId, q.mediaId, q.regionId, q.unionId));
      const urls = links.urls(r.mediaId);
      // status 1: the file is finished and can be played (only finished files are listed).
      return { duration: r.duration ?? 0, fileSize: r.fileSize ?? 0, mp4FileUrl: urls.mp4, playUrl: urls.hls, status: 1 };
    },
  );

  app.post<{
    Params: Params;
    Body: { unionId: string; mode: string; needHostJoin: boolean; smallWindowPosition: string; streamName: string; streamUrlList: string[] };
  }>(
    `${base}/streamOuts/start`,
    {
      config: config('StartStreamOut', SCOPE_WRITE, true),
      schema: schema(
        'StartStreamOut — push the meeting live to up to 10 RTMP URLs',
        {
          body: object(
            { unionId: str, mode: str, needHostJoin: bool, smallWindowPosition: str, streamName: str, streamUrlList: { type: 'array', items: str } },
            ['unionId', 'mode', 'needHostJoin', 'smallWindowPosition', 'streamName', 'streamUrlList'],
          ),
        },
        responses(object({ failStreamMap: { type: 'object', additionalProperties: true }, successStreamMap: { type: 'object', additionalProperties: true } })),
      ),
    },
    async (req) => {
      const { success, fail } = await mapRejections(streamErrors, () => controls.startStream(corpOf(req), req.params.conferenceId, req.body));
      return { successStreamMap: success, failStreamMap: fail };
    },
  );

  app.post<{ Params: Params; Body: { unionId: string; streamId: string; stopAllStream: boolean } }>(
    `${base}/streamOuts/stop`,
    {
      config: config('StopStreamOut', SCOPE_WRITE, true),
      schema: schema(
        'StopStreamOut — stop one pushed stream, or all of them',
        { body: object({ unionId: str, streamId: str, stopAllStream: bool }, ['unionId']) },
        codeOk,
      ),
    },
    async (req) => {
      const b = req.body;
      await mapRejections(streamErrors, () => controls.stopStream(corpOf(req), req.params.conferenceId, b.unionId, b.streamId ?? '', b.stopAllStream === true));
      return { code: '200' };
    },
  );
}
