/**
 * Finding 8: guessing app secrets was unlimited (2,000 wrong guesses in 1.4 s, none throttled).
 * Wrong secrets now count per network and app key; a network that has not failed still gets its token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $oauth2, appToken, oauthClient, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { trustProxy: ['127.0.0.1'] } });
});
afterAll(async () => server.stop());

describe('hostile: token routes', () => {
  it('throttles wrong app secrets through the SDK after 20 per app key', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 25; i++) {
      const err = await sdkError(oauthClient(server.endpoint).getAccessToken(new $oauth2.GetAccessTokenRequest({ appKey: 'acme-app', appSecret: `guess-${i}` })));
      outcomes.push(`${err.statusCode} ${err.code}`);
    }
    expect(outcomes.slice(0, 20).every((o) => o === '400 invalidClientIdOrSecret' || o.endsWith('invalidClientIdOrSecret'))).toBe(true);
    expect(outcomes.slice(20).every((o) => o === '429 Throttling.Credentials')).toBe(true);
    // Even the right secret waits now, from this address.
    const right = await sdkError(oauthClient(server.endpoint).getAccessToken(new $oauth2.GetAccessTokenRequest({ appKey: 'acme-app', appSecret: 's3cret' })));
    expect(right.code).toBe('Throttling.Credentials');
  });

  it('throttles the other token routes, legacy gettoken included; other addresses are unaffected', async () => {
    const post = (path: string, body: object, from: string) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify(body) });
    const codes = async (n: number, call: () => Promise<Response>) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await call()).status);
      return out;
    };
    const suite = await codes(22, () => post('/v1.0/oauth2/corpAccessToken', { authCorpId: 'dingacme', suiteKey: 'isv-1', suiteSecret: 'nope', suiteTicket: 'ticket-1' }, '192.0.2.50'));
    expect(suite.slice(20)).toEqual([429, 429]);
    const client = await codes(22, () => post('/v1.0/oauth2/dingbeta/token', { client_id: 'beta-app', client_secret: 'nope', grant_type: 'client_credentials' }, '192.0.2.51'));
    expect(client.slice(20)).toEqual([429, 429]);
    const legacy: number[] = [];
    for (let i = 0; i < 22; i++) {
      const res = await fetch(`${server.url}/gettoken?appkey=beta-app&appsecret=nope-${i}`, { headers: { 'x-forwarded-for': '192.0.2.52' } });
      legacy.push(((await res.json()) as { errcode: number }).errcode);
    }
    expect(legacy.slice(0, 20).every((c) => c === 40096)).toBe(true);
    expect(legacy.slice(20)).toEqual([90018, 90018]);
    // Another address, with the right secret: its token.
    const fine = await fetch(`${server.url}/gettoken?appkey=beta-app&appsecret=b3ta`, { headers: { 'x-forwarded-for': '192.0.2.99' } });
    expect(((await fine.json()) as { errcode: number }).errcode).toBe(0);
    // The secret-taking routes of Stream mode, suites, user OAuth and admin SSO count alike.
    for (const [i, [path, body]] of ([
      ['/v1.0/gateway/connections/open', { clientId: 'acme-app', clientSecret: 'nope' }],
      ['/v1.0/oauth2/suiteAccessToken', { suiteKey: 'isv-1', suiteSecret: 'nope', suiteTicket: 'ticket-1' }],
      ['/v1.0/oauth2/userAccessToken', { clientId: 'acme-app', clientSecret: 'nope', code: 'x', grantType: 'authorization_code' }],
      ['/v1.0/oauth2/ssoAccessToken', { corpid: 'dingacme', ssoSecret: 'nope' }],
    ] as const).entries()) {
      const statuses = await codes(22, () => post(path, body, `192.0.2.${60 + i}`));
      expect(statuses.slice(0, 20).every((c) => c === 400), `${path}: ${statuses.join()}`).toBe(true);
      expect(statuses.slice(20), path).toEqual([429, 429]);
    }
    // The server's own address (the SDK's) still gets tokens for apps it did not guess at.
    expect(await appToken(server.endpoint, 'beta-app', 'b3ta')).toMatch(/^[0-9a-f]{32}$/);
  });
});
