import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import type { Device } from '../domain/devices.js';
import { networkOf } from '../domain/network.js';

export const DEVICE_COOKIE = 'vconf_device';
const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 3600;

/**
 * Whether the browser reached vconf over HTTPS: directly, or through a proxy of --trust-proxy that
 * said so in X-Forwarded-Proto (Fastify's request.protocol believes only trusted proxies).
 */
export function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** The browser's identity for bans and ticket binding, when it presented a well-formed one. */
export function deviceIdOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[DEVICE_COOKIE];
  return value && /^[A-Za-z0-9_-]{16,64}$/.test(value) ? value : undefined;
}

/** The browser of this request; a new one gets its device cookie now (set on first contact). */
export async function ensureDevice(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Device> {
  const existing = deviceIdOf(request);
  if (existing) return ctx.devices.read(existing);
  const device = await ctx.devices.mint(networkOf(request.ip));
  reply.setCookie(DEVICE_COOKIE, device.id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(request),
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
  });
  return device;
}

/** The client's network as failure limits count it: its address (behind --trust-proxy, the forwarded one), IPv6 by /64. */
export function networkOfRequest(request: FastifyRequest): string {
  return networkOf(request.ip);
}
