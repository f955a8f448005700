import type { FastifyInstance } from 'fastify';

/**
 * The pages' Content-Security-Policy: scripts, styles and connections only from vconf itself
 * (WebSockets to the same origin included), media from the camera and microphone, no plug-ins,
 * no framing by other sites (clickjacking), no <base> tricks. docs/security.md explains each part.
 * 'wasm-unsafe-eval' lets the page compile WebAssembly (the background segmentation runtime, served
 * from vconf itself); it allows no eval() or new Function() of JavaScript.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The API documentation UI runs inline scripts of its own: it may, but it is never framed either. */
const DOCS_CSP = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

/** Security headers on every response: nosniff, no referrer (join links carry tokens), CSP on pages. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      reply.header('content-security-policy', request.url.startsWith('/docs') ? DOCS_CSP : PAGE_CSP);
      reply.header('x-frame-options', 'DENY');
    }
    return payload;
  });
}
