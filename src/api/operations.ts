import ops from '../../spec/conference_1_0.ops.json' with { type: 'json' };

/**
 * Where each of the 58 operations of spec/conference_1_0.ops.json (a copy of the shared spec's
 * machine-readable file) stands in this deployment — the one place that says so. Every operation
 * is either served by its own route, being built, or answered by src/api/unavailable.ts with
 * `capabilityNotAvailable`. docs/api-parity.md is the same table for people; test/api/parity.test.ts
 * keeps the two and the server's routes in agreement.
 */

export interface OperationSpec {
  action: string;
  module: 'conference_1_0' | 'oauth2_1_0';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** With `{param}` placeholders, as the SDK builds it. */
  path: string;
  pathParams: string[];
  /** "x-acs-dingtalk-access-token" when the SDK sends the token header, "none" for the token-issuing calls. */
  auth: string;
}

export const operations: readonly OperationSpec[] = (ops as ReadonlyArray<Record<string, unknown>>).map((o) => ({
  action: String(o.action),
  module: o.module as OperationSpec['module'],
  method: o.method as OperationSpec['method'],
  path: String(o.path),
  pathParams: (o.pathParams as string[]).map(String),
  auth: String(o.auth),
}));

/** Served by vconf's own routes (src/api/conference*.ts, src/api/oauth.ts). */
export const IMPLEMENTED: readonly string[] = [
  'CreateVideoConference',
  'QueryConferenceInfo',
  'QueryConferenceInfoBatch',
  'QueryConferenceInfoByRoomCode',
  'QueryConferenceMembers',
  'QueryOrgConferenceList',
  'QueryUserOnGoingConference',
  'GetAccessToken',
  'GetCorpAccessToken',
  'GetToken',
  'CloseVideoConference',
  'KickMembers',
  'MuteMembers',
  'MuteAll',
  'LockConference',
  'Cohosts',
  'Focus',
  'UpdateVideoConferenceSetting',
  'InviteUsers',
  // Booked meetings (src/api/schedule.ts).
  'CreateScheduleConference',
  'UpdateScheduleConference',
  'CancelScheduleConference',
  'QueryScheduleConference',
  'QueryScheduleConferenceInfo',
  'QueryScheduleConfSettings',
  'UpdateScheduleConfSettings',
  'CreateCustomShortLink',
  'UpdateVideoConferenceExtInfo',
  // Issue 13: the remaining OAuth operations (src/api/oauth-users.ts).
  'GetSuiteAccessToken',
  'GetAuthInfo',
  'CreateJsapiTicket',
  'GetUserToken',
  'GetPersonalAuthRule',
  'GetSsoAccessToken',
  'GetSsoUserInfo',
  // Issue 12 §5: statistics from the rooms' measurements (src/api/conference-statistics.ts).
  'GetConfDataByConferenceId',
  'GetConfDetailData',
  'GetHistoryConfDataList',
  'GetUserLastMetric',
  'GetUserMetricData',
  // Issue 12: cloud recording and stream-out (src/api/cloud-records.ts); capabilityNotAvailable without ffmpeg.
  'StartCloudRecord',
  'StopCloudRecord',
  'QueryCloudRecordVideo',
  'QueryCloudRecordVideoPlayInfo',
  'StartStreamOut',
  'StopStreamOut',
];

/** Being built under issue 4; not answered by unavailable.ts. Empty since booked meetings landed. */
export const IN_PROGRESS: readonly string[] = [];

/**
 * Capabilities this deployment does not provide, and the operations that need them. Each of these
 * operations is routed and answers 403 `capabilityNotAvailable` naming the capability.
 */
export const UNAVAILABLE: Readonly<Record<string, readonly string[]>> = {
  'Speech-to-text of cloud recordings': ['QueryCloudRecordText'],
  'Flash minutes (AI meeting notes)': [
    'StartMinutes',
    'StopMinutes',
    'QueryMinutesAudio',
    'QueryMinutesText',
    'QueryMinutesSummary',
    'QueryMinutesMeetingResult',
    'QueryFlashMinutesSummary',
    'QueryRecordMinutesUrl',
    'GenerateFlashMinutesDocumentUrl',
    'AddRecordPermission',
  ],
  'Subtitle events': ['SetSubtitleEvent'],
};

/** The capability an unavailable operation needs; undefined for implemented and in-progress ones. */
export function capabilityOf(action: string): string | undefined {
  return Object.entries(UNAVAILABLE).find(([, actions]) => actions.includes(action))?.[0];
}

/** The implementation state of an operation, as docs/api-parity.md words it. */
export type OperationState = 'implemented' | 'in progress (issue 4)' | 'not available';

export function stateOf(action: string): OperationState {
  if (IMPLEMENTED.includes(action)) return 'implemented';
  if (IN_PROGRESS.includes(action)) return 'in progress (issue 4)';
  if (capabilityOf(action) !== undefined) return 'not available';
  throw new Error(`operation ${action} is in no list of src/api/operations.ts`);
}
