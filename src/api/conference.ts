import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { SCOPE_READ, SCOPE_WRITE } from '../domain/directory.js';
import { AttendStatus, type Meeting, type Member } from '../domain/meeting.js';
import { joinLink } from '../domain/meetings.js';
import { meetingTimes } from '../domain/meeting-queries.js';
import { principalOf } from './auth.js';
import { ApiError } from './errors.js';
import { mapRejections } from './rejections.js';
import { bool, num, object, responses, str, strArray } from './schemas.js';
import { extInfoFields } from './conference-extras.js';

interface CreateBody {
  userId: string;
  confTitle: string;
  inviteUserIds?: string[];
  inviteCaller?: boolean;
}

const confInfo = object({
  activeNum: num,
  attendNum: num,
  bizType: str,
  confDuration: num,
  conferenceId: str,
  creatorId: str,
  creatorNick: str,
  endTime: num,
  externalLinkUrl: str,
  invitedNum: num,
  roomCode: str,
  scheduleConferenceId: str,
  startTime: num,
  status: num,
  title: str,
  ...extInfoFields,
  cloudRecordStatus: num,
  cloudRecordOwnerUnionId: str,
});

export async function conferenceRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post<{ Body: CreateBody }>(
    '/v1.0/conference/videoConferences',
    {
      config: {
        action: 'CreateVideoConference',
        scope: SCOPE_WRITE,
        bodyRequired: true,
        // The title has its own error code; every other malformed field is paramsError.
        onInvalid: (invalid) =>
          invalid.field === 'confTitle' ? new ApiError('paramsTitleError', invalid.problem) : new ApiError('paramsError', invalid.problem),
      },
      schema: {
        tags: ['conference_1_0'],
        summary: 'CreateVideoConference — start an instant video meeting',
        security: [{ accessToken: [] }],
        body: object({ userId: str, confTitle: str, inviteUserIds: strArray, inviteCaller: bool }, ['userId', 'confTitle']),
        response: responses(
          object({
            conferenceId: str,
            conferencePassword: str,
            hostPassword: str,
            externalLinkUrl: str,
            phoneNumbers: strArray,
            roomCode: str,
          }),
        ),
      },
    },
    async (req) => {
      const { corpId, clientKey } = principalOf(req);
      const created = await mapRejections(
        {
          invalidTitle: 'paramsTitleError',
          invalidParams: 'paramsError',
          unknownUser: 'unknownUserError',
          orgForbidden: 'orgAccessForbidden',
          notAllowed: 'permissionError',
          limitReached: 'waterLimitError',
        },
        () =>
          ctx.meetings.create(corpId, {
            organizerUnionId: req.body.userId,
            title: req.body.confTitle,
            inviteUnionIds: req.body.inviteUserIds ?? [],
            inviteCaller: req.body.inviteCaller ?? true,
            appKey: clientKey,
          }),
      );
      // Invited people (and the caller, with inviteCaller) who have vconf open hear it ring.
      await ctx.accounts.ringer.ring(created.conferenceId).catch((err: unknown) => req.log.warn({ err }, 'ringing failed'));
      return created;
    },
  );

  app.get<{ Params: { conferenceId: string } }>(
    '/v1.0/conference/videoConferences/:conferenceId',
    {
      config: { action: 'QueryConferenceInfo', scope: SCOPE_READ, onInvalid: () => new ApiError('paramError') },
      schema: {
        tags: ['conference_1_0'],
        summary: 'QueryConferenceInfo — one meeting: status, counts, times, join link',
        security: [{ accessToken: [] }],
        params: object({ conferenceId: str }, ['conferenceId']),
        response: responses(object({ confInfo })),
      },
    },
    async (req) => {
      const { corpId } = principalOf(req);
      if (!req.params.conferenceId) throw new ApiError('missingRoomId');
      const { meeting, members } = await mapRejections({ notFound: 'roomNotFound', orgForbidden: 'noPermission' }, () =>
        ctx.meetings.find(corpId, req.params.conferenceId),
      );
      const ext = await ctx.extras.extInfo(meeting.conferenceId);
      const recording = await ctx.recordings.status(meeting.conferenceId);
      return { confInfo: { ...describeMeeting(meeting, members, ctx.links.base), ...extInfoView(ext), ...recording } };
    },
  );
}

/** The confInfo view of a meeting; endTime and confDuration appear only once it has ended. */
function describeMeeting(meeting: Meeting, members: Member[], publicUrl: string) {
  const { startTime, ...ending } = meetingTimes(meeting);
  return {
    activeNum: members.filter((m) => m.attendStatus === AttendStatus.active).length,
    attendNum: members.filter((m) => m.joinTime !== null).length,
    bizType: meeting.bizType,
    conferenceId: meeting.conferenceId,
    creatorId: meeting.creatorUnionId,
    creatorNick: meeting.creatorNick,
    externalLinkUrl: joinLink(publicUrl, meeting),
    invitedNum: members.filter((m) => m.invitedAt !== null).length,
    roomCode: meeting.roomCode,
    scheduleConferenceId: meeting.scheduleConferenceId ?? undefined,
    startTime,
    status: meeting.status,
    title: meeting.title,
    ...ending,
  };
}

/** What UpdateVideoConferenceExtInfo stored: its extensionAppSettings, and the whole as the extInfo JSON. */
function extInfoView(ext: Record<string, unknown> | undefined) {
  if (!ext) return {};
  return {
    ...(Array.isArray(ext.extensionAppSettings) ? { extensionAppSettings: ext.extensionAppSettings } : {}),
    extInfo: typeof ext.extInfo === 'string' ? ext.extInfo : JSON.stringify(ext),
  };
}
