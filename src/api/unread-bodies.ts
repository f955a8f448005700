import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * A GET or HEAD that carries a body (nobody's client should, but attackers and fuzzers do): its
 * body is read and dropped before the route answers. Node closes a connection whose request body
 * was left unread, and a close with bytes still unread makes the kernel send a reset that can cut
 * off an answer longer than one packet (GET /metrics). Past `limit` bytes the rest is left unread
 * (the route still answers; the connection then closes), so a huge body costs no more than that.
 */
export function registerUnreadBodyDrain(app: FastifyInstance, limit: number): void {
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const { headers } = request.raw;
    if (headers['transfer-encoding'] === undefined && Number(headers['content-length'] ?? 0) === 0) return;
    await drain(request.raw, limit);
  });
}

function drain(stream: IncomingMessage, limit: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen <= limit) return;
      stream.off('data', onData);
      stream.pause();
      resolve();
    };
    stream.on('data', onData);
    stream.once('end', () => resolve());
    stream.once('error', reject);
  });
}
