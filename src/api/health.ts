import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { unready } from '../metrics/readiness.js';
import { ApiError } from './errors.js';

/** Probes and metrics for operators (docs/observability.md); none is in the OpenAPI document. */
export async function healthRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  // Alive: the process answers HTTP. Says nothing about the database.
  app.get(
    '/healthz',
    { schema: { hide: true, response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' }),
  );

  // Ready: worth sending requests to (database and Redis answer, not shutting down).
  app.get('/readyz', { schema: { hide: true } }, async (request) => {
    const failed = await unready(ctx.readiness);
    if (failed.length === 0) return { status: 'ready' };
    for (const f of failed) request.log.warn({ check: f.name, err: f.error }, 'not ready');
    throw new ApiError('notReady', failed.map((f) => f.name).join(', '));
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const registry = ctx.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
