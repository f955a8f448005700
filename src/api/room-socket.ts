import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { MAX_SIGNALING_PAYLOAD, type Context } from '../context.js';
import { ApiError } from './errors.js';
import { streamGatewayRoutes } from './gateway.js';
import { deviceIdOf } from './rooms.js';
import { sessionOf } from './sign-in.js';
import { BRIDGE_PATH } from '../sip/phone-bridge.js';

/** The signaling WebSocket of docs/room-protocol.md; the browser proves itself with its ticket. */
export async function roomSocketRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_SIGNALING_PAYLOAD } });
  // DingTalk's Stream mode shares the WebSocket plugin (docs/events.md).
  await app.register(streamGatewayRoutes, { ctx });
  app.route({
    method: 'GET',
    url: '/rtc/ws',
    schema: { hide: true },
    // A plain HTTP request here gets a catalogued answer, not the plugin's empty 404.
    handler: async () => {
      throw new ApiError('upgradeRequired');
    },
    wsHandler: (socket, request) => {
      ctx.cluster.router.accept(socket, deviceIdOf(request), request.headers);
    },
  });
  // A phone call answered by another instance, bridged to the room hosted here (src/sip/phone-bridge.ts).
  app.route({
    method: 'GET',
    url: BRIDGE_PATH,
    schema: { hide: true },
    handler: async () => {
      throw new ApiError('upgradeRequired');
    },
    wsHandler: (socket, request) => {
      ctx.phoneBridge.accept(socket, request.headers);
    },
  });
  // A signed-in user's open page listens here for incoming calls (docs/sign-in.md).
  app.route({
    method: 'GET',
    url: '/rtc/user-ws',
    schema: { hide: true },
    handler: async () => {
      throw new ApiError('upgradeRequired');
    },
    wsHandler: async (socket, request) => {
      const session = await sessionOf(ctx, request).catch(() => undefined);
      if (!session) return socket.close(4401, 'not signed in');
      ctx.accounts.pages.accept(socket, session);
    },
  });
}
