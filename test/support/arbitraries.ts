/**
 * fast-check arbitraries for hostile HTTP requests: malformed bodies, headers, paths and query
 * strings, shaped by the routes the server reports about itself.
 */
import fc from 'fast-check';

/** One route as the server describes it: OpenAPI (documented) or its route table (hidden). */
export interface Route {
  method: string;
  /** Path with `{param}` placeholders and `*` wildcards. */
  template: string;
  /** Top-level fields of the route's JSON body schema, with their declared JSON type. */
  bodyFields: BodyField[];
  /** Query parameters the route declares. */
  queryFields: string[];
  documented: boolean;
}

export interface BodyField {
  name: string;
  /** JSON Schema `type` ("string", "array", ...); `items` is the element type of an array. */
  type: string | undefined;
  items?: string | undefined;
}

/** A request exactly as it goes on the wire. */
export interface WireRequest {
  method: string;
  /** Raw request target (path + query), already escaped as far as it will be. */
  target: string;
  /** Header name → value; an array sends the header once per element. */
  headers: Record<string, string | string[]>;
  body: Uint8Array | undefined;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked: boolean;
}

/** Values valid somewhere in the test directory, so generated requests reach deep validation too. */
export interface Known {
  /** Valid access tokens; the first one carries every scope. */
  tokens: string[];
  /** Ids that exist: users (first), organizations, a meeting. */
  ids: string[];
  /** The token a route wants when the first one is of the wrong kind (a user token for GetPersonalAuthRule …), by path template. */
  routeTokens?: Record<string, string>;
}

const TOKEN_HEADER = 'x-acs-dingtalk-access-token';
// FOO and BREW are not HTTP methods: Node's parser refuses them before any route runs.
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO', 'BREW'];

// ---------------------------------------------------------------------------------------------
// Text

/** Characters that break naive handling: NUL, lone surrogates, emoji, RTL override, CJK, BOM. */
const nasty = fc.constantFrom('\u0000', '\ud800', '\udfff', '😀', '👩‍👩‍👧', '中', '\u202e', '\ufeff', '"', '\\', '\n', '%', '\u00e9');
const anyChar = fc.oneof(nasty, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }));
const weirdString = fc.string({ unit: anyChar, maxLength: 40 });

/** Bytes Node's HTTP client accepts in a header value: HTAB, SP..~ and obs-text (0x80-0xff). */
const headerChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  fc.constant('\t'),
);
const headerValue = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
const tchar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.!#$&\'*+^`|~');

/** A URL piece: percent-encoded text, raw printable ASCII or broken percent escapes. */
const rawUrlChar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const percentJunk = fc.constantFrom('%', '%z', '%zz', '%0', '%00', '%c3%28', '%ff', '%fe%ff', '%2F', '%2e%2e', '%uD800', '%ED%A0%80', '%F0%9F%98', '%25', '+');
const urlPiece = fc.oneof(
  { weight: 4, arbitrary: weirdString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'))) },
  { weight: 3, arbitrary: fc.string({ unit: rawUrlChar, maxLength: 20 }).filter((s) => !s.includes('#')) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(percentJunk, fc.string({ unit: 'grapheme-ascii', maxLength: 3 }).map(encodeURIComponent)), { maxLength: 5 })
      .map((a) => a.join('')),
  },
  // Latin-1 bytes straight on the request line: never valid UTF-8, and refused by Node's parser.
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 4 }),
  },
);

// ---------------------------------------------------------------------------------------------
// Paths and query strings

function pathParam(known: Known): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...known.ids) },
    { weight: 4, arbitrary: urlPiece },
    { weight: 1, arbitrary: fc.constant('') },
    // Longer than the router's default parameter limit (100).
    { weight: 1, arbitrary: fc.integer({ min: 90, max: 3000 }).map((n) => 'p'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom('.', '..', '%2e%2e%2f%2e%2e', 'a/b', ';x', 'a?b=1') },
  );
}

function fillTemplate(template: string, param: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const holes = template.match(/\{[^}]+\}|\*/g) ?? [];
  return fc.tuple(...holes.map(() => param)).map((values) => {
    let i = 0;
    return template.replace(/\{[^}]+\}|\*/g, () => values[i++] ?? '');
  });
}

function queryString(route: Route, known: Known): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...route.queryFields, 'appkey', 'appsecret', '__proto__', 'constructor[prototype][polluted]', 'a[b]', 'a[]') },
    { weight: 2, arbitrary: urlPiece },
  );
  const value = fc.oneof(fc.constantFrom(...known.ids, 'acme-app', 's3cret', ''), urlPiece, fc.integer({ min: 1, max: 4000 }).map((n) => 'q'.repeat(n)));
  const pair = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(key, value).map(([k, v]) => `${k}=${v}`) },
    { weight: 1, arbitrary: fc.constantFrom('', '=', '&', '==', 'flag', '=x', 'a=1=2') },
    { weight: 1, arbitrary: key },
  );
  return fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.array(pair, { maxLength: 4 }).map((p) => `?${p.join('&')}`) });
}

/** A path no route serves. */
export const unknownPath = fc.oneof(
  fc.constantFrom(
    '/',
    '/v1.0',
    '/v1.0/',
    '/v1.0/conference',
    '/v1.0/conference/videoConferences/',
    '/v1.0/conference/videoConferences/a/b',
    '/V1.0/oauth2/accessToken',
    '/v1.0/oauth2/accessToken/',
    '/v2.0/oauth2/accessToken',
    '//v1.0/oauth2/accessToken',
    '/v1.0/oauth2//token',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/gettoken/x',
    '/favicon.ico',
    '/__proto__',
    '/constructor/prototype',
  ),
  fc.array(urlPiece, { minLength: 1, maxLength: 4 }).map((parts) => `/zz-${parts.join('/')}`),
);

// ---------------------------------------------------------------------------------------------
// Bodies

interface BodyCase {
  bytes: Uint8Array | undefined;
  /** Content type that fits the bytes; the request may still send another one. */
  contentType: string | undefined;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const jsonCase = (text: string): BodyCase => ({ bytes: utf8(text), contentType: 'application/json' });

/** Built once: big and deep payloads that are costly to generate every run. */
let bigCases: BodyCase[] | undefined;
function big(): BodyCase[] {
  bigCases ??= [
    jsonCase(JSON.stringify({ userId: 'uA1', confTitle: 'x'.repeat(100_000) })),
    jsonCase(JSON.stringify({ userId: 'uA1', confTitle: 'T', inviteUserIds: Array.from({ length: 20_000 }, () => 'uA2') })),
    jsonCase(JSON.stringify({ userId: 'uA1', confTitle: 'T', inviteUserIds: Array.from({ length: 20_000 }, (_, i) => `u${i}`) })),
    // Over the 1 MiB body limit.
    jsonCase(JSON.stringify({ userId: 'uA1', confTitle: 'y'.repeat(1_100_000) })),
    { bytes: new Uint8Array(1_200_000).fill(0x7b), contentType: 'application/json' },
    jsonCase(`${'['.repeat(50_000)}${']'.repeat(50_000)}`),
    jsonCase(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`),
    jsonCase(`${'{"a":'.repeat(5_000)}{"__proto__":{"polluted":1}}${'}'.repeat(5_000)}`),
    jsonCase(JSON.stringify(Array.from({ length: 50_000 }, (_, i) => i))),
  ];
  return bigCases;
}

const protoBodies = fc.constantFrom(
  '{"userId":"uA1","confTitle":"t","__proto__":{"polluted":1}}',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"appKey":"acme-app","appSecret":"s3cret","constructor":{"prototype":{"polluted":1}}}',
  '{"a":{"__proto__":{"polluted":1}}}',
  '{"\\u005f\\u005fproto__":{"polluted":1}}',
  '{"userId":"uA1","confTitle":"t","constructor":"x","toString":1,"hasOwnProperty":null,"valueOf":[]}',
);

const invalidJson = fc.oneof(
  fc.constantFrom('{', '}', '[', '{"a":1,}', '{a:1}', "{'a':1}", 'NaN', 'undefined', '{"a":1}{"b":2}', '{"a":01}', '"\\x41"', '\ufeff{"a":1}', '{"a":"\u0000"}', '{"a":1', 'nul', '--', ' \t\n'),
  fc.string({ unit: anyChar, minLength: 1, maxLength: 60 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null').chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((n) => t.slice(0, n) || '{')),
);

/** Values of any type: plausible ids, wrong types, and nasty text. */
function anyValue(known: Known): fc.Arbitrary<unknown> {
  const plausible = plausibleString(known);
  return fc.oneof(
    { weight: 4, arbitrary: plausible },
    { weight: 3, arbitrary: weirdString },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant('   ')) },
    { weight: 1, arbitrary: fc.array(fc.oneof(plausible, weirdString, fc.integer(), fc.constant(null)), { maxLength: 6 }) },
    { weight: 1, arbitrary: fc.dictionary(weirdString, plausible, { maxKeys: 3 }) },
    { weight: 1, arbitrary: longText },
  );
}

const plausibleString = (known: Known) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known.ids) },
    { weight: 1, arbitrary: fc.constantFrom('acme-app', 's3cret', 'isv-1', 'isv-secret', 'ticket-1', 'client_credentials', 'Weekly') },
  );
// Around the title limits (50 and 256 code points), in 1-, 2- and 4-byte characters.
const longText = fc.integer({ min: 40, max: 400 }).chain((n) => fc.constantFrom('中', '😀', 'a').map((c) => c.repeat(n)));

/** A value of the field's declared type most of the time, so validation goes past the type checks. */
function fieldValue(field: BodyField, known: Known): fc.Arbitrary<unknown> {
  const text = fc.oneof({ weight: 4, arbitrary: plausibleString(known) }, { weight: 2, arbitrary: weirdString }, { weight: 1, arbitrary: longText });
  const typed: Record<string, fc.Arbitrary<unknown>> = {
    string: text,
    boolean: fc.boolean(),
    number: fc.oneof(fc.integer(), fc.double()),
    integer: fc.integer(),
    array: fc.oneof(
      { weight: 4, arbitrary: fc.array(field.items === 'string' ? text : anyValue(known), { maxLength: 6 }) },
      { weight: 1, arbitrary: fc.integer({ min: 50, max: 400 }).chain((n) => plausibleString(known).map((id) => Array.from({ length: n }, () => id))) },
    ),
  };
  const right = field.type === undefined ? undefined : typed[field.type];
  return right ? fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: anyValue(known) }) : anyValue(known);
}

const ABSENT = Symbol('absent');

/** A JSON object with the route's own fields (each usually present, of any type) and extra keys. */
function shapedObject(fields: BodyField[], known: Known): fc.Arbitrary<Record<string, unknown>> {
  const own = fc.tuple(...fields.map((f) => fc.option(fieldValue(f, known), { freq: 6, nil: ABSENT })));
  const extra = fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(weirdString.filter((k) => k !== '__proto__'), anyValue(known), { maxKeys: 2 }) });
  return fc.tuple(own, extra).map(([values, more]) => {
    const out: Record<string, unknown> = { ...more };
    fields.forEach((f, i) => {
      if (values[i] !== ABSENT) out[f.name] = values[i];
    });
    return out;
  });
}

function bodyCase(route: Route, known: Known): fc.Arbitrary<BodyCase> {
  return fc.oneof(
    { weight: 6, arbitrary: shapedObject(route.bodyFields, known).map((v) => jsonCase(JSON.stringify(v))) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => jsonCase(JSON.stringify(v) ?? 'null')) },
    { weight: 2, arbitrary: invalidJson.map(jsonCase) },
    { weight: 1, arbitrary: protoBodies.map(jsonCase) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ bytes, contentType: 'application/octet-stream' })) },
    { weight: 1, arbitrary: fc.constantFrom<BodyCase>({ bytes: undefined, contentType: undefined }, { bytes: new Uint8Array(0), contentType: 'application/json' }) },
    { weight: 1, arbitrary: fc.constant(null).map(() => big()).chain((cases) => fc.constantFrom(...cases)) },
    // The same JSON, in UTF-16 with a matching charset.
    {
      weight: 1,
      arbitrary: shapedObject(route.bodyFields, known).map((v) => ({
        bytes: new Uint8Array(Buffer.from(JSON.stringify(v), 'utf16le')),
        contentType: 'application/json; charset=utf-16le',
      })),
    },
  );
}

/** The content type actually sent: mostly the fitting one, otherwise wrong or malformed. */
const contentTypeFor = (fitting: string | undefined) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant(fitting) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        undefined,
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON;CHARSET=UTF-8',
        'application/json; charset=bogus',
        'application/json;;;',
        'application/json, text/plain',
        'application/vnd.api+json',
        'application/problem+json; x="y"',
        'text/plain',
        'text/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/octet-stream',
        '*/*',
        'json',
        'application/',
        ';',
        '',
      ),
    },
    { weight: 1, arbitrary: headerValue(60) },
  );

// ---------------------------------------------------------------------------------------------
// Headers

function tokenHeader(known: Known): fc.Arbitrary<string | string[] | undefined> {
  const valid = fc.constantFrom(...known.tokens);
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: headerValue(64) },
    { weight: 2, arbitrary: fc.integer({ min: 1_000, max: 12_000 }).map((n) => 't'.repeat(n)) },
    // Beyond Node's 16 KiB header limit.
    { weight: 1, arbitrary: fc.integer({ min: 17_000, max: 40_000 }).map((n) => 'T'.repeat(n)) },
    { weight: 2, arbitrary: valid.map((t) => [` ${t} `, `Bearer ${t}`, t.toUpperCase(), `${t}x`, t.slice(1)]).chain((v) => fc.constantFrom(...v)) },
    // Sent as two header lines.
    { weight: 2, arbitrary: fc.tuple(fc.oneof(valid, headerValue(20)), fc.oneof(valid, headerValue(20))).map(([a, b]) => [a, b]) },
  );
}

const reserved = new Set(['host', 'content-length', 'transfer-encoding', 'content-type', TOKEN_HEADER, 'connection', 'expect', 'upgrade', 'te', 'trailer', 'keep-alive']);
const extraHeader = fc.oneof(
  fc.constantFrom<[string, string | string[]]>(
    ['x-acs-request-id', 'ATTACKER-CHOSEN-ID'],
    ['accept', 'text/html'],
    ['accept-encoding', 'gzip, br'],
    ['content-encoding', 'gzip'],
    ['x-http-method-override', 'DELETE'],
    ['x-forwarded-for', '::1, 300.1.1.1'],
    ['cookie', 'a=b; __proto__=x'],
    ['x-acs-dingtalk-access-token-x', 'tok'],
  ),
  fc.tuple(
    fc.string({ unit: tchar, minLength: 1, maxLength: 20 }).filter((n) => !reserved.has(n)),
    fc.oneof(headerValue(40), fc.array(headerValue(10), { minLength: 2, maxLength: 3 })),
  ),
);

// ---------------------------------------------------------------------------------------------
// Whole requests

/** Parts of a request a property pins down instead of generating freely. */
export interface Pinned {
  methods?: fc.Arbitrary<string>;
  path?: fc.Arbitrary<string>;
  query?: fc.Arbitrary<string>;
  token?: fc.Arbitrary<string | string[] | undefined>;
  extras?: fc.Arbitrary<[string, string | string[]][]>;
}

export function wireRequest(route: Route, known: Known, pin: Pinned = {}): fc.Arbitrary<WireRequest> {
  return fc
    .record({
      method: pin.methods ?? methodFor(route),
      path: pin.path ?? fillTemplate(route.template, pathParam(known)),
      query: pin.query ?? queryString(route, known),
      token: pin.token ?? tokenHeader(known),
      body: bodyCase(route, known),
      extras: pin.extras ?? fc.array(extraHeader, { maxLength: 3 }),
      chunked: fc.boolean(),
    })
    .chain((r) => contentTypeFor(r.body.contentType).map((contentType) => ({ ...r, contentType })))
    .map(({ method, path, query, token, body, extras, chunked, contentType }) => {
      const headers: Record<string, string | string[]> = Object.fromEntries(extras);
      if (token !== undefined) headers[TOKEN_HEADER] = token;
      if (contentType !== undefined) headers['content-type'] = contentType;
      return { method, target: path + query, headers, body: body.bytes, chunked: chunked && body.bytes !== undefined };
    });
}

/** Well-formed HTTP with a valid token: only the body is hostile, so it reaches every route's own checks. */
export function bodyOnlyRequest(route: Route, known: Known): fc.Arbitrary<WireRequest> {
  return wireRequest(route, known, {
    methods: fc.constant(route.method),
    path: fillTemplate(route.template, fc.constantFrom(...known.ids)),
    query: fc.constant(''),
    token: goodToken(known, route),
    extras: fc.constant([]),
  });
}

/** Hostile path parameters, query strings and methods, with a valid token so handlers run. */
export function pathRequest(route: Route, known: Known): fc.Arbitrary<WireRequest> {
  return wireRequest(route, known, { token: goodToken(known, route), extras: fc.constant([]) });
}

/** Hostile token, content-type and other headers; method, path and query sane. */
export function headerRequest(route: Route, known: Known): fc.Arbitrary<WireRequest> {
  return wireRequest(route, known, {
    methods: fc.constant(route.method),
    path: fillTemplate(route.template, fc.constantFrom(...known.ids)),
    query: fc.constant(''),
  });
}

// Mostly the first token (full scopes) or the route's own kind, so requests get past the scope check.
const goodToken = (known: Known, route?: Route) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant((route && known.routeTokens?.[route.template]) ?? known.tokens[0]) },
    { weight: 1, arbitrary: fc.constantFrom(...known.tokens) },
  );

/** Mostly the route's own method, sometimes another one. */
function methodFor(route: Route): fc.Arbitrary<string> {
  return fc.oneof({ weight: 5, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) });
}

export const anyMethod = fc.constantFrom(...METHODS);
