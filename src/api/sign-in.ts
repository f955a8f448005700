import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { SESSION_COOKIE, SESSION_LIFETIME_MS, type SessionClaims } from '../domain/sessions.js';
import type { SignInResult } from '../domain/sign-in.js';
import { webRoot } from '../paths.js';
import { ensureDevice, isHttps, networkOfRequest } from './client.js';
import { ApiError } from './errors.js';
import { object, str } from './schemas.js';
import { minutesText } from './wait-text.js';

/** The signed-in directory user of this request, if any (the vconf_session cookie, of someone still in the directory). */
export async function sessionOf(ctx: Context, request: FastifyRequest): Promise<SessionClaims | undefined> {
  const claims = ctx.accounts.sessions.verify(request.cookies[SESSION_COOKIE]);
  return claims && (await ctx.accounts.signIn.stillListed(claims)) ? claims : undefined;
}

function setSession(request: FastifyRequest, reply: FastifyReply, session: string): void {
  reply.setCookie(SESSION_COOKIE, session, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(request),
    maxAge: SESSION_LIFETIME_MS / 1000,
  });
}


/** Web sign-in, the signed-in user's meetings, and declining a call (docs/sign-in.md). */
export async function signInRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const tags = ['sign-in'];

  app.post<{ Body: { corpId?: string; unionId: string; password: string } }>(
    '/api/signin',
    {
      config: { bodyRequired: true, onInvalid: () => new ApiError('signinBadRequest') },
      schema: {
        tags,
        summary: 'Sign in a directory user with their password; sets the vconf_session cookie',
        body: object({ corpId: str, unionId: { type: 'string', minLength: 1, maxLength: 128 }, password: { type: 'string', minLength: 1, maxLength: 1024 } }, ['unionId', 'password']),
      },
    },
    async (req, reply) => {
      if (req.body === undefined) throw new ApiError('signinBadRequest');
      const device = await ensureDevice(ctx, req, reply);
      const result = await ctx.accounts.signIn.withPassword(req.body.unionId, req.body.password, { device, network: networkOfRequest(req) }, req.body.corpId);
      return answer(req, reply, result);
    },
  );

  // The one-time link of `vconf user link`: signs in and goes to "my meetings".
  app.get<{ Querystring: { token?: string } }>('/signin', { schema: { hide: true } }, async (req, reply) => {
    const token = req.query.token;
    if (!token) return page(reply);
    const result = await ctx.accounts.signIn.withLink(token);
    // A used or expired link lands on the sign-in form, which says so.
    if (!result.ok) return reply.redirect('/signin?link=invalid');
    setSession(req, reply, result.session);
    return reply.redirect('/me');
  });

  app.get('/me', { schema: { hide: true } }, async (_req, reply) => page(reply));

  app.post('/api/signout', { schema: { tags, summary: 'Clear the session cookie' } }, async (_req, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { signedOut: true };
  });

  app.get('/api/me', { schema: { tags, summary: 'The signed-in user and their ongoing and booked meetings' } }, async (req) => {
    const me = await sessionOf(ctx, req);
    if (!me) throw new ApiError('signinRequired');
    const [ongoing, booked] = await Promise.all([
      ctx.accounts.meetings.ongoing(me.corpId, me.unionId),
      ctx.accounts.meetings.booked(me.corpId, me.unionId, Date.now()),
    ]);
    return { unionId: me.unionId, name: me.name, corpId: me.corpId, meetings: { ongoing, booked } };
  });

  app.post<{ Body: { conferenceId: string } }>(
    '/api/calls/decline',
    {
      config: { bodyRequired: true, onInvalid: () => new ApiError('signinBadRequest') },
      schema: { tags, summary: 'Decline an incoming call: attendStatus becomes 4', body: object({ conferenceId: str }, ['conferenceId']) },
    },
    async (req) => {
      const me = await sessionOf(ctx, req);
      if (!me) throw new ApiError('signinRequired');
      if (!(await ctx.accounts.meetings.decline(req.body.conferenceId, me.corpId, me.unionId))) throw new ApiError('signinNotCalling');
      // The user's other open pages stop ringing too.
      ctx.accounts.pages.push(me.corpId, me.unionId, { type: 'ringEnd', conferenceId: req.body.conferenceId });
      return { declined: true };
    },
  );
}

/** The single-page app (built by `npm run build:web`); it shows the page the path names. */
async function page(reply: FastifyReply): Promise<FastifyReply> {
  const html = await readFile(join(webRoot, 'index.html'), 'utf8').catch(() => undefined);
  if (html === undefined) throw new ApiError('webNotBuilt');
  return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
}

function answer(req: FastifyRequest, reply: FastifyReply, result: SignInResult) {
  if (result.ok) {
    setSession(req, reply, result.session);
    return { unionId: result.claims.unionId, name: result.claims.name, corpId: result.claims.corpId };
  }
  if (result.reason === 'tooManyAttempts') {
    reply.header('retry-after', String(result.retryAfterSeconds));
    throw new ApiError('signinTooManyAttempts', minutesText(result.retryAfterSeconds), { retryAfterSeconds: result.retryAfterSeconds });
  }
  throw new ApiError('signinBadCredentials');
}
