import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { webRoot } from '../paths.js';
import { ensureDevice, networkOfRequest } from './client.js';
import { ApiError } from './errors.js';
import { object, str } from './schemas.js';
import { sessionOf } from './sign-in.js';
import { minutesText } from './wait-text.js';

export { DEVICE_COOKIE, deviceIdOf } from './client.js';


/** Join pages and the admission call behind them (docs/room-protocol.md). */
export async function roomRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post<{ Body: { roomCode: string; token?: string; passcode?: string; knock?: boolean } }>(
    '/api/admit',
    {
      config: { bodyRequired: true, onInvalid: () => new ApiError('roomBadRequest') },
      schema: {
        tags: ['meeting room'],
        summary: 'Exchange a join link token, or a room code and passcode, for a room ticket',
        body: {
          ...object({ roomCode: { type: 'string', pattern: '^[0-9 ]{1,20}$' }, token: str, passcode: { type: 'string', maxLength: 64 }, knock: { type: 'boolean' } }, ['roomCode']),
          oneOf: [{ required: ['token'] }, { required: ['passcode'] }],
        },
      },
    },
    async (req, reply) => {
      const missingBody = req.body === undefined;
      if (missingBody) throw new ApiError('roomBadRequest');
      const roomCode = req.body.roomCode.replaceAll(' ', '');
      const device = await ensureDevice(ctx, req, reply);
      // `knock`: at a locked meeting, ask to be let in (the room's door puts the person in its waiting room).
      const knock = req.body.knock === true ? { knock: true } : {};
      const request = req.body.token !== undefined ? { roomCode, token: req.body.token, ...knock } : { roomCode, passcode: (req.body.passcode ?? '').trim(), ...knock };
      // A signed-in directory user joins as themselves (docs/sign-in.md).
      const me = await sessionOf(ctx, req);
      const result = await ctx.admission.admit(request, { device, network: networkOfRequest(req) }, me && { corpId: me.corpId, unionId: me.unionId });
      if (result.ok) {
        return { ticket: result.ticket, conferenceId: result.meeting.conferenceId, title: result.meeting.title, role: result.claims.role };
      }
      switch (result.reason) {
        case 'badCredentials':
          throw new ApiError('roomBadCredentials');
        case 'linkInvalid':
          throw new ApiError('roomLinkInvalid');
        case 'meetingEnded':
          throw new ApiError('roomEnded');
        case 'removed':
          throw new ApiError('roomRemoved');
        case 'locked':
          throw new ApiError('roomLocked');
        case 'internalOnly':
          throw new ApiError('roomInternalOnly');
        case 'cancelled':
          throw new ApiError('roomCancelled');
        case 'notOpenYet':
          throw new ApiError('roomNotOpenYet');
        case 'tooManyAttempts':
          reply.header('retry-after', String(result.retryAfterSeconds));
          throw new ApiError('roomTooManyAttempts', minutesText(result.retryAfterSeconds), { retryAfterSeconds: result.retryAfterSeconds });
      }
    },
  );

  // The single-page app: /join and /app (the externalLinkUrl path) both load index.html.
  const built = existsSync(join(webRoot, 'index.html'));
  // Source maps are never served, even if an old build left some behind (docs/security.md).
  if (built) await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: false, wildcard: false, allowedPath: (path) => !path.endsWith('.map') });
  const page = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (!built) throw new ApiError('webNotBuilt');
    // @fastify/static's own cache-control ("public, max-age=0") would replace ours.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };
  app.get('/join', { schema: { hide: true } }, page);
  app.get('/app', { schema: { hide: true } }, page);
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/join'));
}
