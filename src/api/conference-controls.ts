import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import type { MemberRef, SettingsRequest } from '../domain/conference-controls.js';
import { SCOPE_WRITE } from '../domain/directory.js';
import type { RejectionReason } from '../domain/rejection.js';
import { principalOf } from './auth.js';
import { ApiError, type CatalogueKey } from './errors.js';
import { mapRejections } from './rejections.js';
import { bool, num, object, responses, str } from './schemas.js';

/**
 * In-meeting controls of conference_1_0 (spec §d "In-meeting controls", §e.3), each acting on the
 * live room at once. Choices where the spec is silent are in docs/conference-controls.md.
 */

type Params = { conferenceId: string };

const params = object({ conferenceId: str }, ['conferenceId']);
const memberRef = object({ participantId: str, unionId: str });
const memberList = { type: 'array', items: memberRef } as const;
const ok = responses(object({ success: bool }));

/** The codes InviteUsers' family of operations answers with (spec §e.3), plus the ones they share with Close. */
const controlErrors: Partial<Record<RejectionReason, CatalogueKey>> = {
  invalidParams: 'paramsError',
  badCommand: 'paramsError',
  notFound: 'paramsError',
  orgForbidden: 'orgAccessForbidden',
  unknownUser: 'unknownUserError',
  ended: 'resourceClose',
};
const closeErrors: Partial<Record<RejectionReason, CatalogueKey>> = { ...controlErrors, notAllowed: 'permissionError' };
/** LockConference documents its own codes. */
const lockErrors: Partial<Record<RejectionReason, CatalogueKey>> = {
  invalidParams: 'paramsError',
  notFound: 'paramsError',
  badCommand: 'commandError',
  orgForbidden: 'lockNoPermission',
  ended: 'confClosed',
};

function config(action: string, withBody: boolean) {
  return {
    action,
    scope: SCOPE_WRITE,
    bodyRequired: withBody,
    onInvalid: (invalid: { problem: string }) => new ApiError('paramsError', invalid.problem),
  };
}

function schema(summary: string, body: ReturnType<typeof object> | undefined, response: ReturnType<typeof responses>) {
  return { tags: ['conference_1_0'], summary, security: [{ accessToken: [] }], params, ...(body ? { body } : {}), response };
}

const corpOf = (req: FastifyRequest) => principalOf(req).corpId;
const refs = (list: Array<{ unionId?: string; participantId?: string }>): MemberRef[] =>
  list.map((u) => ({ unionId: u.unionId, participantId: u.participantId }));

export async function conferenceControlRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const controls = ctx.controls;
  const base = '/v1.0/conference/videoConferences/:conferenceId';

  app.delete<{ Params: Params; Querystring: { unionId: string } }>(
    base,
    {
      config: config('CloseVideoConference', false),
      schema: {
        ...schema('CloseVideoConference — a host ends the meeting for everyone', undefined, responses(object({ code: num, cause: str }))),
        querystring: object({ unionId: str }, ['unionId']),
      },
    },
    async (req) => {
      await mapRejections(closeErrors, () => controls.close(corpOf(req), req.params.conferenceId, req.query.unionId));
      // DingTalk's documented body, spelling included (docs/conference-controls.md).
      return { code: 200, cause: 'sucess' };
    },
  );

  app.put<{ Params: Params; Body: SettingsRequest }>(
    base,
    {
      config: config('UpdateVideoConferenceSetting', true),
      schema: schema(
        'UpdateVideoConferenceSetting — lock, mute all, self-unmute, screen-share ban, internal only, host hand-over',
        object({
          allowUnmuteSelf: bool,
          autoTransferHost: bool,
          forbiddenShareScreen: bool,
          lockConference: bool,
          muteAll: bool,
          onlyInternalEmployeesJoin: bool,
        }),
        responses(object({ case: str, code: str })),
      ),
    },
    async (req) => {
      await mapRejections(controlErrors, () => controls.updateSettings(corpOf(req), req.params.conferenceId, req.body));
      return { case: 'success', code: '200' };
    },
  );

  app.post<{ Params: Params; Body: { unionId?: string; inviteeList?: Array<{ unionId?: string; nick?: string }>; phoneInviteeList?: unknown[] } }>(
    `${base}/users/invite`,
    {
      config: config('InviteUsers', true),
      schema: schema(
        'InviteUsers — call colleagues into a running meeting',
        object({
          unionId: str,
          inviteeList: { type: 'array', items: object({ unionId: str, nick: str }) },
          phoneInviteeList: { type: 'array', items: object({ phoneNumber: str, nick: str, inviteClient: bool, statusCode: str }) },
        }),
        ok,
      ),
    },
    async (req) => {
      await mapRejections(controlErrors, () =>
        controls.invite(corpOf(req), req.params.conferenceId, req.body.inviteeList ?? [], req.body.phoneInviteeList?.length ?? 0),
      );
      // Invitees who have vconf open hear it ring; the inviter is named when the directory knows them.
      const invitees = (req.body.inviteeList ?? []).flatMap((i) => (i.unionId ? [i.unionId] : []));
      const inviter = req.body.unionId ? (await ctx.directory.findUsers([req.body.unionId])).find((u) => u.corpId === corpOf(req))?.name : undefined;
      await ctx.accounts.ringer.ring(req.params.conferenceId, inviter, invitees).catch((err: unknown) => req.log.warn({ err }, 'ringing failed'));
      return { success: true };
    },
  );

  app.post<{ Params: Params; Body: { userList: Array<{ unionId?: string; participantId?: string }>; forbiddenRejoin?: boolean } }>(
    `${base}/members/kick`,
    {
      config: config('KickMembers', true),
      schema: schema('KickMembers — remove members, optionally for good', object({ userList: memberList, forbiddenRejoin: bool }, ['userList']), ok),
    },
    async (req) => {
      await mapRejections(controlErrors, () =>
        controls.kick(corpOf(req), req.params.conferenceId, refs(req.body.userList), req.body.forbiddenRejoin ?? false),
      );
      return { success: true };
    },
  );

  app.post<{ Params: Params; Body: { action: string; userList: Array<{ unionId?: string; participantId?: string }> } }>(
    `${base}/members/mute`,
    {
      config: config('MuteMembers', true),
      schema: schema('MuteMembers — mute one member, or let them speak again', object({ action: str, userList: memberList }, ['action', 'userList']), ok),
    },
    async (req) => {
      await mapRejections(controlErrors, () => controls.mute(corpOf(req), req.params.conferenceId, req.body.action, refs(req.body.userList)));
      return { success: true };
    },
  );

  app.post<{ Params: Params; Body: { action: string; forceMute?: boolean } }>(
    `${base}/allMembers/mute`,
    {
      config: config('MuteAll', true),
      schema: schema('MuteAll — mute everyone but the hosts; forceMute stops self-unmuting', object({ action: str, forceMute: bool }, ['action']), ok),
    },
    async (req) => {
      await mapRejections(controlErrors, () => controls.muteAll(corpOf(req), req.params.conferenceId, req.body.action, req.body.forceMute ?? false));
      return { success: true };
    },
  );

  app.post<{ Params: Params; Body: { action: string } }>(
    `${base}/lock`,
    {
      config: config('LockConference', true),
      schema: schema('LockConference — nobody new may join while locked', object({ action: str }, ['action']), ok),
    },
    async (req) => {
      await mapRejections(lockErrors, () => controls.lock(corpOf(req), req.params.conferenceId, req.body.action));
      return { success: true };
    },
  );

  app.post<{ Params: Params; Body: { action: string; userList: Array<{ unionId: string }> } }>(
    `${base}/coHosts/set`,
    {
      config: config('Cohosts', true),
      schema: schema(
        'Cohosts — give or take the co-host role',
        object({ action: str, userList: { type: 'array', items: object({ unionId: str }, ['unionId']) } }, ['action', 'userList']),
        ok,
      ),
    },
    async (req) => {
      await mapRejections(controlErrors, () => controls.cohosts(corpOf(req), req.params.conferenceId, req.body.action, refs(req.body.userList)));
      return { success: true };
    },
  );

  app.post<{ Params: Params; Body: { action: string; unionId?: string } }>(
    `${base}/focus`,
    {
      config: config('Focus', true),
      schema: schema('Focus — every page spotlights one member, or nobody', object({ action: str, unionId: str }, ['action']), ok),
    },
    async (req) => {
      await mapRejections(controlErrors, () => controls.focus(corpOf(req), req.params.conferenceId, req.body.action, req.body.unionId));
      return { success: true };
    },
  );
}
