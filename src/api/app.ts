import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import type { Context } from '../context.js';
import { registerAuth } from './auth.js';
import { MalformedBody, registerBodyParsers } from './body.js';
import { registerUnreadBodyDrain } from './unread-bodies.js';
import { clientErrorHandler } from './client-error.js';
import { ApiError, errorBodySchema } from './errors.js';
import { registerOpenApi } from './openapi.js';
import type { InvalidInput } from './route-config.js';
import { installValidators } from './validators.js';
import { healthRoutes } from './health.js';
import { oauthRoutes } from './oauth.js';
import { oauthUserRoutes } from './oauth-users.js';
import { conferenceExtraRoutes } from './conference-extras.js';
import { conferenceRoutes } from './conference.js';
import { conferenceQueryRoutes } from './conference-queries.js';
import { conferenceStatisticsRoutes } from './conference-statistics.js';
import { unavailableRoutes } from './unavailable.js';
import { cloudRecordRoutes } from './cloud-records.js';
import { recordingFileRoutes } from './recording-links.js';
import { conferenceControlRoutes } from './conference-controls.js';
import { scheduleRoutes } from './schedule.js';
import cookie from '@fastify/cookie';
import { roomRoutes } from './rooms.js';
import { roomSocketRoutes } from './room-socket.js';
import { signInRoutes } from './sign-in.js';
import { registerSecurityHeaders } from './security-headers.js';

export const REQUEST_ID_HEADER = 'x-acs-request-id';
const BODY_LIMIT = 1024 * 1024;

/** `https`: PEM certificate chain and key to serve HTTPS directly (--tls-cert/--tls-key). */
export async function buildApp(ctx: Context, logger: FastifyBaseLogger, opts: { https?: { cert: Buffer; key: Buffer } } = {}): Promise<FastifyInstance> {
  // With `https` Fastify's types name an https.Server; every route and hook is the same either way.
  const app = Fastify({
    ...(opts.https ? { https: opts.https } : {}),
    loggerInstance: logger,
    // One line per request would dominate the cost of cheap calls; errors are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // DingTalk request ids are upper-case UUIDs; an incoming id is never trusted.
    genReqId: () => randomUUID().toUpperCase(),
    requestIdHeader: false,
    return503OnClosing: false,
    // Only listed proxies are believed about the client's address and scheme (--trust-proxy).
    trustProxy: ctx.config.trustProxy && ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false,
    clientErrorHandler: clientErrorHandler(REQUEST_ID_HEADER, (code) => ctx.metrics.http.errorSent(code)),
    // Undecodable paths and over-long path parameters fail in the router, before any hook runs.
    frameworkErrors: (error, request, reply) => sendError(toApiError(error, request), request, reply, ctx),
  }) as unknown as FastifyInstance;
  installValidators(app);
  registerBodyParsers(app);
  app.addSchema(errorBodySchema);
  await registerOpenApi(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', ctx.metrics.http.onResponse);
  registerUnreadBodyDrain(app, 8 * BODY_LIMIT);
  registerSecurityHeaders(app);
  registerAuth(app, ctx.tokens, ctx.rates, ctx.config.qpsLimit);
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.bodyRequired && request.body === undefined) throw new ApiError('missingBody');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('application/json')) {
      reply.header('content-type', 'application/json;charset=utf-8');
    }
    return payload;
  });

  app.setErrorHandler((error, request, reply) => sendError(toApiError(error as FastifyError, request), request, reply, ctx));
  app.setNotFoundHandler((request, reply) => sendError(new ApiError('actionNotFound'), request, reply, ctx));

  await app.register(healthRoutes, { ctx });
  await app.register(oauthRoutes, { ctx });
  await app.register(conferenceRoutes, { ctx });
  await app.register(conferenceQueryRoutes, { ctx });
  await app.register(conferenceStatisticsRoutes, { ctx });
  await app.register(unavailableRoutes, { ctx });
  await app.register(cloudRecordRoutes, { ctx });
  await app.register(recordingFileRoutes, { ctx });
  await app.register(conferenceControlRoutes, { ctx });
  await app.register(scheduleRoutes, { ctx });
  await app.register(cookie);
  await app.register(roomRoutes, { ctx });
  await app.register(roomSocketRoutes, { ctx });
  await app.register(signInRoutes, { ctx });
  await app.register(oauthUserRoutes, { ctx });
  await app.register(conferenceExtraRoutes, { ctx });
  return app;
}

function sendError(error: ApiError, request: FastifyRequest, reply: FastifyReply, ctx: Context): FastifyReply {
  ctx.metrics.http.errorSent(error.code);
  return reply.status(error.status).header(REQUEST_ID_HEADER, request.id).type('application/json;charset=utf-8').send(error.body(request.id));
}

/** Maps anything thrown while handling a request to a catalogued wire error. */
function toApiError(error: FastifyError | Error, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  const onInvalid = request.routeOptions.config?.onInvalid;
  const invalid = describeInvalid(error);
  if (invalid) return onInvalid ? onInvalid(invalid) : new ApiError('invalidParameter', invalid.problem);
  const fastifyError = error as FastifyError;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('bodyTooLarge', String(BODY_LIMIT));
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return new ApiError('invalidParameter', fastifyError.message);
  }
  request.log.error({ err: error, requestId: request.id }, 'unexpected error');
  return new ApiError('systemError', `internal error, request id ${request.id}`);
}

function describeInvalid(error: FastifyError | Error): InvalidInput | undefined {
  if (error instanceof MalformedBody) return { part: 'malformed', field: '', problem: 'body is not a JSON object' };
  const fe = error as FastifyError;
  const first = fe.validation?.[0];
  if (!first) return undefined;
  const params = first.params as { missingProperty?: string };
  const path = first.instancePath.split('/').filter(Boolean);
  const field = params.missingProperty ?? path[0] ?? '';
  const where = path.join('.') || (fe.validationContext ?? 'body');
  return {
    part: (fe.validationContext as InvalidInput['part'] | undefined) ?? 'body',
    field,
    problem: params.missingProperty ? `${params.missingProperty} is required` : `${where} ${first.message ?? 'is invalid'}`,
  };
}
