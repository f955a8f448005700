/** The wire itself, read with plain fetch: error bodies, content types, request ids, routing, docs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const CREATE = '/v1.0/conference/videoConferences';

let server: TestServer;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  server = await startTestServer();
  for (const [app, secret] of [
    ['acme-app', 's3cret'],
    ['acme-none', 'n0ne'],
    ['beta-app', 'b3ta'],
  ] as const) {
    const res = await call('POST', '/v1.0/oauth2/accessToken', { json: { appKey: app, appSecret: secret } });
    tokens[app] = res.body.accessToken as string;
  }
});
afterAll(async () => server.stop());

interface Call {
  json?: unknown;
  raw?: string;
  contentType?: string;
  token?: string;
}

async function call(method: string, path: string, opts: Call = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers['x-acs-dingtalk-access-token'] = opts.token;
  let body: string | undefined = opts.raw;
  if (opts.json !== undefined) body = JSON.stringify(opts.json);
  if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(server.url + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as Record<string, unknown> };
}

/** A request that must fail: [what, status, code, request]. */
type ErrorCase = [string, number, string, () => Promise<Awaited<ReturnType<typeof call>>>];

const errorCases: ErrorCase[] = [
  ['no token', 400, 'Missingx-acs-dingtalk-access-token', () => call('POST', CREATE, { json: { userId: 'uA1', confTitle: 'T' } })],
  ['unknown token', 400, 'InvalidAuthentication', () => call('POST', CREATE, { json: {}, token: 'nope' })],
  ['missing body', 400, 'Missingbody', () => call('POST', CREATE, { token: tokens['acme-app'] })],
  ['malformed JSON', 400, 'paramsError', () => call('POST', CREATE, { raw: '{"userId"', token: tokens['acme-app'] })],
  ['bad title', 400, 'paramsTitleError', () => call('POST', CREATE, { json: { userId: 'uA1', confTitle: ' ' }, token: tokens['acme-app'] })],
  ['unknown user', 400, 'unknownUserError', () => call('POST', CREATE, { json: { userId: 'x', confTitle: 'T' }, token: tokens['acme-app'] })],
  ['foreign user', 400, 'orgAccessForbidden', () => call('POST', CREATE, { json: { userId: 'uB1', confTitle: 'T' }, token: tokens['acme-app'] })],
  ['not allowed', 404, 'permissionError', () => call('POST', CREATE, { json: { userId: 'uA4', confTitle: 'T' }, token: tokens['acme-app'] })],
  ['unknown room', 404, 'roomNotFound', () => call('GET', `${CREATE}/nope`, { token: tokens['acme-app'] })],
  ['bad secret', 400, 'invalidClientIdOrSecret', () => call('POST', '/v1.0/oauth2/accessToken', { json: { appKey: 'acme-app', appSecret: 'x' } })],
  ['missing appKey', 400, 'MissingappKey', () => call('POST', '/v1.0/oauth2/accessToken', { json: { appSecret: 'x' } })],
  ['bad ticket', 400, 'invalidSuiteTicket', () =>
    call('POST', '/v1.0/oauth2/corpAccessToken', { json: { authCorpId: 'dingacme', suiteKey: 'isv-1', suiteSecret: 'isv-secret', suiteTicket: 'x' } })],
  ['bad grant', 400, 'unsupported.grant.type', () =>
    call('POST', '/v1.0/oauth2/dingacme/token', { json: { client_id: 'acme-app', client_secret: 's3cret', grant_type: 'password' } })],
  ['foreign client', 401, 'unauthorized.client', () =>
    call('POST', '/v1.0/oauth2/dingacme/token', { json: { client_id: 'beta-app', client_secret: 'b3ta', grant_type: 'client_credentials' } })],
  ['body over 1 MiB', 413, 'RequestEntityTooLarge', () =>
    call('POST', CREATE, { json: { userId: 'uA1', confTitle: 'x'.repeat(1024 * 1024) }, token: tokens['acme-app'] })],
  ['unknown route', 404, 'InvalidAction.NotFound', () => call('GET', '/v1.0/conference/nothing-here')],
  ['unknown method', 404, 'InvalidAction.NotFound', () => call('PATCH', CREATE, { json: {} })],
];

describe('error bodies', () => {
  it.each(errorCases)('%s: exactly {code, requestid, message}, JSON, request id in the header', async (_what, status, code, run) => {
    const res = await run();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'requestid']);
    expect(res.body.code).toBe(code);
    expect(typeof res.body.message).toBe('string');
    expect(res.body.requestid).toMatch(REQUEST_ID);
    expect(res.headers.get('x-acs-request-id')).toBe(res.body.requestid);
  });

  it('adds accessdenieddetail for a missing scope, and nothing else', async () => {
    const res = await call('POST', CREATE, { json: { userId: 'uA1', confTitle: 'T' }, token: tokens['acme-none'] });
    expect(res.status).toBe(403);
    expect(Object.keys(res.body).sort()).toEqual(['accessdenieddetail', 'code', 'message', 'requestid']);
    expect(res.body.accessdenieddetail).toEqual({ requiredScopes: ['VideoConference.Conference.Write'] });
    expect(res.headers.get('x-acs-request-id')).toBe(res.body.requestid);
  });

  it('answers an unknown route with a JSON 404 whatever the method', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await call(method, '/v2.0/whatever');
      expect([res.status, res.body.code, res.body.message]).toEqual([
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
      ]);
    }
  });
});

describe('request ids', () => {
  it('puts a fresh id on every response and never trusts an incoming one', async () => {
    const seen = new Set<string>();
    for (const path of ['/healthz', '/openapi.json', '/nope', '/gettoken?appkey=acme-app&appsecret=s3cret']) {
      const res = await fetch(server.url + path, { headers: { 'x-acs-request-id': 'CALLER-CHOSEN' } });
      const id = res.headers.get('x-acs-request-id');
      expect(id).toMatch(REQUEST_ID);
      seen.add(id!);
    }
    const created = await call('POST', CREATE, { json: { userId: 'uA1', confTitle: 'T' }, token: tokens['acme-app'] });
    expect(created.status).toBe(200);
    seen.add(created.headers.get('x-acs-request-id')!);
    expect(seen.size).toBe(5);
  });
});

describe('success bodies', () => {
  it('are JSON with the declared types', async () => {
    const res = await call('POST', CREATE, { json: { userId: 'uA1', confTitle: 'T', inviteUserIds: ['uA2'] }, token: tokens['acme-app'] });
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(res.body).toEqual({
      conferenceId: expect.any(String),
      conferencePassword: expect.stringMatching(/^\d+$/),
      hostPassword: expect.stringMatching(/^\d+$/),
      externalLinkUrl: expect.any(String),
      phoneNumbers: [],
      roomCode: expect.stringMatching(/^\d{11}$/),
    });
    const info = await call('GET', `${CREATE}/${res.body.conferenceId as string}`, { token: tokens['acme-app'] });
    const confInfo = info.body.confInfo as Record<string, unknown>;
    for (const field of ['activeNum', 'attendNum', 'invitedNum', 'startTime', 'status']) expect(typeof confInfo[field]).toBe('number');
    for (const field of ['bizType', 'conferenceId', 'creatorId', 'creatorNick', 'externalLinkUrl', 'roomCode', 'title']) {
      expect(typeof confInfo[field]).toBe('string');
    }
  });

  it('accepts a JSON content type with a charset and ignores unknown fields', async () => {
    const res = await call('POST', CREATE, {
      raw: JSON.stringify({ userId: 'uA1', confTitle: 'T', extra: { nested: true } }),
      contentType: 'application/json; charset=utf-8',
      token: tokens['acme-app'],
    });
    expect(res.status).toBe(200);
  });
});

describe('service routes', () => {
  it('GET /healthz answers 200', async () => {
    const res = await call('GET', '/healthz');
    expect([res.status, res.body.status]).toEqual([200, 'ok']);
  });

  it('GET /openapi.json lists every route with its method', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const routes = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1.0/oauth2/accessToken',
        'POST /v1.0/oauth2/corpAccessToken',
        'POST /v1.0/oauth2/{corpId}/token',
        'GET /gettoken',
        'POST /v1.0/conference/videoConferences',
        'GET /v1.0/conference/videoConferences/{conferenceId}',
      ]),
    );
    const create = paths['/v1.0/conference/videoConferences']!.post as { requestBody?: unknown; responses?: Record<string, unknown> };
    expect(create.requestBody).toBeDefined();
    expect(Object.keys(create.responses ?? {})).toEqual(expect.arrayContaining(['200', '4XX']));
  });

  it('GET /docs serves an HTML page', async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/<html/i);
  });
});
