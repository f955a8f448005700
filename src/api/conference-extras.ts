import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { SCOPE_WRITE } from '../domain/directory.js';
import { MeetingStatus } from '../domain/meeting.js';
import { joinLink } from '../domain/meetings.js';
import { Rejection, type RejectionReason } from '../domain/rejection.js';
import { randomToken } from '../domain/secrets.js';
import { principalOf } from './auth.js';
import { ApiError, type CatalogueKey } from './errors.js';
import { mapRejections } from './rejections.js';
import { bool, num, object, responses, str } from './schemas.js';

/** Largest ext info kept per meeting (its JSON). */
export const MAX_EXT_INFO_BYTES = 8 * 1024;
export const SHORT_LINK_PATH = '/l';

type Errors = Partial<Record<RejectionReason, CatalogueKey>>;
/** As UpdateVideoConferenceSetting's family (the spec documents no codes of its own). */
const extInfoErrors: Errors = { invalidParams: 'paramsError', notFound: 'paramsError', orgForbidden: 'orgAccessForbidden', ended: 'resourceClose' };
/** "errors like the settings calls" (spec §e.3). */
const shortLinkErrors: Errors = {
  invalidParams: 'scheduleParamError',
  notFound: 'scheduleConferenceIdError',
  orgForbidden: 'noPermission',
  unknownUser: 'userNotInOrg',
  cancelled: 'scheduleCancelled',
};

const extensionApp = object({ appCode: str, appId: str, autoOpenMode: num, extensionAppBizData: str });
/** The ext info fields QueryConferenceInfo shows (src/api/conference.ts adds them to confInfo). */
export const extInfoFields = { extensionAppSettings: { type: 'array', items: extensionApp }, extInfo: str } as const;

const corpOf = (req: FastifyRequest) => principalOf(req).corpId;
const security = [{ accessToken: [] }];

/** UpdateVideoConferenceExtInfo and CreateCustomShortLink (docs/api-parity.md), and the short links' redirect. */
export async function conferenceExtraRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.put<{ Params: { conferenceId: string }; Body: Record<string, unknown> | undefined }>(
    '/v1.0/conference/videoConferences/:conferenceId/extInfo',
    {
      config: { action: 'UpdateVideoConferenceExtInfo', scope: SCOPE_WRITE, onInvalid: (i) => new ApiError('paramsError', i.problem) },
      schema: {
        tags: ['conference_1_0'],
        summary: 'UpdateVideoConferenceExtInfo — store the meeting’s ext info (shown by QueryConferenceInfo)',
        security,
        params: object({ conferenceId: str }, ['conferenceId']),
        // The official SDK sends no body at all, which a body schema would refuse: checked in the handler.
        description: 'Optional JSON body: `extInfo` (string) and/or `extensionAppSettings` ([{appCode, appId, autoOpenMode, extensionAppBizData}]).',
        response: responses(object({ case: str, code: str })),
      },
    },
    async (req) => {
      await mapRejections(extInfoErrors, async () => {
        const { meeting } = await ctx.meetings.find(corpOf(req), req.params.conferenceId);
        if (meeting.status === MeetingStatus.ended) throw new Rejection('ended');
        // The official SDK sends no body: the call then keeps what is stored.
        if (req.body === undefined) return;
        checkExtInfo(req.body);
        if (Buffer.byteLength(JSON.stringify(req.body)) > MAX_EXT_INFO_BYTES) throw new Rejection('invalidParams', `ext info larger than ${MAX_EXT_INFO_BYTES} bytes`);
        await ctx.extras.setExtInfo(meeting.conferenceId, req.body);
      });
      return { case: 'success', code: '200' };
    },
  );

  app.post<{ Body: { coolAppCode: string; creatorUnionId: string; scheduleConferenceId: string; extensionAppBizData?: string; useExtensionApp?: boolean } }>(
    '/v1.0/conference/customShortLinks',
    {
      config: { action: 'CreateCustomShortLink', scope: SCOPE_WRITE, bodyRequired: true, onInvalid: (i) => new ApiError('scheduleParamError', i.problem) },
      schema: {
        tags: ['conference_1_0'],
        summary: 'CreateCustomShortLink — a user’s short link to a booked meeting, carrying extension-app data',
        security,
        body: object(
          { coolAppCode: { type: 'string', minLength: 1, maxLength: 128 }, creatorUnionId: str, scheduleConferenceId: str, extensionAppBizData: { type: 'string', maxLength: 4096 }, useExtensionApp: bool },
          ['coolAppCode', 'creatorUnionId', 'scheduleConferenceId'],
        ),
        response: responses(object({ result: object({ customShortLink: str }) })),
      },
    },
    async (req) => {
      const corpId = corpOf(req);
      const b = req.body;
      await mapRejections(shortLinkErrors, async () => {
        const booking = await ctx.schedule.settingsOf(corpId, b.scheduleConferenceId);
        if (!(await ctx.directory.findUser(corpId, b.creatorUnionId))) throw new Rejection('unknownUser', `${b.creatorUnionId} is not a user of this organization`);
        if (booking.cancelled) throw new Rejection('cancelled');
      });
      const code = randomToken(9);
      await ctx.extras.insertLink({
        code,
        scheduleConferenceId: b.scheduleConferenceId,
        corpId,
        unionId: b.creatorUnionId,
        coolAppCode: b.coolAppCode,
        bizData: b.extensionAppBizData ?? null,
        useExtensionApp: b.useExtensionApp ?? false,
        createdAt: Date.now(),
      });
      return { result: { customShortLink: `${ctx.links.base}${SHORT_LINK_PATH}/${code}` } };
    },
  );

  // A short link opens its booking's join link; with useExtensionApp, the extension app's code and data ride along.
  app.get<{ Params: { code: string } }>(`${SHORT_LINK_PATH}/:code`, { schema: { hide: true } }, async (req, reply) => {
    const link = await ctx.extras.findLink(req.params.code);
    const booking = link && (await ctx.schedule.settingsOf(link.corpId, link.scheduleConferenceId).catch(() => undefined));
    if (!link || !booking) throw new ApiError('roomLinkInvalid');
    if (booking.cancelled) throw new ApiError('roomCancelled');
    const target = new URL(joinLink(ctx.links.base, booking));
    if (link.useExtensionApp) {
      target.searchParams.set('coolAppCode', link.coolAppCode);
      if (link.bizData !== null) target.searchParams.set('extensionAppBizData', link.bizData);
    }
    return reply.redirect(`${target.pathname}${target.search}`);
  });
}

/** The shape UpdateVideoConferenceExtInfo accepts in a body. */
function checkExtInfo(body: unknown): asserts body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Rejection('invalidParams', 'body must be an object');
  const b = body as Record<string, unknown>;
  if (b.extInfo !== undefined && typeof b.extInfo !== 'string') throw new Rejection('invalidParams', 'extInfo must be a string');
  const apps = b.extensionAppSettings;
  if (apps === undefined) return;
  const fields: Record<string, string> = { appCode: 'string', appId: 'string', autoOpenMode: 'number', extensionAppBizData: 'string' };
  const ok =
    Array.isArray(apps) &&
    apps.length <= 20 &&
    apps.every((a) => typeof a === 'object' && a !== null && Object.entries(a as Record<string, unknown>).every(([k, v]) => fields[k] === typeof v));
  if (!ok) throw new Rejection('invalidParams', 'extensionAppSettings must be at most 20 of {appCode, appId, autoOpenMode, extensionAppBizData}');
}
