import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { deviceIdOf } from './rooms.js';

/** The signaling WebSocket of docs/room-protocol.md; the browser proves itself with its ticket. */
export async function roomSocketRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 512 * 1024 } });
  app.get('/rtc/ws', { websocket: true, schema: { hide: true } }, (socket, request) => {
    ctx.rooms.accept(socket, deviceIdOf(request));
  });
}
