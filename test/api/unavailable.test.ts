/**
 * Issue 4 §5: every operation of the spec that needs a capability this deployment lacks is routed
 * and, through the official SDK, answered with the catalogued 403 capabilityNotAvailable naming the
 * capability — after the usual token and scope checks, never as a success, never writing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ops from '../../spec/conference_1_0.ops.json' with { type: 'json' };
import { capabilityOf, stateOf } from '../../src/api/operations.js';
import { READ, WRITE } from '../support/fixtures.js';
import { tableCounts } from '../support/db-peek.js';
import { $conference, $oauth2, appToken, conferenceClient, oauthClient, runtime, sdkError, type SdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

interface Op {
  action: string;
  module: string;
  sdkMethod: string;
  method: string;
  path: string;
  pathParams: string[];
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  auth: string;
}

const unavailable = (ops as unknown as Op[]).filter((o) => stateOf(o.action) === 'not available');
const conferenceOps = unavailable.filter((o) => o.module === 'conference_1_0');
const oauthWithToken = unavailable.filter((o) => o.module === 'oauth2_1_0' && o.auth !== 'none');
const oauthAnonymous = unavailable.filter((o) => o.module === 'oauth2_1_0' && o.auth === 'none');

let server: TestServer;
let full: string;
let readOnly: string;
let noScopes: string;
let meetingId: string;

beforeAll(async () => {
  server = await startTestServer();
  [full = '', readOnly = '', noScopes = ''] = await Promise.all([
    appToken(server.endpoint, 'acme-app', 's3cret'),
    appToken(server.endpoint, 'acme-readonly', 'r3ad'),
    appToken(server.endpoint, 'acme-none', 'n0ne'),
  ]);
  const created = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Recorded?' }),
    new $conference.CreateVideoConferenceHeaders({ xAcsDingtalkAccessToken: full }),
    runtime(),
  );
  meetingId = created.body!.conferenceId!;
});
afterAll(async () => server.stop());

/** A plausible value of each scalar field the SDK model declares, so requests look like real ones. */
function sampleFields(fields: Record<string, unknown>): Record<string, unknown> {
  const sample: Record<string, unknown> = { string: 'uA1', number: 1, boolean: true, 'string[]': ['uA1'] };
  return Object.fromEntries(Object.entries(fields).flatMap(([name, type]) => (typeof type === 'string' && type in sample ? [[name, sample[type]]] : [])));
}

/** Calls the operation's SDK method (`<sdkMethod>WithOptions`) with `token` in the header, or no header. */
function callSdk(op: Op, token: string | undefined): Promise<unknown> {
  const conference = op.module === 'conference_1_0';
  const models = (conference ? $conference : $oauth2) as unknown as Record<string, new (fields: object) => object>;
  const client = (conference ? conferenceClient(server.endpoint) : oauthClient(server.endpoint)) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const Request = models[`${op.action}Request`];
  const Headers = models[`${op.action}Headers`];
  const headerFields = token === undefined ? {} : { xAcsDingtalkAccessToken: token };
  const args = [
    ...op.pathParams.map((p) => (p === 'conferenceId' ? meetingId : 'probe')),
    ...(Request ? [new Request(sampleFields({ ...op.query, ...op.body }))] : []),
    Headers ? new Headers(headerFields) : {},
    runtime(),
  ];
  return client[`${op.sdkMethod}WithOptions`]!(...args);
}

function expectUnavailable(err: SdkError, op: Op) {
  expect({ action: op.action, statusCode: err.statusCode, code: err.code }).toEqual({ action: op.action, statusCode: 403, code: 'capabilityNotAvailable' });
  expect(err.data.message).toBe(`${capabilityOf(op.action)} (${op.action}) is not available in this deployment of vconf.`);
  expect(err.data.requestid).toMatch(REQUEST_ID);
}

function expectCode(err: SdkError, op: Op, statusCode: number, code: string) {
  expect({ action: op.action, statusCode: err.statusCode, code: err.code }).toEqual({ action: op.action, statusCode, code });
}

/** Row counts of every table, to show that nothing was written. */
function counts(): Promise<Record<string, number>> {
  return tableCounts(server.db);
}

describe('operations this deployment does not provide', () => {
  it('are the 12 of recording speech-to-text, minutes and subtitles (every oauth2 call is implemented since issue 13, statistics, recording and stream-out since issue 12)', () => {
    expect(unavailable).toHaveLength(12);
    expect(conferenceOps).toHaveLength(12);
    expect(oauthWithToken).toEqual([]);
    expect(oauthAnonymous).toEqual([]);
  });

  it('answer every SDK call that passes the token checks with 403 capabilityNotAvailable, and write nothing', async () => {
    const before = await counts();
    for (const op of [...conferenceOps, ...oauthWithToken]) expectUnavailable(await sdkError(callSdk(op, full)), op);
    for (const op of oauthAnonymous) expectUnavailable(await sdkError(callSdk(op, undefined)), op);
    expect(await counts()).toEqual(before);
  });

  it('run the token checks first: no token, an unknown token', async () => {
    for (const op of [...conferenceOps, ...oauthWithToken]) {
      expectCode(await sdkError(callSdk(op, undefined)), op, 400, 'Missingx-acs-dingtalk-access-token');
      expectCode(await sdkError(callSdk(op, 'not-a-token')), op, 400, 'InvalidAuthentication');
    }
  });

  it('need the read scope to read and the write scope to change, like the operations that exist', async () => {
    for (const op of conferenceOps) {
      const scope = op.method === 'GET' ? READ : WRITE;
      const err = await sdkError(callSdk(op, noScopes));
      expectCode(err, op, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
      expect(err.accessDeniedDetail?.requiredScopes).toEqual([scope]);
      const withRead = await sdkError(callSdk(op, readOnly));
      if (scope === READ) expectUnavailable(withRead, op);
      else expectCode(withRead, op, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
    }
    // oauth2 calls that carry a token need a valid one, not a conference scope.
    for (const op of oauthWithToken) expectUnavailable(await sdkError(callSdk(op, noScopes)), op);
  });

  it('give the same answer for any meeting id and any body', async () => {
    const record = unavailable.find((o) => o.action === 'StartMinutes')!;
    for (const body of ['{}', '{"unionId":"uA1","recordAudio":true}', '[]', '{"unionId":42}']) {
      const res = await fetch(`${server.url}/v1.0/conference/videoConferences/000000000000000000000000/minutes/start`, {
        method: 'POST',
        headers: { 'x-acs-dingtalk-access-token': full, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { message: string }).message).toBe(`Flash minutes (AI meeting notes) (${record.action}) is not available in this deployment of vconf.`);
    }
  });

  it('are described in the OpenAPI document as not available', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { summary?: string; description?: string }>> };
    for (const op of unavailable) {
      const entry = doc.paths[op.path]?.[op.method.toLowerCase()];
      expect(entry?.summary, `${op.method} ${op.path}`).toBe(`${op.action} — not available in this deployment`);
      expect(entry?.description).toContain('403 capabilityNotAvailable');
    }
  });
});
