import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { randomToken } from '../domain/secrets.js';
import { webRoot } from '../paths.js';
import { ApiError } from './errors.js';
import { object, str } from './schemas.js';
import { sessionOf } from './sign-in.js';
import { minutesText } from './wait-text.js';

export const DEVICE_COOKIE = 'vconf_device';
const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 3600;

/** The browser's identity for bans and ticket binding; set on first contact. */
export function deviceIdOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[DEVICE_COOKIE];
  return value && /^[A-Za-z0-9_-]{16,64}$/.test(value) ? value : undefined;
}

function ensureDevice(request: FastifyRequest, reply: FastifyReply): string {
  const existing = deviceIdOf(request);
  if (existing) return existing;
  const id = randomToken(16);
  reply.setCookie(DEVICE_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
  });
  return id;
}


/** Join pages and the admission call behind them (docs/room-protocol.md). */
export async function roomRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post<{ Body: { roomCode: string; token?: string; passcode?: string } }>(
    '/api/admit',
    {
      config: { bodyRequired: true, onInvalid: () => new ApiError('roomBadRequest') },
      schema: {
        tags: ['meeting room'],
        summary: 'Exchange a join link token, or a room code and passcode, for a room ticket',
        body: {
          ...object({ roomCode: { type: 'string', pattern: '^[0-9 ]{1,20}$' }, token: str, passcode: { type: 'string', maxLength: 64 } }, ['roomCode']),
          oneOf: [{ required: ['token'] }, { required: ['passcode'] }],
        },
      },
    },
    async (req, reply) => {
      const missingBody = req.body === undefined;
      if (missingBody) throw new ApiError('roomBadRequest');
      const roomCode = req.body.roomCode.replaceAll(' ', '');
      const deviceId = ensureDevice(req, reply);
      const request = req.body.token !== undefined ? { roomCode, token: req.body.token } : { roomCode, passcode: (req.body.passcode ?? '').trim() };
      // A signed-in directory user joins as themselves (docs/sign-in.md).
      const me = await sessionOf(ctx, req);
      const result = await ctx.admission.admit(request, req.ip, deviceId, me && { corpId: me.corpId, unionId: me.unionId });
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
  if (built) await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: false, wildcard: false });
  const page = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (!built) throw new ApiError('webNotBuilt');
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
  app.get('/join', { schema: { hide: true } }, page);
  app.get('/app', { schema: { hide: true } }, page);
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/join'));
}
