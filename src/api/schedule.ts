import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { SCOPE_READ, SCOPE_WRITE } from '../domain/directory.js';
import type { RejectionReason } from '../domain/rejection.js';
import type { Booking, BookingInput, ScheduleSettingsModel } from '../domain/schedule.js';
import { principalOf } from './auth.js';
import { ApiError, type CatalogueKey } from './errors.js';
import { mapRejections } from './rejections.js';
import { bool, num, object, responses, str, strArray } from './schemas.js';

/**
 * Booked meetings of conference_1_0 (spec §d "Scheduled meetings", §e.3, §e.4). Each operation
 * answers with its own documented codes; the choices are in docs/scheduled-meetings.md.
 */

type Errors = Partial<Record<RejectionReason, CatalogueKey>>;

const createErrors: Errors = {
  invalidParams: 'paramsError',
  invalidTitle: 'paramsError',
  unknownUser: 'paramsError',
  orgForbidden: 'orgAccessForbidden',
  notAllowed: 'schedulePermissionError',
  limitReached: 'waterLimitError',
};
/** Update, Cancel and QueryScheduleConference share their codes. */
const changeErrors: Errors = {
  invalidParams: 'paramsError',
  invalidTitle: 'paramsError',
  notFound: 'paramsError',
  unknownUser: 'schedulePermissionError',
  orgForbidden: 'schedulePermissionError',
  notAllowed: 'schedulePermissionError',
  cancelled: 'scheduleCancelled',
};
const infoErrors: Errors = { invalidParams: 'paramsError', notFound: 'invalidScheduleConferenceId', orgForbidden: 'invalidScheduleConferenceId' };
const settingsErrors: Errors = {
  invalidParams: 'scheduleParamError',
  notFound: 'scheduleConferenceIdError',
  orgForbidden: 'noPermission',
  unknownUser: 'userNotInOrg',
  notAllowed: 'creatorUidError',
  cancelled: 'scheduleCancelled',
};

const settingsModel = {
  type: 'object',
  properties: {
    hostUnionId: str,
    cohostUnionIds: strArray,
    confAllowedCorpId: str,
    lockRoom: num,
    muteOnJoin: num,
    screenShareForbidden: num,
    moziConfOpenRecordSetting: { type: 'object' },
    moziConfVirtualExtraSetting: { type: 'object' },
  },
} as const;
const extraOut = object({
  waitingRoom: num,
  joinBeforeHost: num,
  enableChat: num,
  lockNick: num,
  lockMediaStatusMicMute: num,
  enableWebAnonymousJoin: bool,
  moziConfExtensionAppSettings: {
    type: 'array',
    items: object({ clientId: str, coolAppCode: str, autoOpenMode: str, extensionAppBizData: str }),
  },
});
const bookingOut = {
  phones: strArray,
  requestId: str,
  roomCode: str,
  scheduleConferenceId: str,
  url: str,
};
const common = { tags: ['conference_1_0'], security: [{ accessToken: [] }] };

function config(action: string, scope: string, invalid: CatalogueKey, bodyRequired = false) {
  return { action, scope, bodyRequired, onInvalid: (i: { problem: string }) => new ApiError(invalid, i.problem) };
}

const corpOf = (req: FastifyRequest) => principalOf(req).corpId;

type BookingBody = BookingInput & { scheduleConferenceId: string };

export async function scheduleRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const schedule = ctx.schedule;
  const base = '/v1.0/conference/scheduleConferences';

  app.post<{ Body: BookingInput & { scheduleConfSettingModel?: ScheduleSettingsModel } }>(
    base,
    {
      config: config('CreateScheduleConference', SCOPE_WRITE, 'paramsError', true),
      schema: {
        ...common,
        summary: 'CreateScheduleConference — book a meeting: room code and join link at once',
        body: object(
          { creatorUnionId: str, title: str, startTime: num, endTime: num, scheduleConfSettingModel: settingsModel },
          ['creatorUnionId', 'title', 'startTime', 'endTime'],
        ),
        response: responses(object(bookingOut)),
      },
    },
    async (req) => {
      const { scheduleConfSettingModel, ...input } = req.body;
      const view = await mapRejections(createErrors, () => schedule.create(corpOf(req), input, scheduleConfSettingModel, principalOf(req).clientKey));
      return { ...view, requestId: req.id };
    },
  );

  app.put<{ Body: BookingBody }>(
    base,
    {
      config: config('UpdateScheduleConference', SCOPE_WRITE, 'paramsError', true),
      schema: {
        ...common,
        summary: "UpdateScheduleConference — the creator changes a booking's title and times",
        body: object({ creatorUnionId: str, scheduleConferenceId: str, title: str, startTime: num, endTime: num }, [
          'creatorUnionId',
          'scheduleConferenceId',
          'title',
          'startTime',
          'endTime',
        ]),
        response: responses(object({ success: bool })),
      },
    },
    async (req) => {
      const { scheduleConferenceId, ...input } = req.body;
      await mapRejections(changeErrors, () => schedule.update(corpOf(req), scheduleConferenceId, input));
      return { success: true };
    },
  );

  app.post<{ Body: { creatorUnionId: string; scheduleConferenceId: string } }>(
    `${base}/cancel`,
    {
      config: config('CancelScheduleConference', SCOPE_WRITE, 'paramsError', true),
      schema: {
        ...common,
        summary: 'CancelScheduleConference — the creator cancels a booking; its link stops working',
        body: object({ creatorUnionId: str, scheduleConferenceId: str }, ['creatorUnionId', 'scheduleConferenceId']),
        response: responses(object({ success: bool })),
      },
    },
    async (req) => {
      await mapRejections(changeErrors, () => schedule.cancel(corpOf(req), req.body.scheduleConferenceId, req.body.creatorUnionId));
      return { success: true };
    },
  );

  app.get<{ Params: { scheduleConferenceId: string }; Querystring: { requestUnionId: string } }>(
    `${base}/:scheduleConferenceId/infos`,
    {
      config: config('QueryScheduleConference', SCOPE_READ, 'paramsError'),
      schema: {
        ...common,
        summary: 'QueryScheduleConference — a booking: title, times, room code, join link, dial-in numbers',
        params: object({ scheduleConferenceId: str }, ['scheduleConferenceId']),
        querystring: object({ requestUnionId: str }, ['requestUnionId']),
        response: responses(object({ ...bookingOut, title: str, startTime: num, endTime: num })),
      },
    },
    async (req) => {
      const view = await mapRejections(changeErrors, () => schedule.read(corpOf(req), req.params.scheduleConferenceId, req.query.requestUnionId));
      return { ...view, requestId: req.id };
    },
  );

  app.get<{ Params: { scheduleConferenceId: string }; Querystring: { maxResults?: number; nextToken?: string } }>(
    '/v1.0/conference/videoConferences/scheduleConferences/:scheduleConferenceId',
    {
      config: config('QueryScheduleConferenceInfo', SCOPE_READ, 'paramsError'),
      schema: {
        ...common,
        summary: 'QueryScheduleConferenceInfo — the meetings held under a booking, newest first',
        params: object({ scheduleConferenceId: str }, ['scheduleConferenceId']),
        querystring: object({ maxResults: { type: 'integer', minimum: 1 }, nextToken: str }),
        response: responses(
          object({
            conferenceList: {
              type: 'array',
              items: object({ conferenceId: str, endTime: num, roomCode: str, startTime: num, status: num, title: str }),
            },
            nextToken: str,
            totalCount: num,
          }),
        ),
      },
    },
    async (req) => {
      const offset = req.query.nextToken ? Number(req.query.nextToken) : 0;
      if (!Number.isSafeInteger(offset) || offset < 0) throw new ApiError('paramsError', 'nextToken is not a token of this listing');
      const size = Math.min(req.query.maxResults ?? DEFAULT_PAGE, MAX_PAGE);
      const held = await mapRejections(infoErrors, () => schedule.instances(corpOf(req), req.params.scheduleConferenceId));
      const page = held.slice(offset, offset + size);
      const next = offset + size < held.length ? String(offset + size) : undefined;
      return {
        conferenceList: page.map((m) => ({
          conferenceId: m.conferenceId,
          roomCode: m.roomCode,
          status: m.status,
          title: m.title,
          ...(m.startTime !== null ? { startTime: m.startTime } : {}),
          ...(m.endTime !== null ? { endTime: m.endTime } : {}),
        })),
        ...(next ? { nextToken: next } : {}),
        totalCount: held.length,
      };
    },
  );

  app.get<{ Querystring: { scheduleConferenceId: string } }>(
    `${base}/settings`,
    {
      config: config('QueryScheduleConfSettings', SCOPE_READ, 'scheduleParamError'),
      schema: {
        ...common,
        summary: "QueryScheduleConfSettings — a booking's settings model",
        querystring: object({ scheduleConferenceId: str }, ['scheduleConferenceId']),
        response: responses(
          object({
            scheduleConfSettingModel: object({
              cohostUnionIds: strArray,
              confAllowedCorpId: str,
              hostUnionId: str,
              lockRoom: num,
              muteOnJoin: num,
              screenShareForbidden: num,
              moziConfVirtualExtraSetting: extraOut,
            }),
          }),
        ),
      },
    },
    async (req) => {
      const booking = await mapRejections(settingsErrors, () => schedule.settingsOf(corpOf(req), req.query.scheduleConferenceId));
      return { scheduleConfSettingModel: settingsView(booking) };
    },
  );

  app.put<{ Body: { creatorUnionId: string; scheduleConferenceId: string; scheduleConfSettingModel?: ScheduleSettingsModel } }>(
    `${base}/settings`,
    {
      config: config('UpdateScheduleConfSettings', SCOPE_WRITE, 'scheduleParamError', true),
      schema: {
        ...common,
        summary: "UpdateScheduleConfSettings — the creator replaces a booking's settings",
        body: object({ creatorUnionId: str, scheduleConferenceId: str, scheduleConfSettingModel: settingsModel }, [
          'creatorUnionId',
          'scheduleConferenceId',
        ]),
        response: responses(object({ success: bool })),
      },
    },
    async (req) => {
      const { creatorUnionId, scheduleConferenceId, scheduleConfSettingModel } = req.body;
      await mapRejections(settingsErrors, () => schedule.replaceSettings(corpOf(req), scheduleConferenceId, creatorUnionId, scheduleConfSettingModel ?? {}));
      return { success: true };
    },
  );
}

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** The settings as QueryScheduleConfSettings shows them: what was set, with the defaults filled in. */
function settingsView(b: Booking) {
  const s = b.settings ?? {};
  const extra = s.moziConfVirtualExtraSetting ?? {};
  const apps = Array.isArray(extra.moziConfExtensionAppSettings) ? (extra.moziConfExtensionAppSettings as Array<Record<string, unknown>>) : [];
  return {
    hostUnionId: s.hostUnionId || b.creatorUnionId,
    cohostUnionIds: s.cohostUnionIds ?? [],
    ...(s.confAllowedCorpId ? { confAllowedCorpId: s.confAllowedCorpId } : {}),
    lockRoom: s.lockRoom ?? 0,
    muteOnJoin: s.muteOnJoin ?? 0,
    screenShareForbidden: s.screenShareForbidden ?? 0,
    moziConfVirtualExtraSetting: {
      ...extra,
      // The query model spells autoOpenMode as a string (spec §e.4).
      moziConfExtensionAppSettings: apps.map((a) => ({ ...a, ...(a.autoOpenMode !== undefined ? { autoOpenMode: String(a.autoOpenMode) } : {}) })),
    },
  };
}
