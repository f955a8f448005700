/** Access tokens (spec §b) and the token checks every protected route makes (spec §b.6), via the official SDK. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { rowOf, rowsOf } from '../support/db-peek.js';
import { READ, WRITE } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { $conference, $oauth2, appToken, conferenceClient, confHeaders, oauthClient, runtime, sdkError, type SdkError } from '../support/sdk.js';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const LIFETIME_MS = 7200 * 1000;

function expectError(err: SdkError, statusCode: number, code: string, message?: string) {
  expect({ statusCode: err.statusCode, code: err.code }).toEqual({ statusCode, code });
  expect(err.data.requestid).toMatch(REQUEST_ID);
  if (message !== undefined) expect(err.data.message).toBe(message);
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const oauth = () => oauthClient(server.endpoint);
const accessToken = (fields: Record<string, unknown>) => oauth().getAccessToken(new $oauth2.GetAccessTokenRequest(fields));
const corpToken = (fields: Record<string, unknown>) => oauth().getCorpAccessToken(new $oauth2.GetCorpAccessTokenRequest(fields));
const clientToken = (corpId: string, fields: Record<string, unknown>) =>
  oauth().getTokenWithOptions(corpId, new $oauth2.GetTokenRequest(fields), {}, runtime());
const suite = { authCorpId: 'dingacme', suiteKey: 'isv-1', suiteSecret: 'isv-secret', suiteTicket: 'ticket-1' };

/** A create with this token; resolves to the SDK response or rejects with the SDK error. */
function createWith(token: string | undefined, endpoint = server.endpoint) {
  return conferenceClient(endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Token check' }),
    confHeaders(token),
    runtime(),
  );
}

function queryWith(token: string, conferenceId: string, endpoint = server.endpoint) {
  return conferenceClient(endpoint).queryConferenceInfoWithOptions(
    conferenceId,
    new $conference.QueryConferenceInfoHeaders({ xAcsDingtalkAccessToken: token }),
    runtime(),
  );
}

describe('GetAccessToken (internal app)', () => {
  it('returns the same 7200 s token when asked again, and it creates meetings', async () => {
    const first = await accessToken({ appKey: 'acme-app', appSecret: 's3cret' });
    const second = await accessToken({ appKey: 'acme-app', appSecret: 's3cret' });
    expect(first.statusCode).toBe(200);
    expect(first.body!.expireIn).toBe(7200);
    expect(first.body!.accessToken).toMatch(/^[0-9a-f]{32}$/);
    expect(second.body!.accessToken).toBe(first.body!.accessToken);
    expect((await createWith(first.body!.accessToken)).statusCode).toBe(200);
  });

  it('gives each app its own token', async () => {
    expect(await appToken(server.endpoint, 'acme-readonly', 'r3ad')).not.toBe(await appToken(server.endpoint, 'acme-app', 's3cret'));
  });

  it('refuses a wrong secret or an unknown app with 400 invalidClientIdOrSecret', async () => {
    expectError(await sdkError(accessToken({ appKey: 'acme-app', appSecret: 'wrong' })), 400, 'invalidClientIdOrSecret');
    expectError(await sdkError(accessToken({ appKey: 'no-such-app', appSecret: 's3cret' })), 400, 'invalidClientIdOrSecret');
  });

  it('refuses a missing appKey or appSecret with the gateway Missing<param> code', async () => {
    expectError(await sdkError(accessToken({ appSecret: 's3cret' })), 400, 'MissingappKey', 'appKey is mandatory for this action.');
    expectError(await sdkError(accessToken({ appKey: 'acme-app' })), 400, 'MissingappSecret');
  });
});

describe('GetCorpAccessToken (third-party suite)', () => {
  it('issues a new token on every call, each of which creates meetings for the authorizing org', async () => {
    const first = await corpToken(suite);
    const second = await corpToken(suite);
    expect(first.body!.expireIn).toBe(7200);
    expect(second.body!.accessToken).not.toBe(first.body!.accessToken);
    for (const token of [first.body!.accessToken!, second.body!.accessToken!]) {
      expect((await createWith(token)).body!.roomCode).toMatch(/^\d{11}$/);
    }
  });

  it('refuses a bad suiteKey or suiteSecret with invalidSuiteKey', async () => {
    expectError(await sdkError(corpToken({ ...suite, suiteKey: 'isv-2' })), 400, 'invalidSuiteKey');
    expectError(await sdkError(corpToken({ ...suite, suiteSecret: 'nope' })), 400, 'invalidSuiteKey');
  });

  it('refuses a stale suiteTicket with invalidSuiteTicket', async () => {
    expectError(await sdkError(corpToken({ ...suite, suiteTicket: 'ticket-0' })), 400, 'invalidSuiteTicket');
  });

  it('refuses an org that has not authorized the suite with invalidAuthInfo', async () => {
    expectError(await sdkError(corpToken({ ...suite, authCorpId: 'dingbeta' })), 400, 'invalidAuthInfo');
    expectError(await sdkError(corpToken({ ...suite, authCorpId: 'dingnowhere' })), 400, 'invalidAuthInfo');
  });

  it('carries only the suite scopes (write, not read)', async () => {
    const token = (await corpToken(suite)).body!.accessToken!;
    const created = (await createWith(token)).body!;
    const err = await sdkError(queryWith(token, created.conferenceId!));
    expectError(err, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
    expect(err.accessDeniedDetail?.requiredScopes).toEqual([READ]);
  });
});

describe('GetToken (client_credentials)', () => {
  const creds = { clientId: 'acme-app', clientSecret: 's3cret', grantType: 'client_credentials' };

  it('issues a 7200 s token for the app of that org, the same one when asked again', async () => {
    const first = await clientToken('dingacme', creds);
    const second = await clientToken('dingacme', creds);
    expect(first.statusCode).toBe(200);
    expect(first.body!.expiresIn).toBe(7200);
    expect(second.body!.accessToken).toBe(first.body!.accessToken);
    expect((await createWith(first.body!.accessToken!)).statusCode).toBe(200);
  });

  it('issues a token to a suite for an org that authorized it', async () => {
    const res = await clientToken('dingacme', { clientId: 'isv-1', clientSecret: 'isv-secret', grantType: 'client_credentials' });
    expect((await createWith(res.body!.accessToken!)).statusCode).toBe(200);
  });

  it('refuses another grant type with 400 unsupported.grant.type', async () => {
    expectError(await sdkError(clientToken('dingacme', { ...creds, grantType: 'password' })), 400, 'unsupported.grant.type');
  });

  it('refuses a bad secret or unknown client with 400 invalid.client', async () => {
    expectError(await sdkError(clientToken('dingacme', { ...creds, clientSecret: 'x' })), 400, 'invalid.client');
    expectError(await sdkError(clientToken('dingacme', { ...creds, clientId: 'ghost' })), 400, 'invalid.client');
  });

  it('refuses an app of another org, or a suite the org did not authorize, with 401 unauthorized.client', async () => {
    expectError(await sdkError(clientToken('dingacme', { ...creds, clientId: 'beta-app', clientSecret: 'b3ta' })), 401, 'unauthorized.client');
    expectError(
      await sdkError(clientToken('dingbeta', { clientId: 'isv-1', clientSecret: 'isv-secret', grantType: 'client_credentials' })),
      401,
      'unauthorized.client',
    );
  });
});

describe('legacy gettoken', () => {
  const gettoken = async (query: string) => {
    const res = await fetch(`${server.url}/gettoken?${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers errcode 0 with the same token as GetAccessToken', async () => {
    const res = await gettoken('appkey=acme-app&appsecret=s3cret');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      access_token: await appToken(server.endpoint, 'acme-app', 's3cret'),
      expires_in: 7200,
    });
  });

  it('reports bad credentials and missing parameters inside a 200 body', async () => {
    expect(await gettoken('appkey=acme-app&appsecret=nope')).toMatchObject({ status: 200, body: { errcode: 40096 } });
    expect(await gettoken('appsecret=s3cret')).toMatchObject({ status: 200, body: { errcode: 40089 } });
    expect(await gettoken('appkey=acme-app')).toMatchObject({ status: 200, body: { errcode: 40089 } });
    const bad = await gettoken('appkey=acme-app&appsecret=nope');
    expect(bad.body.access_token).toBeUndefined();
    expect(typeof bad.body.errmsg).toBe('string');
  });
});

describe('token checks on protected routes', () => {
  it('answers a call without the header with 400 Missingx-acs-dingtalk-access-token', async () => {
    // The SDK's short method sends no token header.
    const err = await sdkError(
      conferenceClient(server.endpoint).createVideoConference(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'T' })),
    );
    expectError(err, 400, 'Missingx-acs-dingtalk-access-token', 'x-acs-dingtalk-access-token is mandatory for this action.');
  });

  it('answers an unknown token with 400 InvalidAuthentication', async () => {
    expectError(await sdkError(createWith('0123456789abcdef0123456789abcdef')), 400, 'InvalidAuthentication');
    expectError(await sdkError(queryWith('not-a-token', 'abc')), 400, 'InvalidAuthentication');
  });

  it.each([
    ['acme-none', 'n0ne'],
    ['acme-readonly', 'r3ad'],
  ])('refuses a create by %s, which lacks the write scope, with 403 and the required scope', async (app, secret) => {
    const err = await sdkError(createWith(await appToken(server.endpoint, app, secret)));
    expectError(err, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
    expect(err.accessDeniedDetail?.requiredScopes).toEqual([WRITE]);
  });
});

describe('QPS limit per app per API', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ config: { qpsLimit: 3 } });
  });
  afterAll(async () => limited.stop());

  it('refuses the 4th call in a second with 403 QpsLimitForAppkeyAndApi; other APIs and apps are unaffected', async () => {
    const token = await appToken(limited.endpoint, 'acme-app', 's3cret');
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => createWith(token, limited.endpoint)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as SdkError] : []));
    expect([ok.length, refused.length]).toEqual([3, 1]);
    expectError(refused[0]!, 403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');

    // Same app, another API: its own budget.
    const created = (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof createWith>>>).value.body!;
    expect((await queryWith(token, created.conferenceId!, limited.endpoint)).body!.confInfo!.conferenceId).toBe(created.conferenceId);
    // Same API, another app: its own budget.
    const beta = await appToken(limited.endpoint, 'beta-app', 'b3ta');
    const betaCreate = conferenceClient(limited.endpoint).createVideoConferenceWithOptions(
      new $conference.CreateVideoConferenceRequest({ userId: 'uB1', confTitle: 'Beta' }),
      confHeaders(beta),
      runtime(),
    );
    expect((await betaCreate).statusCode).toBe(200);

    // A throttle, not a ban: once the second has passed the app may call again.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await createWith(token, limited.endpoint)).statusCode).toBe(200);
  });
});

describe('token lifetime', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
  });

  const row = (token: string) =>
    rowOf<{ issued_at: number; expires_at: number }>(s.db, sql`select issued_at, expires_at from access_tokens where token_hash = ${hashOf(token)}`);
  const expireAt = (token: string, at: number) => sql`update access_tokens set expires_at = ${at} where token_hash = ${hashOf(token)}`.execute(s.db);

  it('stores only a hash of the token, valid for 7200 s', async () => {
    const token = await appToken(s.endpoint, 'acme-app', 's3cret');
    const stored = (await row(token))!;
    expect(stored.expires_at - stored.issued_at).toBe(LIFETIME_MS);
    const dump = JSON.stringify(await rowsOf(s.db, sql`select * from access_tokens`));
    expect(dump).not.toContain(token);
  });

  it('extends a live token when it is asked for again', async () => {
    const token = await appToken(s.endpoint, 'acme-app', 's3cret');
    await expireAt(token, Date.now() + 60_000);
    const before = Date.now();
    expect(await appToken(s.endpoint, 'acme-app', 's3cret')).toBe(token);
    expect((await row(token))!.expires_at).toBeGreaterThanOrEqual(before + LIFETIME_MS);
  });

  it('refuses an expired token with InvalidAuthentication and then issues a new one', async () => {
    const token = await appToken(s.endpoint, 'acme-app', 's3cret');
    expect((await createWith(token, s.endpoint)).statusCode).toBe(200);
    await expireAt(token, Date.now() - 1);
    expectError(await sdkError(createWith(token, s.endpoint)), 400, 'InvalidAuthentication');
    const fresh = await appToken(s.endpoint, 'acme-app', 's3cret');
    expect(fresh).not.toBe(token);
    expect((await createWith(fresh, s.endpoint)).statusCode).toBe(200);
    expectError(await sdkError(createWith(token, s.endpoint)), 400, 'InvalidAuthentication');
  });

  it('forgets tokens a day after they expired, and no sooner', async () => {
    const old = await appToken(s.endpoint, 'acme-readonly', 'r3ad');
    const recent = await appToken(s.endpoint, 'acme-none', 'n0ne');
    await expireAt(old, Date.now() - 25 * 3600_000);
    await expireAt(recent, Date.now() - 3600_000);
    expect(await s.running.ctx.tokens.purgeExpired()).toBe(1);
    expect(await row(old)).toBeUndefined();
    expect(await row(recent)).toBeDefined();
  });
});
