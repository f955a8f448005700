import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../context.js';
import { Rejection } from '../domain/rejection.js';
import { Throttled, TOKEN_LIFETIME_S } from '../domain/tokens.js';
import { networkOfRequest } from './client.js';
import { ApiError, legacy } from './errors.js';
import { gatewayInvalid, mapRejections } from './rejections.js';
import { num, object, responses, str } from './schemas.js';

const tokenResponse = responses(object({ accessToken: str, expireIn: num }));
const common = { bodyRequired: true, onInvalid: gatewayInvalid };

/** Access tokens (spec §b): internal app, third-party suite, client_credentials and legacy gettoken. */
export async function oauthRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post<{ Body: { appKey: string; appSecret: string } }>(
    '/v1.0/oauth2/accessToken',
    {
      config: { action: 'GetAccessToken', ...common },
      schema: {
        tags: ['oauth2_1_0'],
        summary: 'GetAccessToken — token of an internal app',
        body: object({ appKey: str, appSecret: str }, ['appKey', 'appSecret']),
        response: tokenResponse,
      },
    },
    async (req, reply) =>
      throttled(reply, () =>
        mapRejections({ badCredentials: 'invalidClientIdOrSecret' }, () =>
          ctx.tokens.limited(networkOfRequest(req), req.body.appKey, () => ctx.tokens.forApp(req.body.appKey, req.body.appSecret)),
        ),
      ),
  );

  app.post<{ Body: { authCorpId: string; suiteKey: string; suiteSecret: string; suiteTicket: string } }>(
    '/v1.0/oauth2/corpAccessToken',
    {
      config: { action: 'GetCorpAccessToken', ...common },
      schema: {
        tags: ['oauth2_1_0'],
        summary: 'GetCorpAccessToken — token of a third-party suite for an authorizing organization',
        body: object({ authCorpId: str, suiteKey: str, suiteSecret: str, suiteTicket: str }, ['authCorpId', 'suiteKey', 'suiteSecret', 'suiteTicket']),
        response: tokenResponse,
      },
    },
    async (req, reply) =>
      throttled(reply, () =>
        mapRejections({ badCredentials: 'invalidSuiteKey', badSuiteTicket: 'invalidSuiteTicket', notAuthorized: 'invalidAuthInfo' }, () =>
          ctx.tokens.limited(networkOfRequest(req), req.body.suiteKey, () =>
            ctx.tokens.forSuite(req.body.suiteKey, req.body.suiteSecret, req.body.suiteTicket, req.body.authCorpId),
          ),
        ),
      ),
  );

  app.post<{ Params: { corpId: string }; Body: { client_id: string; client_secret: string; grant_type: string } }>(
    '/v1.0/oauth2/:corpId/token',
    {
      config: { action: 'GetToken', ...common },
      schema: {
        tags: ['oauth2_1_0'],
        summary: 'GetToken — client_credentials token for an organization',
        params: object({ corpId: str }, ['corpId']),
        body: object({ client_id: str, client_secret: str, grant_type: str }, ['client_id', 'client_secret', 'grant_type']),
        response: responses(object({ access_token: str, expires_in: num })),
      },
    },
    async (req, reply) => {
      const issued = await throttled(reply, () =>
        mapRejections({ badCredentials: 'invalidClient', notAuthorized: 'unauthorizedClient', unsupportedGrant: 'unsupportedGrantType' }, () =>
          ctx.tokens.limited(networkOfRequest(req), req.body.client_id, () =>
            ctx.tokens.forClient(req.params.corpId, req.body.client_id, req.body.client_secret, req.body.grant_type),
          ),
        ),
      );
      return { access_token: issued.accessToken, expires_in: issued.expireIn };
    },
  );

  // The legacy oapi family answers HTTP 200 and reports failures in errcode.
  app.get<{ Querystring: Record<string, unknown> }>(
    '/gettoken',
    {
      config: { action: 'gettoken' },
      schema: {
        tags: ['legacy'],
        summary: 'Legacy gettoken?appkey=&appsecret= — errors are reported inside a 200 body',
        response: { 200: object({ errcode: num, errmsg: str, access_token: str, expires_in: num }) },
      },
    },
    async (req) => {
      const { appkey, appsecret } = req.query;
      if (typeof appkey !== 'string' || appkey === '') return legacy('missingAppKey');
      if (typeof appsecret !== 'string' || appsecret === '') return legacy('missingAppSecret');
      try {
        const issued = await ctx.tokens.limited(networkOfRequest(req), appkey, () => ctx.tokens.forApp(appkey, appsecret));
        return { errcode: 0, errmsg: 'ok', access_token: issued.accessToken, expires_in: TOKEN_LIFETIME_S };
      } catch (err) {
        if (err instanceof Throttled) return legacy('throttled');
        if (err instanceof Rejection) return legacy('badCredentials');
        req.log.error({ err, requestId: req.id }, 'gettoken failed');
        return legacy('busy');
      }
    },
  );
}

/** A Throttled token request answers 429 with Retry-After (docs/errors.md). */
export async function throttled<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof Throttled)) throw err;
    reply.header('retry-after', String(err.retryAfterSeconds));
    throw new ApiError('tokenThrottled', String(err.retryAfterSeconds));
  }
}
