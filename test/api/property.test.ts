/**
 * Issue 2: malformed bodies and headers thrown at every route always get a catalogued 4xx JSON
 * error — never a 5xx — and a failed request writes nothing. Routes come from the server itself.
 *
 * Reproduce a failure with VCONF_FC_SEED=<seed printed by fast-check>; scale runs with
 * VCONF_FC_RUNS=<multiplier>.
 */
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, errorBodySchema } from '../../src/api/errors.js';
import { anyMethod, bodyOnlyRequest, headerRequest, pathRequest, unknownPath, wireRequest, type Known, type Route, type WireRequest } from '../support/arbitraries.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { tableCounts } from '../support/db-peek.js';
import { startTestServer, type TestServer } from '../support/server.js';

const REQUEST_ID = 'x-acs-request-id';
const RUNS = Number(process.env.VCONF_FC_RUNS ?? 1);
const SEED = process.env.VCONF_FC_SEED === undefined ? undefined : Number(process.env.VCONF_FC_SEED);
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * RUNS)), seed: SEED });
const TIMEOUT = 30_000 * Math.max(1, RUNS);

let server: TestServer;
let known: Known;
let documented: Route[];
let hidden: Route[];
let served: Set<string>;
/** Hidden pages that fail even for a plain GET (e.g. 503 webNotBuilt before `vite build`): "status code". */
const unavailable = new Map<string, string>();

beforeAll(async () => {
  server = await startTestServer();
  const tokens = await Promise.all(
    [
      ['acme-app', 's3cret'],
      ['acme-readonly', 'r3ad'],
      ['acme-none', 'n0ne'],
      ['beta-app', 'b3ta'],
    ].map(([key, secret]) => appToken(server.endpoint, key!, secret!)),
  );
  // Tokens of the other kinds (issue 13), so the oauth2 routes that want them get past their checks too:
  // a user token and an SSO token as GetUserToken and GetSsoAccessToken issue them, and a suite's own token.
  const [user, sso, suite] = [
    (await server.running.ctx.tokens.issueOwn('user', 'acme-app', 'dingacme', ['openid'], 'uA2')).accessToken,
    (await server.running.ctx.tokens.issueOwn('sso', 'dingacme', 'dingacme', [])).accessToken,
    (await server.running.ctx.tokens.forSuiteItself('isv-1', 'isv-secret', 'ticket-1')).accessToken,
  ];
  tokens.push(user, sso, suite);
  // A real meeting, so generated lookups sometimes hit one.
  const created = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Existing' }),
    confHeaders(tokens[0]),
    runtime(),
  );
  known = {
    tokens,
    routeTokens: { '/v1.0/oauth2/authRules/user': user, '/v1.0/oauth2/ssoUserInfo': sso, '/v1.0/oauth2/apps/authInfo': suite },
    ids: [
      ...['uA1', 'uA2', 'uA4', 'uB1', 'uO1', 'uS1', 'uShared', 'dingacme', 'dingbeta', 'dingoff', 'dingsmall'],
      created.body!.conferenceId!,
      created.body!.roomCode!,
      created.body!.conferencePassword!,
    ],
  };
  served = routeTable(server.running.app.printRoutes({ commonPrefix: false }));
  documented = openApiRoutes((await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDoc);
  const documentedKeys = new Set(documented.map((r) => `${r.method} ${r.template}`));
  hidden = [...served]
    .filter((key) => !documentedKeys.has(key))
    .map((key) => {
      const [method, template] = key.split(' ') as [string, string];
      return { method, template, bodyFields: [], queryFields: [], documented: false };
    });
  for (const r of hidden.filter((r) => r.method === 'GET' && !/[{*]/.test(r.template))) {
    const res = await fetch(server.url + r.template, { redirect: 'manual' });
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    if (res.status >= 500) unavailable.set(r.template, `${res.status} ${body.code}`);
  }
});

afterAll(async () => {
  await server?.stop();
});

describe('malformed requests at every route', () => {
  it('finds the routes from the server: every documented operation is served', () => {
    expect(documented.length).toBeGreaterThanOrEqual(6);
    for (const r of documented) expect(served, `${r.method} ${r.template} is in the OpenAPI document`).toContain(`${r.method} ${r.template}`);
    expect(documented.map((r) => `${r.method} ${r.template}`)).toContain('POST /v1.0/conference/videoConferences');
    expect(documented.map((r) => `${r.method} ${r.template}`)).toContain('GET /gettoken');
    expect(hidden.map((r) => r.template)).toContain('/healthz');
  });

  it('malformed bodies at every documented route: catalogued 4xx JSON errors, never a 5xx, nothing written', async () => {
    const pastGateway = new Set<string>();
    const arb = fc.constantFrom(...documented).chain((route) => bodyOnlyRequest(route, known).map((req) => printable(route, req)));
    await fc.assert(
      fc.asyncProperty(arb, async ({ route, req }) => {
        const a = await check(route, req);
        if (a.status < 300 || !GATEWAY.has(a.code)) pastGateway.add(`${route.method} ${route.template}`);
      }),
      runs(1000),
    );
    // Not vacuous: on every route some bodies got past the gateway's checks to the route's own.
    expect([...pastGateway].sort()).toEqual(documented.map((r) => `${r.method} ${r.template}`).sort());
  }, TIMEOUT);

  it('malformed headers at every documented route: the same', async () => {
    const arb = fc.constantFrom(...documented).chain((route) => headerRequest(route, known).map((req) => printable(route, req)));
    await fc.assert(fc.asyncProperty(arb, async ({ route, req }) => void (await check(route, req))), runs(600));
  }, TIMEOUT);

  it('malformed path parameters, query strings and methods at every documented route: the same', async () => {
    const arb = fc.constantFrom(...documented).chain((route) => pathRequest(route, known).map((req) => printable(route, req)));
    await fc.assert(fc.asyncProperty(arb, async ({ route, req }) => void (await check(route, req))), runs(1000));
  }, TIMEOUT);

  it('hidden routes and unknown paths, with any method: the same', async () => {
    const unknown: Route = { method: 'GET', template: '', bodyFields: [], queryFields: [], documented: false };
    const arb = fc.oneof(
      fc.constantFrom(...hidden).chain((route) => wireRequest(route, known).map((req) => printable(route, req))),
      unknownPath.chain((path) => wireRequest(unknown, known, { methods: anyMethod, path: fc.constant(path) }).map((req) => printable(unknown, req))),
    );
    await fc.assert(fc.asyncProperty(arb, async ({ route, req }) => void (await check(route, req))), runs(400));
  }, TIMEOUT);

  it('legacy GET /gettoken answers every request that reaches it with 200 and a numeric errcode', async () => {
    const route = documented.find((r) => r.template === '/gettoken')!;
    const arb = wireRequest(route, known, { methods: fc.constant('GET'), path: fc.constant('/gettoken') }).map((req) => printable(route, req));
    await fc.assert(fc.asyncProperty(arb, async ({ route, req }) => void (await check(route, req))), runs(200));
  }, TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// The properties

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Answers of the gateway layer, given before a route's own checks run. */
const GATEWAY = new Set<string | undefined>(
  (['missingAccessToken', 'missingBody', 'invalidAuthentication', 'scopeDenied', 'qpsLimit', 'actionNotFound', 'bodyTooLarge', 'headersTooLarge', 'requestTimeout'] as const).map(
    (key) => catalogue[key].code,
  ),
);
// Keys of the documented ErrorBody: code, requestid, message, accessdenieddetail (scope errors),
// retryAfterSeconds (the meeting-room API's tooManyAttempts).
const errorKeys = new Set(Object.keys(errorBodySchema.properties));
const catalogued = Object.values(catalogue).map((e) => ({ status: e.status, code: pattern(e.code, '+'), message: pattern(e.template, '*') }));
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join();

/** A catalogue template as a regular expression; `%s` stands for any detail. */
function pattern(template: string, repeat: '*' | '+'): RegExp {
  const escaped = template.split('%s').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join(`[\\s\\S]${repeat}`)}$`);
}

/** Row counts right after the last failed request, to catch writes that land after the answer. */
let afterFailure: { counts: Counts; req: WireRequest } | undefined;

/** Sends one request and checks every property of its answer. */
async function check(route: Route, req: WireRequest): Promise<{ status: number; code: string | undefined }> {
  const before = await counts();
  if (afterFailure && !sameCounts(afterFailure.counts, before)) {
    throw new Error(`a failed request wrote after answering\n${describeRequest(afterFailure.req)}`);
  }
  afterFailure = undefined;
  const a = await sendSettled(req);
  const context = `${describeRequest(req)}\n→ ${a.status} ${a.headers['content-type'] ?? ''} ${a.text.slice(0, 300)}`;
  const expectOk = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`${what}\n${context}`);
  };

  const code = (parseJson(a.text) as { code?: unknown } | undefined)?.code;
  // A page that is down for a plain GET too is in a state, not failing on this input.
  expectOk(a.status < 500 || unavailable.get(route.template) === `${a.status} ${code}`, 'never a 5xx');
  const id = a.headers[REQUEST_ID];
  expectOk(typeof id === 'string' && /^[0-9A-F-]{36}$/.test(id), 'every answer carries a server-made request id');
  expectOk(Object.getOwnPropertyNames(Object.prototype).join() === prototypeKeys && !('polluted' in {}), 'Object.prototype untouched');

  const path = req.target.split('?')[0];
  if (req.method === 'GET' && path === '/gettoken' && wellFormedHttp(req)) {
    expectOk(a.status === 200, 'legacy gettoken answers 200');
    const body = parseJson(a.text) as { errcode?: unknown } | undefined;
    expectOk(typeof body?.errcode === 'number', 'gettoken body has a numeric errcode');
    if (body?.errcode !== 0) await expectNothingWritten(before, req, expectOk);
    return { status: a.status, code: undefined };
  }
  if (a.status >= 200 && a.status < 300) {
    if (route.documented) expectOk(isJsonObject(a), 'documented routes answer JSON');
    return { status: a.status, code: undefined };
  }

  // Hidden pages may redirect (GET / → the join page); nothing else answers outside 2xx/4xx.
  if (a.status >= 300 && a.status < 400 && !route.documented && typeof a.headers.location === 'string') return { status: a.status, code: undefined };
  expectOk(a.status >= 400, 'no redirects or informational answers');
  expectOk(/^application\/json\b/.test(String(a.headers['content-type'])), 'errors are application/json');
  const body = parseJson(a.text);
  expectOk(typeof body === 'object' && body !== null && !Array.isArray(body), 'error body is a JSON object');
  const err = body as Record<string, unknown>;
  expectOk(Object.keys(err).every((k) => errorKeys.has(k)), 'error body has only the documented ErrorBody keys');
  expectOk(['code', 'requestid', 'message'].every((k) => typeof err[k] === 'string'), 'code, requestid and message are strings');
  expectOk(err.requestid === id, 'requestid equals the x-acs-request-id header');
  expectOk(
    catalogued.some((e) => e.status === a.status && e.code.test(err.code as string) && e.message.test(err.message as string)),
    'status, code and message come from one catalogue entry',
  );
  await expectNothingWritten(before, req, expectOk);
  return { status: a.status, code: err.code as string };
}

async function expectNothingWritten(before: Counts, req: WireRequest, expectOk: (cond: boolean, what: string) => void): Promise<void> {
  const after = await counts();
  expectOk(sameCounts(before, after), 'a failed request writes nothing');
  afterFailure = { counts: after, req };
}

// ---------------------------------------------------------------------------------------------
// Wire, database and discovery helpers

const HTTP_METHODS = new Set(http.METHODS);

/**
 * Whether Node's HTTP parser lets the request through to the router: a known method, a request
 * line of visible ASCII, headers within the 16 KiB limit. Others get a catalogued 4xx too, but
 * from the server's client-error handler, so no route's own rules apply.
 */
function wellFormedHttp(req: WireRequest): boolean {
  const headerBytes = Object.entries(req.headers).reduce((n, [k, v]) => n + [v].flat().reduce((m, x) => m + k.length + x.length + 4, 0), 0);
  return HTTP_METHODS.has(req.method) && /^[\x21-\x7e]*$/.test(req.target) && headerBytes + req.target.length < http.maxHeaderSize - 200;
}

/**
 * A GET or HEAD whose (fuzzed) body the server never reads may have its answer cut by a TCP
 * reset when the server closes the connection on a loaded machine: that is the transport's doing,
 * not an answer, so such a request is sent again (at most twice). Requests that write are not.
 */
async function sendSettled(req: WireRequest): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(req);
    } catch (err) {
      const reset = /aborted|ECONNRESET|socket hang up/.test(String((err as Error).message));
      if (!reset || !['GET', 'HEAD'].includes(req.method) || !req.body || attempt >= 3) throw err;
    }
  }
}

function send(req: WireRequest): Promise<Answer> {
  const base = new URL(server.url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...req.headers };
    if (req.body && req.chunked) headers['transfer-encoding'] = 'chunked';
    else if (req.body) headers['content-length'] = String(req.body.length);
    // No keep-alive: the server may close after an error, and a reused dead socket is not its fault.
    const out = http.request({ host: base.hostname, port: base.port, method: req.method, path: req.target, headers, agent: false, timeout: 10_000 });
    let answered = false;
    out.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written; that is fine.
    out.on('error', (err) => {
      if (!answered) reject(new Error(`${err.message}\n${describeRequest(req)}`));
    });
    out.on('timeout', () => out.destroy(new Error('no answer within 10 s')));
    if (req.body && req.chunked) {
      const half = req.body.length >> 1;
      out.write(req.body.subarray(0, half));
      out.write(req.body.subarray(half));
    } else if (req.body) out.write(req.body);
    out.end();
  });
}

type Counts = Record<string, number>;

/** Row counts of every table (meetings, meeting_members, access_tokens, orgs, users, ...). */
function counts(): Promise<Counts> {
  return tableCounts(server.db);
}

function sameCounts(a: Counts, b: Counts): boolean {
  return Object.keys(a).length > 0 && Object.keys(a).every((t) => a[t] === b[t]);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isJsonObject(a: Answer): boolean {
  const body = parseJson(a.text);
  return /^application\/json\b/.test(String(a.headers['content-type'])) && typeof body === 'object' && body !== null;
}

/** Counterexamples print short: a 1 MB body is shown as its size and first bytes. */
function printable(route: Route, req: WireRequest): { route: Route; req: WireRequest } {
  return {
    route: Object.assign(route, { [fc.toStringMethod]: () => `${route.method} ${route.template}` }),
    req: Object.assign(req, { [fc.toStringMethod]: () => describeRequest(req) }),
  };
}

function describeRequest(req: WireRequest): string {
  const body = req.body ? Buffer.from(req.body) : undefined;
  const shown = body ? `${body.length} bytes${req.chunked ? ' chunked' : ''}: ${JSON.stringify(body.subarray(0, 200).toString('utf8'))}` : 'no body';
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${visible(JSON.stringify(v).slice(0, 120))}`);
  return `${req.method} ${visible(req.target.slice(0, 300))} {${headers.join('; ')}} ${shown}`;
}

/** Non-ASCII shown as escapes: the request line and headers carry them as raw Latin-1 bytes. */
function visible(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, { type?: string; items?: { type?: string } }> } }> } }>>;
}

function openApiRoutes(doc: OpenApiDoc): Route[] {
  return Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      template,
      bodyFields: Object.entries(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}).map(([name, schema]) => ({
        name,
        type: schema.type,
        items: schema.items?.type,
      })),
      queryFields: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      documented: true,
    })),
  );
}

/**
 * "METHOD /path/{param}" for every route in Fastify's printed route tree (HEAD left out: its
 * answers have no body). Each line is `<prefix>── <segment> (METHODS)`, nested 4 columns a level.
 */
function routeTable(tree: string): Set<string> {
  const stack: string[] = [];
  const out = new Set<string>();
  for (const line of tree.split('\n')) {
    const m = /^(.*?)── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = Math.floor(m[1]!.length / 4);
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = path;
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) {
      out.add(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return out;
}
