import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { SCOPE_READ } from '../domain/directory.js';
import type { Meeting, Member } from '../domain/meeting.js';
import { meetingTimes, type MediaState } from '../domain/meeting-queries.js';
import { joinLink } from '../domain/meetings.js';
import type { Page } from '../domain/page-token.js';
import { principalOf } from './auth.js';
import { ApiError, type CatalogueKey } from './errors.js';
import { mapRejections } from './rejections.js';
import { bool, num, object, responses, str, strArray } from './schemas.js';

/**
 * The read operations of conference_1_0 besides QueryConferenceInfo (spec §d, §e.3): a batch of
 * meetings, meetings by room code, a meeting's members, the organization's meetings in progress,
 * and a user's meetings in progress. Choices are in docs/api-parity.md.
 */

interface PageQuery {
  maxResults?: number;
  nextToken?: string;
}

const pageQuery = object({ maxResults: num, nextToken: str });
const arrayOf = (items: ReturnType<typeof object>) => ({ type: 'array', items }) as const;
const memberModel = object({
  attendStatus: num,
  coHost: bool,
  conferenceId: str,
  duration: num,
  host: bool,
  joinTime: num,
  leaveTime: num,
  outerOrgMember: bool,
  pstnJoin: bool,
  unionId: str,
  userNick: str,
});
const meetingFields = {
  bizType: str,
  conferenceId: str,
  creatorId: str,
  creatorNick: str,
  endTime: num,
  roomCode: str,
  startTime: num,
  status: num,
  title: str,
};
const common = { tags: ['conference_1_0'], security: [{ accessToken: [] }] };

export async function conferenceQueryRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post<{ Body: { conferenceIdList: string[] } }>(
    '/v1.0/conference/videoConferences/query',
    {
      config: {
        action: 'QueryConferenceInfoBatch',
        scope: SCOPE_READ,
        bodyRequired: true,
        onInvalid: (invalid) => new ApiError('paramsError', invalid.problem),
      },
      schema: {
        ...common,
        summary: 'QueryConferenceInfoBatch — meetings that have not ended, with their participants',
        body: object({ conferenceIdList: strArray }, ['conferenceIdList']),
        response: responses(
          object({
            infos: arrayOf(
              object({
                conferenceId: str,
                startTime: num,
                status: num,
                title: str,
                userList: arrayOf(object({ attendStatus: num, cameraStatus: num, micStatus: num, nick: str, userId: str })),
              }),
            ),
          }),
        ),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      const entries = await guarded(req, 'systemError', () =>
        mapRejections({ invalidParams: 'paramsError', orgForbidden: 'permissionError' }, () => ctx.queries.batch(corpId, req.body.conferenceIdList)),
      );
      return {
        infos: entries.map(({ meeting, members }) => ({
          conferenceId: meeting.conferenceId,
          startTime: meetingTimes(meeting).startTime,
          status: meeting.status,
          title: meeting.title,
          userList: members.map(({ member, media }) => ({
            // The unionId; guests who joined by link or passcode have none.
            userId: member.unionId ?? undefined,
            nick: member.nick,
            attendStatus: member.attendStatus,
            ...mediaStatus(media),
          })),
        })),
      };
    },
  );

  app.get<{ Params: { roomCode: string }; Querystring: PageQuery }>(
    '/v1.0/conference/roomCodes/:roomCode/infos',
    {
      config: { action: 'QueryConferenceInfoByRoomCode', scope: SCOPE_READ, onInvalid: () => new ApiError('roomCodeParamError') },
      schema: {
        ...common,
        summary: "QueryConferenceInfoByRoomCode — the organization's meetings behind a room code, newest first",
        params: object({ roomCode: str }, ['roomCode']),
        querystring: pageQuery,
        response: responses(
          object({
            conferenceList: arrayOf(object({ ...meetingFields, confDuration: num, externalLinkUrl: str, scheduleConferenceId: str })),
            hasMore: bool,
            nextToken: str,
            totalCount: num,
          }),
        ),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      if (!req.params.roomCode.trim()) throw new ApiError('missingRoomCode');
      const page = await guarded(req, 'roomCodeSystemError', () =>
        mapRejections({ notFound: 'invalidRoomCode', invalidParams: 'roomCodeParamError', orgForbidden: 'roomCodeNoPermission' }, () =>
          ctx.queries.byRoomCode(corpId, req.params.roomCode, req.query),
        ),
      );
      return {
        conferenceList: page.items.map((m) => ({
          ...meetingItem(m),
          externalLinkUrl: joinLink(ctx.links.base, m),
          scheduleConferenceId: m.scheduleConferenceId ?? undefined,
        })),
        ...pageFields(page),
      };
    },
  );

  app.get<{ Params: { conferenceId: string }; Querystring: PageQuery }>(
    '/v1.0/conference/videoConferences/:conferenceId/members',
    {
      config: { action: 'QueryConferenceMembers', scope: SCOPE_READ, onInvalid: () => new ApiError('paramError') },
      schema: {
        ...common,
        summary: "QueryConferenceMembers — a meeting's member records, paged",
        params: object({ conferenceId: str }, ['conferenceId']),
        querystring: pageQuery,
        response: responses(object({ memberModels: arrayOf(memberModel), nextToken: str, totalCount: num })),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      if (!req.params.conferenceId) throw new ApiError('missingRoomId');
      const page = await guarded(req, 'querySystemError', () =>
        mapRejections({ notFound: 'roomNotFound', orgForbidden: 'noPermission', invalidParams: 'paramError' }, () =>
          ctx.queries.members(corpId, req.params.conferenceId, req.query),
        ),
      );
      return { memberModels: page.items.map(memberView), nextToken: page.nextToken, totalCount: page.totalCount };
    },
  );

  app.get<{ Querystring: PageQuery }>(
    '/v1.0/conference/orgConferences',
    {
      config: { action: 'QueryOrgConferenceList', scope: SCOPE_READ, onInvalid: () => new ApiError('paramError') },
      schema: {
        ...common,
        summary: "QueryOrgConferenceList — the token organization's meetings in progress, newest first",
        querystring: pageQuery,
        response: responses(object({ onGoingConfList: arrayOf(object(meetingFields)), hasMore: bool, nextToken: str, totalCount: num })),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      const page = await guarded(req, 'querySystemError', () =>
        mapRejections({ invalidParams: 'paramError' }, () => ctx.queries.orgInProgress(corpId, req.query)),
      );
      return { onGoingConfList: page.items.map(meetingItem), ...pageFields(page) };
    },
  );

  app.get<{ Querystring: { unionId: string } }>(
    '/v1.0/conference/users/lists',
    {
      config: {
        action: 'QueryUserOnGoingConference',
        scope: SCOPE_READ,
        onInvalid: (invalid) => new ApiError(invalid.problem === 'unionId is required' ? 'missingUserInfo' : 'userParamError'),
      },
      schema: {
        ...common,
        summary: 'QueryUserOnGoingConference — the meetings a user is in now, keyed by conferenceId',
        querystring: object({ unionId: str }, ['unionId']),
        response: responses(
          object({
            onGoingConfIdList: strArray,
            memberModelMap: { type: 'object', additionalProperties: object({ ...memberModel.properties, deviceType: str }) },
          }),
        ),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      if (!req.query.unionId) throw new ApiError('missingUserInfo');
      const ongoing = await guarded(req, 'userSystemError', () =>
        mapRejections({ unknownUser: 'userParamError' }, () => ctx.queries.userInProgress(corpId, req.query.unionId)),
      );
      return {
        onGoingConfIdList: ongoing.map((o) => o.meeting.conferenceId),
        memberModelMap: Object.fromEntries(ongoing.map((o) => [o.meeting.conferenceId, memberView(o.member)])),
      };
    },
  );
}

/** Unexpected failures answer with this operation's own system error; the cause is logged with the request id. */
async function guarded<T>(req: FastifyRequest, key: CatalogueKey, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    req.log.error({ err, requestId: req.id }, 'unexpected error');
    throw new ApiError(key, `internal error, request id ${req.id}`);
  }
}

/** cameraStatus / micStatus: 1 off, 2 on — only for people in the room, whose page reports them. */
function mediaStatus(media: MediaState | undefined) {
  return media ? { cameraStatus: media.camera ? 2 : 1, micStatus: media.mic ? 2 : 1 } : {};
}

function memberView(m: Member) {
  return {
    attendStatus: m.attendStatus,
    coHost: m.coHost,
    conferenceId: m.conferenceId,
    duration: m.duration,
    host: m.host,
    joinTime: m.joinTime ?? undefined,
    leaveTime: m.leaveTime ?? undefined,
    outerOrgMember: m.outerOrgMember,
    pstnJoin: m.pstnJoin,
    unionId: m.unionId ?? undefined,
    userNick: m.nick,
  };
}

function meetingItem(m: Meeting) {
  return {
    bizType: m.bizType,
    conferenceId: m.conferenceId,
    creatorId: m.creatorUnionId,
    creatorNick: m.creatorNick,
    roomCode: m.roomCode,
    status: m.status,
    title: m.title,
    ...meetingTimes(m),
  };
}

function pageFields<T>(page: Page<T>) {
  return { hasMore: page.nextToken !== undefined, nextToken: page.nextToken, totalCount: page.totalCount };
}
