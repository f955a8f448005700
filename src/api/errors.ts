/**
 * The error catalogue: every error vconf puts on the wire is defined here, once.
 *
 * Each entry gives the HTTP status, the DingTalk `code` and a message template; `%s` is
 * replaced by a detail string. Bodies are `{"code","requestid","message"}` — the shape the
 * official SDK reads (see docs/errors.md).
 */
export interface CatalogueEntry {
  readonly status: number;
  readonly code: string;
  readonly template: string;
}

function entry(status: number, code: string, template: string = code): CatalogueEntry {
  return { status, code, template };
}

export const catalogue = {
  // Gateway: authentication, scopes, throttling, routing, body presence.
  missingAccessToken: entry(400, 'Missingx-acs-dingtalk-access-token', 'x-acs-dingtalk-access-token is mandatory for this action.'),
  missingBody: entry(400, 'Missingbody', 'body is mandatory for this action.'),
  missingParameter: entry(400, 'Missing%s', '%s is mandatory for this action.'),
  invalidParameter: entry(400, 'InvalidParameter', 'The parameter is invalid: %s'),
  invalidAuthentication: entry(400, 'InvalidAuthentication', '不合法的access_token'),
  scopeDenied: entry(403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied', 'No permission to call this API; the app lacks the scopes listed in accessdenieddetail.requiredScopes.'),
  tokenThrottled: entry(429, 'Throttling.Credentials', 'Too many wrong credentials for this app from your address; try again in %s seconds.'),
  qpsLimit: entry(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', 'Calls of this app to this API exceed %s per second; try again shortly.'),
  actionNotFound: entry(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.'),
  bodyTooLarge: entry(413, 'RequestEntityTooLarge', 'The request body exceeds %s bytes.'),
  // Requests Node's HTTP parser rejects before any route sees them.
  headersTooLarge: entry(431, 'RequestHeaderFieldsTooLarge', 'The request headers exceed %s bytes.'),
  requestTimeout: entry(408, 'RequestTimeout', 'The request was not received in time.'),

  // oauth2_1_0
  invalidClientIdOrSecret: entry(400, 'invalidClientIdOrSecret', 'invalid clientId or clientSecret'),
  invalidSuiteKey: entry(400, 'invalidSuiteKey', 'invalid suiteKey or suiteSecret'),
  invalidSuiteTicket: entry(400, 'invalidSuiteTicket', 'invalid suiteTicket'),
  invalidAuthInfo: entry(400, 'invalidAuthInfo', 'the organization has not authorized this suite'),
  invalidClient: entry(400, 'invalid.client', 'invalid client_id or client_secret'),
  unsupportedGrantType: entry(400, 'unsupported.grant.type', 'grant_type must be client_credentials'),
  unauthorizedClient: entry(401, 'unauthorized.client', 'the client is not authorized by this organization'),
  // oauth2_1_0 — issue 13: user OAuth, admin SSO, suite tokens (docs/sign-in.md).
  invalidSsoSecret: entry(400, 'invalidClientIdOrSecret', 'invalid corpid or ssoSecret'),
  invalidAuthCode: entry(400, 'invalidAuthCode', 'the authCode is unknown, used or expired'),
  invalidRefreshToken: entry(400, 'invalidRefreshToken', 'the refreshToken is unknown, used or expired'),
  unsupportedUserGrant: entry(400, 'unsupported.grant.type', 'grantType must be authorization_code or refresh_token'),
  invalidSsoCode: entry(400, 'invalidCode', 'the code is unknown, used or expired'),
  tokenKindDenied: entry(403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied', 'This API needs %s.'),
  ssoNotAdmin: entry(403, 'notAdmin', 'Only administrators of the organization may sign in here.'),
  oauthBadClient: entry(400, 'invalidClient', 'Unknown client_id, or the redirect_uri is not registered: %s'),
  // Stream mode (docs/events.md): the WebSocket of a bad ticket is refused before the upgrade.
  invalidStreamTicket: entry(401, 'invalidTicket', 'The stream ticket is unknown, used or expired.'),

  // conference_1_0 — CreateVideoConference (seed page) and shared codes.
  orgAccessForbidden: entry(400, 'orgAccessForbidden'),
  unknownUserError: entry(400, 'unknownUserError'),
  paramsTitleError: entry(400, 'paramsTitleError', 'error:%s'),
  paramsError: entry(400, 'paramsError', 'error:%s'),
  waterLimitError: entry(404, 'waterLimitError', 'waterLimitError:%s'),
  permissionError: entry(404, 'permissionError', 'permissionError:%s'),
  systemError: entry(500, 'systemError', 'systemError:%s'),

  // conference_1_0 — QueryConferenceInfo.
  missingRoomId: entry(400, 'missingRoomId', 'MISSING ROOM ID'),
  paramError: entry(400, 'paramError', 'PARAM ERROR'),
  noPermission: entry(403, 'noPermission', 'NO PERMISSION'),
  roomNotFound: entry(404, 'roomNotFound', 'ROOM NOT FOUND'),
  querySystemError: entry(500, 'systemError', 'SYSTEM ERROR'),

  // conference_1_0 — QueryConferenceInfoByRoomCode; its messages equal the codes.
  invalidRoomCode: entry(400, 'invalidRoomCode'),
  missingRoomCode: entry(400, 'missingRoomCode'),
  roomCodeParamError: entry(400, 'paramError'),
  roomCodeNoPermission: entry(403, 'noPermission'),
  roomCodeSystemError: entry(500, 'systemError'),
  // conference_1_0 — QueryUserOnGoingConference.
  userParamError: entry(400, 'param.error', 'param.error'),
  missingUserInfo: entry(400, 'param.error', 'missing.user.info'),
  userSystemError: entry(500, 'system.error', 'system.error'),

  // conference_1_0 — statistics (docs/statistics.md); not found, another organization and system errors as QueryConferenceInfo.
  statisticsParamError: entry(400, 'paramError', 'paramError:%s'),

  // Operations of the spec this deployment does not provide (src/api/unavailable.ts, docs/api-parity.md).
  capabilityNotAvailable: entry(403, 'capabilityNotAvailable', '%s is not available in this deployment of vconf.'),

  // conference_1_0 — in-meeting controls (docs/conference-controls.md).
  resourceClose: entry(400, 'resourceClose', 'The meeting has ended'),
  // LockConference's own codes; its messages equal the codes.
  confClosed: entry(400, 'confClosed'),
  commandError: entry(400, 'commandError'),
  lockNoPermission: entry(400, 'noPermission'),

  // conference_1_0 — cloud recording (spec §e.3; docs/recording.md).
  roomClosed: entry(400, 'roomClosed', 'the meeting has ended'),
  recordStartError: entry(404, 'recordStartError', 'recordStartError:%s'),
  recordStartPermissionError: entry(404, 'recordStartPermissionError', 'permissionError:%s'),
  recordStopPermissionError: entry(400, 'recordStopPermissionError', 'recordStopPermissionError:%s'),
  recordStopError: entry(400, 'recordStopError', 'recordStopError:%s'),
  cloudRecordNotFound: entry(400, 'cloudRecordNotFound', 'cloudRecordNotFound:%s'),
  // Recording files behind signed URLs (not SDK operations).
  recordingLinkInvalid: entry(403, 'linkInvalid', 'This recording link is invalid or has expired.'),
  rangeNotSatisfiable: entry(416, 'RangeNotSatisfiable', 'The requested range is not in the file.'),

  // conference_1_0 — booked meetings (docs/scheduled-meetings.md).
  schedulePermissionError: entry(400, 'permissionError', 'permissionError:%s'),
  scheduleCancelled: entry(400, 'resourceCancel', 'Schedule conference has canceled'),
  invalidScheduleConferenceId: entry(400, 'invalidScheduleConferenceId', 'invalidScheduleConferenceId:%s'),
  scheduleConferenceIdError: entry(400, 'scheduleConferenceIdError', 'scheduleConferenceIdError:%s'),
  userNotInOrg: entry(400, 'userNotInOrg', 'userNotInOrg:%s'),
  creatorUidError: entry(400, 'creatorUidError', 'creatorUidError:%s'),
  scheduleParamError: entry(400, 'paramError', 'paramError:%s'),

  // vconf's own meeting-room API (/api/admit): the messages are shown to people as they are.
  roomBadRequest: entry(400, 'badRequest', 'Enter the 11-digit room code and the passcode.'),
  roomBadCredentials: entry(401, 'badCredentials', 'The room code or passcode is incorrect.'),
  roomLinkInvalid: entry(404, 'linkInvalid', 'This meeting link is invalid or has expired.'),
  roomEnded: entry(410, 'meetingEnded', 'This meeting has ended.'),
  roomRemoved: entry(403, 'removed', 'You were removed from this meeting by the host.'),
  roomLocked: entry(423, 'meetingLocked', 'This meeting is locked: nobody new can join. Ask the host to unlock it.'),
  roomCancelled: entry(410, 'meetingCancelled', 'This meeting was cancelled by its organizer.'),
  roomNotOpenYet: entry(403, 'notOpenYet', 'This meeting has not opened yet: you can join from 15 minutes before its start.'),
  roomInternalOnly: entry(403, 'internalOnly', 'This meeting is only open to members of the organization.'),
  roomTooManyAttempts: entry(429, 'tooManyAttempts', 'Too many incorrect attempts from your network. Try again in %s.'),
  // Web sign-in of directory users (docs/sign-in.md): also shown to people as they are.
  signinBadRequest: entry(400, 'badRequest', 'Enter your user id and password.'),
  signinBadCredentials: entry(401, 'badCredentials', 'The user id or password is incorrect.'),
  signinTooManyAttempts: entry(429, 'tooManyAttempts', 'Too many incorrect sign-in attempts. Try again in %s.'),
  signinRequired: entry(401, 'notSignedIn', 'Sign in to continue.'),
  signinNotCalling: entry(409, 'notCalling', 'You are not being called into this meeting.'),
  upgradeRequired: entry(426, 'upgradeRequired', 'This address accepts WebSocket connections only.'),
  webNotBuilt: entry(503, 'webNotBuilt', 'The meeting-room pages are not built; run npm run build.'),
  // GET /readyz (docs/observability.md): %s names what is not ready, e.g. "database".
  notReady: entry(503, 'notReady', 'This instance is not ready: %s.'),
} as const satisfies Record<string, CatalogueEntry>;

export type CatalogueKey = keyof typeof catalogue;

/** An error that is already a catalogued wire error; thrown anywhere in the HTTP layer. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Record<string, unknown> | undefined;

  constructor(key: CatalogueKey, detail = '', extra?: Record<string, unknown>) {
    const e = catalogue[key];
    super(fill(e.template, detail));
    this.name = 'ApiError';
    this.status = e.status;
    this.code = fill(e.code, detail);
    this.extra = extra;
  }

  body(requestId: string): Record<string, unknown> {
    return { code: this.code, requestid: requestId, message: this.message, ...this.extra };
  }
}

function fill(template: string, detail: string): string {
  return template.includes('%s') ? template.replaceAll('%s', detail) : template;
}

/**
 * The legacy oapi family (`/gettoken`) answers HTTP 200 and reports failures in `errcode`;
 * these are its codes as DingTalk's oapi host reports them.
 */
export const legacyCatalogue = {
  missingAppKey: { errcode: 40089, errmsg: 'appkey is mandatory' },
  missingAppSecret: { errcode: 40089, errmsg: 'appsecret is mandatory' },
  badCredentials: { errcode: 40096, errmsg: '不合法的appKey或appSecret' },
  busy: { errcode: -1, errmsg: '系统繁忙' },
  throttled: { errcode: 90018, errmsg: 'too many wrong appsecrets from this address; try again later' },
} as const;

export function legacy(kind: keyof typeof legacyCatalogue): { errcode: number; errmsg: string } {
  return legacyCatalogue[kind];
}

/** JSON schema of an error body, shared by every route's OpenAPI description. */
export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  properties: {
    code: { type: 'string' },
    requestid: { type: 'string' },
    message: { type: 'string' },
    accessdenieddetail: {
      type: 'object',
      properties: { requiredScopes: { type: 'array', items: { type: 'string' } } },
    },
    // Only the meeting-room API's tooManyAttempts (docs/errors.md).
    retryAfterSeconds: { type: 'integer' },
  },
  required: ['code', 'requestid', 'message'],
} as const;
