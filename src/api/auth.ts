import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenService } from '../domain/tokens.js';
import { ApiError } from './errors.js';
import type { RateCounter } from '../domain/ports/index.js';

const TOKEN_HEADER = 'x-acs-dingtalk-access-token';

/**
 * The gateway's checks for every protected route, before the body is even read:
 * token present → token valid → scope granted → per-app per-API rate.
 */
export function registerAuth(app: FastifyInstance, tokens: TokenService, rates: RateCounter, qpsLimit: number): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const { scope, action } = request.routeOptions.config;
    if (!scope) return;
    const header = request.headers[TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined || token === '') throw new ApiError('missingAccessToken');
    const principal = await tokens.authenticate(token);
    if (!principal) throw new ApiError('invalidAuthentication');
    if (!principal.scopes.includes(scope)) {
      throw new ApiError('scopeDenied', '', { accessdenieddetail: { requiredScopes: [scope] } });
    }
    if (!(await rates.take(`qps:${principal.clientKey}:${action ?? request.routeOptions.url}`, 1, qpsLimit, 1000))) {
      throw new ApiError('qpsLimit', String(qpsLimit));
    }
    request.principal = principal;
  });
}

/** The authenticated principal of a protected route (the onRequest hook guarantees it). */
export function principalOf(request: FastifyRequest) {
  if (!request.principal) throw new Error('route has no scope but reads the principal');
  return request.principal;
}
