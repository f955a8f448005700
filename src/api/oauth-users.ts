import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { Rejection } from '../domain/rejection.js';
import type { Principal } from '../domain/tokens.js';
import { ApiError, type CatalogueKey } from './errors.js';
import { gatewayInvalid, mapRejections } from './rejections.js';
import { bool, num, object, responses, str, strArray } from './schemas.js';
import { sessionOf } from './sign-in.js';
import { networkOfRequest } from './client.js';
import { throttled } from './oauth.js';

const TOKEN_HEADER = 'x-acs-dingtalk-access-token';
const common = { bodyRequired: true, onInvalid: gatewayInvalid };
const tags = ['oauth2_1_0'];
const tokenResponse = responses(object({ accessToken: str, expireIn: num }));
const security = [{ accessToken: [] }];

/** The token of a request to an oauth2 operation that needs one, and its principal. */
async function tokenOf(ctx: Context, req: FastifyRequest): Promise<{ token: string; principal: Principal }> {
  const header = req.headers[TOKEN_HEADER];
  const token = Array.isArray(header) ? header[0] : header;
  if (token === undefined || token === '') throw new ApiError('missingAccessToken');
  const principal = await ctx.tokens.authenticate(token);
  if (!principal) throw new ApiError('invalidAuthentication');
  return { token, principal };
}

/** A token of the wrong kind is answered like a missing permission, naming the kind needed. */
const kindErrors = { wrongToken: 'tokenKindDenied' } as const satisfies Partial<Record<string, CatalogueKey>>;

/**
 * The oauth2_1_0 operations of issue 13 (docs/sign-in.md): suite tokens, authorization info,
 * JSAPI tickets, user tokens and their authorization endpoint, admin SSO.
 */
export async function oauthUserRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const oauth = ctx.oauth;

  app.post<{ Body: { suiteKey: string; suiteSecret: string; suiteTicket: string } }>(
    '/v1.0/oauth2/suiteAccessToken',
    {
      config: { action: 'GetSuiteAccessToken', ...common },
      schema: {
        tags,
        summary: 'GetSuiteAccessToken — the suite’s own token, from its suite ticket',
        body: object({ suiteKey: str, suiteSecret: str, suiteTicket: str }, ['suiteKey', 'suiteSecret', 'suiteTicket']),
        response: tokenResponse,
      },
    },
    async (req, reply) =>
      throttled(reply, () =>
        mapRejections({ badCredentials: 'invalidSuiteKey', badSuiteTicket: 'invalidSuiteTicket' }, () =>
          ctx.tokens.limited(networkOfRequest(req), req.body.suiteKey, () => ctx.tokens.forSuiteItself(req.body.suiteKey, req.body.suiteSecret, req.body.suiteTicket)),
        ),
      ),
  );

  app.get<{ Querystring: { authCorpId: string } }>(
    '/v1.0/oauth2/apps/authInfo',
    {
      config: { action: 'GetAuthInfo', onInvalid: gatewayInvalid },
      schema: {
        tags,
        summary: 'GetAuthInfo — an organization that authorized the suite (suite access token)',
        security,
        querystring: object({ authCorpId: { type: 'string', minLength: 1 } }, ['authCorpId']),
        response: responses(
          object({
            authAppInfo: object({ agentList: { type: 'array', items: object({ adminList: strArray, agentId: num, agentName: str, appId: num }) } }),
            authCorpInfo: object({
              authChannel: str,
              authChannelType: str,
              authLevel: num,
              corpLogoUrl: str,
              corpName: str,
              industry: str,
              inviteCode: str,
              inviteUrl: str,
              licenseCode: str,
            }),
            authUserInfo: object({ userId: str }),
          }),
        ),
      },
    },
    async (req) => {
      const { principal } = await tokenOf(ctx, req);
      return mapRejections({ ...kindErrors, notAuthorized: 'invalidAuthInfo' }, () => oauth.authInfo(principal, req.query.authCorpId));
    },
  );

  app.post(
    '/v1.0/oauth2/jsapiTickets',
    {
      config: { action: 'CreateJsapiTicket' },
      schema: { tags, summary: 'CreateJsapiTicket — the JSAPI ticket of an organization token', security, response: responses(object({ jsapiTicket: str, expireIn: num })) },
    },
    async (req) => {
      const { token, principal } = await tokenOf(ctx, req);
      return mapRejections(kindErrors, async () => oauth.jsapiTicket(principal, token));
    },
  );

  app.post<{ Body: { clientId: string; clientSecret?: string; code?: string; refreshToken?: string; grantType?: string } }>(
    '/v1.0/oauth2/userAccessToken',
    {
      config: { action: 'GetUserToken', ...common },
      schema: {
        tags,
        summary: 'GetUserToken — a user access token from an authorization code (or a refresh token)',
        body: object({ clientId: str, clientSecret: str, code: str, refreshToken: str, grantType: str }, ['clientId']),
        response: responses(object({ accessToken: str, refreshToken: str, expireIn: num, corpId: str })),
      },
    },
    async (req, reply) => {
      try {
        // Wrong client secrets count toward the same limits as the other token routes.
        return await throttled(reply, () => ctx.tokens.limited(networkOfRequest(req), req.body.clientId, () => oauth.userToken(req.body)));
      } catch (err) {
        if (!(err instanceof Rejection)) throw err;
        if (err.reason === 'badCredentials') throw new ApiError('invalidClientIdOrSecret');
        if (err.reason === 'unsupportedGrant') throw new ApiError('unsupportedUserGrant');
        if (err.reason === 'badGrant') throw new ApiError(err.detail === 'refresh' ? 'invalidRefreshToken' : 'invalidAuthCode');
        throw err;
      }
    },
  );

  app.get(
    '/v1.0/oauth2/authRules/user',
    {
      config: { action: 'GetPersonalAuthRule' },
      schema: {
        tags,
        summary: 'GetPersonalAuthRule — what the user granted the app (user access token)',
        security,
        response: responses(object({ result: { type: 'array', items: object({ authItems: strArray, resource: str }) } })),
      },
    },
    async (req) => {
      const { principal } = await tokenOf(ctx, req);
      return mapRejections(kindErrors, async () => oauth.personalAuthRule(principal));
    },
  );

  app.post<{ Body: { corpid: string; ssoSecret: string } }>(
    '/v1.0/oauth2/ssoAccessToken',
    {
      config: { action: 'GetSsoAccessToken', ...common },
      schema: { tags, summary: 'GetSsoAccessToken — the organization’s admin SSO token', body: object({ corpid: str, ssoSecret: str }, ['corpid', 'ssoSecret']), response: tokenResponse },
    },
    async (req, reply) =>
      throttled(reply, () =>
        mapRejections({ badCredentials: 'invalidSsoSecret' }, () =>
          ctx.tokens.limited(networkOfRequest(req), `sso:${req.body.corpid}`, () => oauth.ssoToken(req.body.corpid, req.body.ssoSecret)),
        ),
      ),
  );

  app.get<{ Querystring: { code: string } }>(
    '/v1.0/oauth2/ssoUserInfo',
    {
      config: { action: 'GetSsoUserInfo', onInvalid: gatewayInvalid },
      schema: {
        tags,
        summary: 'GetSsoUserInfo — the administrator behind an admin SSO code (SSO access token)',
        security,
        querystring: object({ code: { type: 'string', minLength: 1 } }, ['code']),
        response: responses(object({ avatar: str, corpId: str, corpName: str, email: str, isAdmin: bool, userId: str, userName: str })),
      },
    },
    async (req) => {
      const { principal } = await tokenOf(ctx, req);
      return mapRejections({ ...kindErrors, badGrant: 'invalidSsoCode' }, () => oauth.ssoUserInfo(principal, req.query.code));
    },
  );

  // ---- the pages a browser goes through ----

  type AuthQuery = { client_id?: string; redirect_uri?: string; scope?: string; state?: string; response_type?: string; prompt?: string };
  app.get<{ Querystring: AuthQuery }>(
    '/oauth2/auth',
    { schema: { tags: ['sign-in'], summary: 'DingTalk OAuth 2.0 authorization endpoint: the signed-in user’s authCode goes to redirect_uri' } },
    async (req, reply) => {
      const { client_id: clientId = '', redirect_uri: redirectUri = '', scope = 'openid', state } = req.query;
      await mapRejections({ notAuthorized: 'oauthBadClient' }, () => oauth.checkClient(clientId, redirectUri));
      const user = await sessionOf(ctx, req);
      if (!user) return toSignIn(req, reply);
      const code = await mapRejections({ orgForbidden: 'unauthorizedClient', notAuthorized: 'oauthBadClient' }, () => oauth.authorize(clientId, redirectUri, scope, user));
      return reply.redirect(withParams(redirectUri, { authCode: code, code, ...(state !== undefined ? { state } : {}) }));
    },
  );

  app.get<{ Querystring: { corpid?: string; corpId?: string; redirect_uri?: string; state?: string } }>(
    '/oauth2/sso',
    { schema: { tags: ['sign-in'], summary: 'Admin single sign-on: a signed-in administrator’s code goes to redirect_uri' } },
    async (req, reply) => {
      const corpId = req.query.corpid ?? req.query.corpId ?? '';
      const redirectUri = req.query.redirect_uri ?? '';
      const user = await sessionOf(ctx, req);
      const code = await mapRejections({ notAuthorized: 'oauthBadClient', notAllowed: 'ssoNotAdmin' }, () => oauth.ssoCode(corpId, redirectUri, user));
      if (code === undefined) return toSignIn(req, reply);
      return reply.redirect(withParams(redirectUri, { code, ...(req.query.state !== undefined ? { state: req.query.state } : {}) }));
    },
  );
}

/** To the sign-in page, which comes back here once the user has signed in. */
function toSignIn(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.redirect(`/signin?next=${encodeURIComponent(req.url)}`);
}

function withParams(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}
