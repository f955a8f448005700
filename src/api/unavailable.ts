import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { SCOPE_READ, SCOPE_WRITE } from '../domain/directory.js';
import { ApiError } from './errors.js';
import { capabilityOf, operations, stateOf, type OperationSpec } from './operations.js';

/**
 * Routes every operation of the spec that needs a capability this deployment does not have
 * (src/api/operations.ts) and answers it honestly: 403 `capabilityNotAvailable`, naming the
 * capability — never a made-up success, never the router's InvalidAction.NotFound.
 *
 * The gateway's checks still come first, so clients see the usual token and scope errors (scopes
 * in scopeOf). oauth2 operations that send the token need a valid token but no conference scope;
 * the token-issuing ones need nothing. The request body is not validated: no input could succeed.
 */

const TOKEN_HEADER = 'x-acs-dingtalk-access-token';

export async function unavailableRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const op of operations.filter((o) => stateOf(o.action) === 'not available')) {
    const detail = `${capabilityOf(op.action)} (${op.action})`;
    const conference = op.module === 'conference_1_0';
    app.route({
      method: op.method,
      url: op.path.replace(/\{(\w+)\}/g, ':$1'),
      config: { action: op.action, ...(conference ? { scope: scopeOf(op) } : {}) },
      // oauth2 operations that carry a token: the token must be valid (the gateway hook skips routes without a scope).
      ...(!conference && op.auth === TOKEN_HEADER ? { onRequest: async (req: FastifyRequest) => requireToken(ctx, req) } : {}),
      schema: {
        tags: [op.module],
        summary: `${op.action} — not available in this deployment`,
        description:
          `${detail} is not available in this deployment of vconf: every call that passes the token checks ` +
          'is answered with 403 capabilityNotAvailable (docs/api-parity.md).',
        ...(op.auth === TOKEN_HEADER ? { security: [{ accessToken: [] }] } : {}),
        response: { '4xx': { $ref: 'ErrorBody#' }, '5xx': { $ref: 'ErrorBody#' } },
      },
      handler: async () => {
        throw new ApiError('capabilityNotAvailable', detail);
      },
    });
  }
}

/**
 * The documented scopes of these operations (recording, stream-out, short links; spec §d) are Read
 * for GET and Write otherwise; the undocumented ones follow the same rule.
 */
function scopeOf(op: OperationSpec): string {
  return op.method === 'GET' ? SCOPE_READ : SCOPE_WRITE;
}

async function requireToken(ctx: Context, req: FastifyRequest): Promise<void> {
  const header = req.headers[TOKEN_HEADER];
  const token = Array.isArray(header) ? header[0] : header;
  if (token === undefined || token === '') throw new ApiError('missingAccessToken');
  if (!(await ctx.tokens.authenticate(token))) throw new ApiError('invalidAuthentication');
}
