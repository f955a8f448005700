import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { packageRoot } from '../paths.js';
import type { Context } from '../context.js';
import { SCOPE_READ } from '../domain/directory.js';
import { metricStrings, type MetricSample } from '../domain/metric-sample.js';
import type { MeetingRecord } from '../domain/statistics.js';
import { principalOf } from './auth.js';
import { ApiError } from './errors.js';
import { mapRejections } from './rejections.js';
import { bool, num, object, responses, str, strArray } from './schemas.js';

/**
 * The statistics operations of conference_1_0 (spec §d "Statistics and quality data"), answered
 * from member records and the media-quality samples the rooms measure (src/rtc/stats). Metrics are
 * strings on the wire, as the SDK's models have them. Choices are in docs/statistics.md.
 */

const common = { tags: ['conference_1_0'], security: [{ accessToken: [] }] };
const arrayOf = (items: ReturnType<typeof object>) => ({ type: 'array', items }) as const;
const invalid = (i: { problem: string }) => new ApiError('statisticsParamError', i.problem);
const rejections = { notFound: 'roomNotFound', orgForbidden: 'noPermission', invalidParams: 'statisticsParamError' } as const;

const meetingRecordFields = {
  conferenceId: str,
  creatorId: str,
  creatorNick: str,
  deptName: str,
  endTime: num,
  freeType: str,
  scene: str,
  startTime: num,
  timeLength: num,
  title: str,
  userCount: num,
};
const metricNames = [
  'audioPlayLevel',
  'audioRecLevel',
  'audioRecvBitRate',
  'audioSendBitRate',
  'cameraRecvBitRate',
  'cameraRecvFrame',
  'cameraRecvResolutionActual',
  'cameraSendBitRate',
  'cameraSendFrame',
  'cameraSendResolutionActual',
  'lostRate',
  'recvBitRate',
  'roundTripTime',
  'screenRecvBitRate',
  'screenRecvFrame',
  'screenRecvResolutionActual',
  'screenSendBitRate',
  'screenSendFrame',
  'screenSendResolutionActual',
  'sendBitRate',
] as const;
const metricFields = { ...Object.fromEntries(metricNames.map((n) => [n, str])), timestamp: num };
const lastMetricFields = { ...metricFields, audioJitterAvg: str, audioJitterMax: str };

export async function conferenceStatisticsRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get<{ Params: { conferenceId: string }; Querystring: { realData: boolean } }>(
    '/v1.0/conference/videoConferences/:conferenceId/infos',
    {
      config: { action: 'GetConfDataByConferenceId', scope: SCOPE_READ, onInvalid: invalid },
      schema: {
        ...common,
        summary: "GetConfDataByConferenceId — one meeting's statistics record",
        params: object({ conferenceId: str }, ['conferenceId']),
        querystring: object({ realData: bool }, ['realData']),
        response: responses(object(meetingRecordFields)),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      if (!req.params.conferenceId) throw new ApiError('missingRoomId');
      const record = await guarded(req, () => mapRejections(rejections, () => ctx.statistics.conference(corpId, req.params.conferenceId)));
      return recordView(record);
    },
  );

  app.get<{ Params: { conferenceId: string }; Querystring: { maxResults?: number; nextToken?: string; nick?: string } }>(
    '/v1.0/conference/videoConferences/:conferenceId/details',
    {
      config: { action: 'GetConfDetailData', scope: SCOPE_READ, onInvalid: invalid },
      schema: {
        ...common,
        summary: 'GetConfDetailData — the people who joined a meeting, with times, role and network quality, paged',
        params: object({ conferenceId: str }, ['conferenceId']),
        querystring: object({ maxResults: num, nextToken: str, nick: str }),
        response: responses(
          object({
            list: arrayOf(
              object({
                belongOrg: str,
                conferenceId: str,
                deviceType: str,
                duration: num,
                joinTime: num,
                leaveTime: num,
                networkQuality: str,
                nick: str,
                role: str,
                sessionId: str,
                status: str,
                unionId: str,
                version: str,
              }),
            ),
            nextToken: str,
          }),
        ),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      if (!req.params.conferenceId) throw new ApiError('missingRoomId');
      const page = await guarded(req, () => mapRejections(rejections, () => ctx.statistics.participants(corpId, req.params.conferenceId, req.query)));
      return {
        list: page.items.map(({ member, role, networkQuality }) => ({
          belongOrg: member.corpId ?? '',
          conferenceId: member.conferenceId,
          // Every way into vconf is a browser; PSTN members come through the phone bridge.
          deviceType: member.pstnJoin ? 'phone' : 'web',
          duration: member.duration,
          joinTime: member.joinTime ?? undefined,
          leaveTime: member.leaveTime ?? undefined,
          networkQuality,
          nick: member.nick,
          role,
          sessionId: member.memberId,
          status: String(member.attendStatus),
          unionId: member.unionId ?? undefined,
          version: VERSION,
        })),
        nextToken: page.nextToken,
      };
    },
  );

  app.get<{
    Querystring: { startTime: number; endTime: number; realData: boolean; maxResults?: number; nextToken?: string; title?: string; creatorNike?: string; freeType?: string; scene?: string };
  }>(
    '/v1.0/conference/videoConferences/histories/dataLists',
    {
      config: { action: 'GetHistoryConfDataList', scope: SCOPE_READ, onInvalid: invalid },
      schema: {
        ...common,
        summary: "GetHistoryConfDataList — the organization's meetings that started in a time window, newest first",
        querystring: object(
          { startTime: num, endTime: num, realData: bool, maxResults: num, nextToken: str, title: str, creatorNike: str, freeType: str, scene: str },
          ['startTime', 'endTime', 'realData'],
        ),
        response: responses(object({ list: arrayOf(object(meetingRecordFields)), nextToken: str })),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      const q = req.query;
      const page = await guarded(req, () =>
        mapRejections(rejections, () =>
          ctx.statistics.history(corpId, { startTime: q.startTime, endTime: q.endTime, maxResults: q.maxResults, nextToken: q.nextToken, title: q.title, creatorNick: q.creatorNike }),
        ),
      );
      return { list: page.items.map(recordView), nextToken: page.nextToken };
    },
  );

  app.post<{ Params: { conferenceId: string }; Body: { unionIdList: string[] } }>(
    '/v1.0/conference/videoConferences/:conferenceId/lastMetricDatas/query',
    {
      config: { action: 'GetUserLastMetric', scope: SCOPE_READ, bodyRequired: true, onInvalid: invalid },
      schema: {
        ...common,
        summary: 'GetUserLastMetric — the newest media-quality sample of each person, keyed by unionId',
        params: object({ conferenceId: str }, ['conferenceId']),
        body: object({ unionIdList: strArray }, ['unionIdList']),
        response: responses(object({ metricMap: { type: 'object', additionalProperties: object(lastMetricFields) } })),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      if (!req.params.conferenceId) throw new ApiError('missingRoomId');
      const samples = await guarded(req, () => mapRejections(rejections, () => ctx.statistics.lastMetrics(corpId, req.params.conferenceId, req.body.unionIdList)));
      return {
        metricMap: Object.fromEntries(samples.map((s) => [s.unionId ?? s.memberId, { ...metricView(s), audioJitterAvg: jitter(s.figures.audioJitterAvg), audioJitterMax: jitter(s.figures.audioJitterMax) }])),
      };
    },
  );

  app.get<{ Params: { conferenceId: string }; Querystring: { beginTime: number; endTime: number; unionId: string } }>(
    '/v1.0/conference/videoConferences/:conferenceId/metricDatas',
    {
      config: { action: 'GetUserMetricData', scope: SCOPE_READ, onInvalid: invalid },
      schema: {
        ...common,
        summary: "GetUserMetricData — one person's media-quality samples in a time window, oldest first",
        params: object({ conferenceId: str }, ['conferenceId']),
        querystring: object({ beginTime: num, endTime: num, unionId: str }, ['beginTime', 'endTime', 'unionId']),
        response: responses(object({ metricDataList: arrayOf(object(metricFields)) })),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      if (!req.params.conferenceId) throw new ApiError('missingRoomId');
      const { unionId, beginTime, endTime } = req.query;
      const samples = await guarded(req, () => mapRejections(rejections, () => ctx.statistics.metrics(corpId, req.params.conferenceId, unionId, beginTime, endTime)));
      return { metricDataList: samples.map(metricView) };
    },
  );
}

/** vconf's version, reported as each participant's client version (every client is vconf's own page). */
const VERSION = String((JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: unknown }).version ?? '');

function recordView(r: MeetingRecord) {
  return {
    conferenceId: r.meeting.conferenceId,
    creatorId: r.meeting.creatorUnionId,
    creatorNick: r.meeting.creatorNick,
    // vconf's directory has organizations, not departments: the organization's name.
    deptName: r.orgName,
    endTime: r.endTime,
    startTime: r.startTime,
    timeLength: r.timeLength,
    title: r.meeting.title,
    userCount: r.userCount,
  };
}

function metricView(s: MetricSample) {
  const { audioJitterAvg: _avg, audioJitterMax: _max, ...rest } = metricStrings(s.figures);
  return { ...rest, timestamp: s.at };
}

function jitter(ms: number): string {
  return String(Math.round(ms));
}

/** Unexpected failures answer systemError; the cause is logged with the request id. */
async function guarded<T>(req: FastifyRequest, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    req.log.error({ err, requestId: req.id }, 'unexpected error');
    throw new ApiError('querySystemError', `internal error, request id ${req.id}`);
  }
}
