import { randomUUID } from 'node:crypto';
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

/**
 * Requests Node's HTTP parser rejects (raw bytes in the URL, oversized headers, ...) never reach
 * a route; Fastify's default answer for them is not a catalogued error. This one is.
 */
/** `sent` is told the code of each error answered (metrics). */
export function clientErrorHandler(requestIdHeader: string, sent: (code: string) => void) {
  return function onClientError(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const error =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('headersTooLarge', String(maxHeaderSize))
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new ApiError('requestTimeout')
          : new ApiError('invalidParameter', 'malformed HTTP request');
    const id = randomUUID().toUpperCase();
    this.log.debug({ code: err.code, requestId: id }, 'client error');
    if (socket.writable) {
      sent(error.code);
      const body = JSON.stringify(error.body(id));
      socket.write(
        `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/json;charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n${requestIdHeader}: ${id}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
