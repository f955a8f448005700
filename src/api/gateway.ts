import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { randomToken, secretsEqual, sha256Hex } from '../domain/secrets.js';
import type { StreamSubscription } from '../events/stream-gateway.js';
import { ApiError } from './errors.js';
import { gatewayInvalid } from './rejections.js';
import { object, responses, str } from './schemas.js';
import { networkOfRequest } from './client.js';
import { throttled } from './oauth.js';
import { mapRejections } from './rejections.js';
import { Rejection } from '../domain/rejection.js';

/** A ticket is good for one connection, within this long of being issued. */
export const STREAM_TICKET_TTL_MS = 5 * 60_000;
export const STREAM_PATH = '/v1.0/gateway/stream';

const DEFAULT_SUBSCRIPTIONS: StreamSubscription[] = [{ type: 'EVENT', topic: '*' }];

/**
 * DingTalk's Stream mode (docs/events.md): POST /v1.0/gateway/connections/open trades an app's
 * credentials for a one-shot ticket and the WebSocket endpoint, where the client then receives the
 * app's conference events. Registered inside the WebSocket plugin's scope (src/api/room-socket.ts).
 */
export async function streamGatewayRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post<{ Body: { clientId: string; clientSecret: string; ua?: string; localIp?: string; subscriptions?: StreamSubscription[] } }>(
    '/v1.0/gateway/connections/open',
    {
      config: { action: 'OpenStreamConnection', bodyRequired: true, onInvalid: gatewayInvalid },
      schema: {
        tags: ['gateway'],
        summary: 'Stream mode — open a connection: a one-shot ticket and the WebSocket endpoint',
        body: object(
          {
            clientId: str,
            clientSecret: str,
            ua: str,
            localIp: str,
            subscriptions: { type: 'array', items: object({ type: str, topic: str }, ['type', 'topic']) },
          },
          ['clientId', 'clientSecret'],
        ),
        response: responses(object({ endpoint: str, ticket: str })),
      },
    },
    async (req, reply) => {
      // Wrong secrets count toward the same limits as the token routes (docs/security.md).
      const found = await throttled(reply, () =>
        mapRejections({ badCredentials: 'invalidClientIdOrSecret' }, () =>
          ctx.tokens.limited(networkOfRequest(req), req.body.clientId, async () => {
            const app = await ctx.directory.findApp(req.body.clientId);
            if (!app || !secretsEqual(req.body.clientSecret, app.appSecret)) throw new Rejection('badCredentials');
            return app;
          }),
        ),
      );
      const subscriptions = req.body.subscriptions && req.body.subscriptions.length > 0 ? req.body.subscriptions : DEFAULT_SUBSCRIPTIONS;
      const ticket = randomToken(24);
      const now = Date.now();
      await ctx.events.tickets.insert(sha256Hex(ticket), found.appKey, JSON.stringify(subscriptions), now + STREAM_TICKET_TTL_MS);
      void ctx.events.tickets.purge(now - STREAM_TICKET_TTL_MS).catch(() => {});
      return { endpoint: streamEndpoint(ctx, req), ticket };
    },
  );

  app.route<{ Querystring: { ticket?: string } }>({
    method: 'GET',
    url: STREAM_PATH,
    schema: { hide: true },
    // Checked before the upgrade: a bad ticket is refused with an HTTP answer, not an open socket.
    preValidation: async (req) => {
      const ticket = typeof req.query.ticket === 'string' ? req.query.ticket : '';
      const taken = ticket ? await ctx.events.tickets.take(sha256Hex(ticket), Date.now()) : undefined;
      const found = taken && (await ctx.directory.findApp(taken.appKey));
      if (!taken || !found) throw new ApiError('invalidStreamTicket');
      streamClients.set(req, { appKey: found.appKey, corpId: found.corpId, subscriptions: JSON.parse(taken.subscriptions) as StreamSubscription[] });
    },
    handler: async () => {
      throw new ApiError('upgradeRequired');
    },
    wsHandler: (socket, req) => {
      const client = streamClients.get(req);
      if (!client) return socket.close(4401, 'invalid ticket');
      ctx.events.stream.accept(socket, client, client.subscriptions);
    },
  });
}

const streamClients = new WeakMap<FastifyRequest, { appKey: string; corpId: string; subscriptions: StreamSubscription[] }>();

/** ws(s)://<this deployment>/v1.0/gateway/stream: the public URL when configured, else the host the client used. */
function streamEndpoint(ctx: Context, req: FastifyRequest): string {
  const base = ctx.config.publicUrl ?? `${req.protocol}://${req.host}`;
  const url = new URL(STREAM_PATH, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
