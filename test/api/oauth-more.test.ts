/**
 * Issue 13 §3 through the official SDK: suite access tokens, the authorization info of a suite's
 * organizations, JSAPI tickets, user tokens from codes of vconf's authorization endpoint (driven
 * here over HTTP with a session; test/e2e/user-oauth.test.ts drives it in Chromium), their refresh,
 * GetPersonalAuthRule, and admin SSO.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/domain/passwords.js';
import { directory as baseDirectory } from '../support/fixtures.js';
import { $conference, $oauth2, appToken, conferenceClient, confHeaders, oauthClient, runtime, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const REDIRECT = 'https://app.example.com/oauth/';
const SSO_REDIRECT = 'https://admin.example.com/sso/';
const SSO_SECRET = 'acme-sso-secret-0123456789';

function directory() {
  const doc = structuredClone(baseDirectory) as unknown as {
    orgs: Array<{ corpId: string; sso?: unknown; users: Array<Record<string, unknown>>; apps: Array<Record<string, unknown>> }>;
  };
  const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
  acme.sso = { secret: SSO_SECRET, redirectUris: [SSO_REDIRECT] };
  acme.users = acme.users.map((u) =>
    u.unionId === 'uA1' ? { ...u, admin: true, passwordHash: hashPassword('alice-password') } : u.unionId === 'uA2' ? { ...u, passwordHash: hashPassword('bob-password') } : u,
  );
  acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' ? { ...a, redirectUris: [REDIRECT] } : a));
  return doc;
}

let server: TestServer;
const sdk = () => oauthClient(server.endpoint);

beforeAll(async () => {
  server = await startTestServer({ directory: directory() });
});
afterAll(async () => server?.stop());

/** A browser's session cookie, from POST /api/signin. */
async function signIn(unionId: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/api/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unionId, password }) });
  expect(res.status).toBe(200);
  return /vconf_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
}

/** Follows one step of a browser through `path` with `cookie`: where it is sent. */
async function redirectOf(path: string, cookie?: string): Promise<URL> {
  const res = await fetch(`${server.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!, server.url);
}

const authPath = (extra = '') => `/oauth2/auth?client_id=acme-app&redirect_uri=${encodeURIComponent(`${REDIRECT}cb`)}&response_type=code&scope=openid%20corpid&state=s1&prompt=consent${extra}`;

describe('suite access tokens and authorization info', () => {
  it('issues the suite’s own token from its ticket, reused while live, and refuses a wrong ticket or secret', async () => {
    const req = (ticket: string, secret = 'isv-secret') => new $oauth2.GetSuiteAccessTokenRequest({ suiteKey: 'isv-1', suiteSecret: secret, suiteTicket: ticket });
    const a = (await sdk().getSuiteAccessToken(req('ticket-1'))).body!;
    expect(a.expireIn).toBe(7200);
    expect(a.accessToken).toMatch(/^[0-9a-f]{32}$/);
    expect((await sdk().getSuiteAccessToken(req('ticket-1'))).body!.accessToken).toBe(a.accessToken);
    expect((await sdkError(sdk().getSuiteAccessToken(req('old-ticket')))).code).toBe('invalidSuiteTicket');
    expect((await sdkError(sdk().getSuiteAccessToken(req('ticket-1', 'nope')))).code).toBe('invalidSuiteKey');
    // The suite's own token acts for no organization: no conference call.
    const err = await sdkError(
      conferenceClient(server.endpoint).createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'x' }), confHeaders(a.accessToken), runtime()),
    );
    expect(err.code).toBe('Forbidden.AccessDenied.AccessTokenPermissionDenied');
  });

  it('answers GetAuthInfo for an organization that authorized the suite, and refuses others and other tokens', async () => {
    const suiteToken = (await sdk().getSuiteAccessToken(new $oauth2.GetSuiteAccessTokenRequest({ suiteKey: 'isv-1', suiteSecret: 'isv-secret', suiteTicket: 'ticket-1' }))).body!.accessToken!;
    const info = (
      await sdk().getAuthInfoWithOptions(new $oauth2.GetAuthInfoRequest({ authCorpId: 'dingacme' }), new $oauth2.GetAuthInfoHeaders({ xAcsDingtalkAccessToken: suiteToken }), runtime())
    ).body!;
    expect(info.authCorpInfo!.corpName).toBe('Acme');
    expect(info.authAppInfo!.agentList![0]).toMatchObject({ agentName: 'isv-1', adminList: ['alice'] });
    expect(typeof info.authAppInfo!.agentList![0]!.agentId).toBe('number');
    expect(info.authUserInfo!.userId).toBe('alice');
    const notAuthorized = await sdkError(
      sdk().getAuthInfoWithOptions(new $oauth2.GetAuthInfoRequest({ authCorpId: 'dingbeta' }), new $oauth2.GetAuthInfoHeaders({ xAcsDingtalkAccessToken: suiteToken }), runtime()),
    );
    expect([notAuthorized.statusCode, notAuthorized.code]).toEqual([400, 'invalidAuthInfo']);
    const appTok = await appToken(server.endpoint, 'acme-app', 's3cret');
    const wrongKind = await sdkError(
      sdk().getAuthInfoWithOptions(new $oauth2.GetAuthInfoRequest({ authCorpId: 'dingacme' }), new $oauth2.GetAuthInfoHeaders({ xAcsDingtalkAccessToken: appTok }), runtime()),
    );
    expect([wrongKind.statusCode, wrongKind.code]).toEqual([403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied']);
    const noToken = await sdkError(sdk().getAuthInfoWithOptions(new $oauth2.GetAuthInfoRequest({ authCorpId: 'dingacme' }), new $oauth2.GetAuthInfoHeaders({}), runtime()));
    expect(noToken.code).toBe('Missingx-acs-dingtalk-access-token');
  });
});

describe('JSAPI tickets', () => {
  it('gives an organization token one ticket for its lifetime, another token another', async () => {
    const token = await appToken(server.endpoint, 'acme-app', 's3cret');
    const ticket = async (t: string) => (await sdk().createJsapiTicketWithOptions(new $oauth2.CreateJsapiTicketHeaders({ xAcsDingtalkAccessToken: t }), runtime())).body!;
    const a = await ticket(token);
    expect(a.jsapiTicket).toMatch(/^[0-9a-f]{48}$/);
    expect(a.expireIn).toBeGreaterThan(7000);
    expect((await ticket(token)).jsapiTicket).toBe(a.jsapiTicket);
    const beta = await appToken(server.endpoint, 'beta-app', 'b3ta');
    expect((await ticket(beta)).jsapiTicket).not.toBe(a.jsapiTicket);
    expect((await sdkError(ticket('not-a-token'))).code).toBe('InvalidAuthentication');
  });
});

describe('user tokens (DingTalk OAuth 2.0 with vconf’s sign-in)', () => {
  it('sends a browser without a session to sign in, and a signed-in user’s code to the app', async () => {
    const toSignIn = await redirectOf(authPath());
    expect(toSignIn.pathname).toBe('/signin');
    expect(toSignIn.searchParams.get('next')).toBe(authPath());
    const back = await redirectOf(authPath(), await signIn('uA2', 'bob-password'));
    expect(`${back.origin}${back.pathname}`).toBe(`${REDIRECT}cb`);
    expect(back.searchParams.get('state')).toBe('s1');
    expect(back.searchParams.get('authCode')).toBe(back.searchParams.get('code'));
  });

  it('trades the code once for a user token and refresh token; refreshes once; GetPersonalAuthRule reads the grant', async () => {
    const code = (await redirectOf(authPath(), await signIn('uA2', 'bob-password'))).searchParams.get('authCode')!;
    const get = (fields: Record<string, string>) => sdk().getUserToken(new $oauth2.GetUserTokenRequest({ clientId: 'acme-app', clientSecret: 's3cret', ...fields }));
    const t = (await get({ code, grantType: 'authorization_code' })).body!;
    expect(t).toMatchObject({ corpId: 'dingacme', expireIn: 7200 });
    expect(t.refreshToken).toBeTruthy();
    expect((await sdkError(get({ code, grantType: 'authorization_code' }))).code).toBe('invalidAuthCode');
    const rule = (await sdk().getPersonalAuthRuleWithOptions(new $oauth2.GetPersonalAuthRuleHeaders({ xAcsDingtalkAccessToken: t.accessToken }), runtime())).body!;
    expect(rule.result).toEqual([{ resource: 'acme-app', authItems: ['openid', 'corpid'] }]);

    const r = (await get({ refreshToken: t.refreshToken!, grantType: 'refresh_token' })).body!;
    expect(r.accessToken).not.toBe(t.accessToken);
    expect(r.refreshToken).not.toBe(t.refreshToken);
    expect((await sdkError(get({ refreshToken: t.refreshToken!, grantType: 'refresh_token' }))).code).toBe('invalidRefreshToken');
    expect((await sdkError(get({ code: 'x', grantType: 'password' }))).code).toBe('unsupported.grant.type');
    const wrongSecret = await sdkError(sdk().getUserToken(new $oauth2.GetUserTokenRequest({ clientId: 'acme-app', clientSecret: 'no', code: 'x', grantType: 'authorization_code' })));
    expect(wrongSecret.code).toBe('invalidClientIdOrSecret');
    // A user token carries no conference scope, and an app token is no user token.
    const appTok = await appToken(server.endpoint, 'acme-app', 's3cret');
    const notUser = await sdkError(sdk().getPersonalAuthRuleWithOptions(new $oauth2.GetPersonalAuthRuleHeaders({ xAcsDingtalkAccessToken: appTok }), runtime()));
    expect(notUser.statusCode).toBe(403);
  });

  it('refuses a redirect_uri the app did not register, before any sign-in', async () => {
    const res = await fetch(`${server.url}/oauth2/auth?client_id=acme-app&redirect_uri=${encodeURIComponent('https://evil.example.com/cb')}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('invalidClient');
  });
});

describe('admin single sign-on', () => {
  const ssoPath = `/oauth2/sso?corpid=dingacme&redirect_uri=${encodeURIComponent(`${SSO_REDIRECT}done`)}`;

  it('gives a signed-in administrator’s code to the SSO token, once', async () => {
    const token = (await sdk().getSsoAccessToken(new $oauth2.GetSsoAccessTokenRequest({ corpid: 'dingacme', ssoSecret: SSO_SECRET }))).body!;
    expect(token.expireIn).toBe(7200);
    expect((await redirectOf(ssoPath)).pathname).toBe('/signin');
    const code = (await redirectOf(ssoPath, await signIn('uA1', 'alice-password'))).searchParams.get('code')!;
    const info = (await sdk().getSsoUserInfoWithOptions(new $oauth2.GetSsoUserInfoRequest({ code }), new $oauth2.GetSsoUserInfoHeaders({ xAcsDingtalkAccessToken: token.accessToken }), runtime())).body!;
    expect(info).toMatchObject({ corpId: 'dingacme', corpName: 'Acme', isAdmin: true, userId: 'alice', userName: 'Alice' });
    const again = await sdkError(sdk().getSsoUserInfoWithOptions(new $oauth2.GetSsoUserInfoRequest({ code }), new $oauth2.GetSsoUserInfoHeaders({ xAcsDingtalkAccessToken: token.accessToken }), runtime()));
    expect([again.statusCode, again.code]).toEqual([400, 'invalidCode']);
  });

  it('refuses a user who is no administrator, and a wrong SSO secret', async () => {
    const res = await fetch(`${server.url}${ssoPath}`, { redirect: 'manual', headers: { cookie: await signIn('uA2', 'bob-password') } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('notAdmin');
    const bad = await sdkError(sdk().getSsoAccessToken(new $oauth2.GetSsoAccessTokenRequest({ corpid: 'dingacme', ssoSecret: 'wrong' })));
    expect(bad.code).toBe('invalidClientIdOrSecret');
    const noSso = await sdkError(sdk().getSsoAccessToken(new $oauth2.GetSsoAccessTokenRequest({ corpid: 'dingbeta', ssoSecret: SSO_SECRET })));
    expect(noSso.statusCode).toBe(400);
  });
});
