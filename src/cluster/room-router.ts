import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { TicketSigner } from '../domain/tickets.js';
import { parseClientMessage } from '../rtc/messages.js';
import type { RoomHub } from '../rtc/room-hub.js';
import type { ClusterNode } from './node.js';
import { RECONNECT_CODE, relay } from './relay.js';

/** Marks a socket a relay opened, so the host never relays it on again (no loops). */
export const RELAY_HEADER = 'x-vconf-relay';

/** What proves a relayed socket came from an instance of this deployment: an HMAC under its key. */
export function relayProof(deploymentKey: Buffer): string {
  return createHmac('sha256', deploymentKey).update('vconf room relay').digest('base64url');
}

/** Whether a request carries this deployment's relay proof (compared in constant time). */
export function provesRelay(headers: IncomingHttpHeaders, proof: string): boolean {
  const value = headers[RELAY_HEADER];
  if (typeof value !== 'string' || value.length !== proof.length) return false;
  return timingSafeEqual(Buffer.from(value), Buffer.from(proof));
}

const HELLO_TIMEOUT_MS = 10_000;
const MAX_EARLY_FRAMES = 64;

/**
 * Where a browser's signaling socket goes. Its first frame (hello) carries the signed ticket,
 * which names the meeting; the room is hosted here, or the socket is relayed to the instance that
 * hosts it (docs/deploy.md argues relaying over sending the browser elsewhere). Media never
 * passes through the relaying instance: the host's SDP names the host's own media addresses.
 */
export class RoomRouter {
  constructor(
    private readonly hub: RoomHub,
    private readonly node: ClusterNode,
    private readonly signer: TicketSigner,
    private readonly maxPayload: number,
    private readonly proof: string,
    private readonly log: Logger,
  ) {}

  private relayed(headers: IncomingHttpHeaders): boolean {
    return provesRelay(headers, this.proof);
  }

  accept(socket: WebSocket, deviceId: string | undefined, headers: IncomingHttpHeaders): void {
    // A cluster of one, or a socket already relayed to us: the room is here.
    if (!this.node.state.shared || this.relayed(headers)) return this.hub.accept(socket, deviceId);
    const early: Array<{ data: RawData; isBinary: boolean }> = [];
    const timer = setTimeout(() => socket.close(4003, 'no hello'), HELLO_TIMEOUT_MS);
    const collect = (data: RawData, isBinary: boolean) => {
      // Frames wait here only while the room is being located: a few, never without bound.
      if (early.length >= MAX_EARLY_FRAMES) {
        socket.off('message', collect);
        return socket.close(1008, 'too many messages');
      }
      early.push({ data, isBinary });
      if (early.length === 1) {
        clearTimeout(timer);
        this.route(socket, deviceId, headers, early, collect).catch((err: unknown) => {
          this.log.error({ err }, 'routing a room connection failed');
          socket.close(RECONNECT_CODE, 'try again');
        });
      }
    };
    socket.on('message', collect);
    socket.on('close', () => clearTimeout(timer));
  }

  private async route(
    socket: WebSocket,
    deviceId: string | undefined,
    headers: IncomingHttpHeaders,
    early: Array<{ data: RawData; isBinary: boolean }>,
    collect: (data: RawData, isBinary: boolean) => void,
  ): Promise<void> {
    const hello = parseClientMessage(early[0]!.data.toString());
    const claims = hello?.type === 'hello' ? this.signer.verify(hello.ticket) : undefined;
    // No valid ticket: the local hub gives the page its usual refusal.
    for (let attempt = 0; claims && attempt < 3; attempt++) {
      const where = await this.node.hostFor(claims.conferenceId);
      if (where.local) break;
      socket.off('message', collect);
      const outcome = await relay(socket, early, {
        url: where.host.url,
        headers: { ...(headers.cookie ? { cookie: headers.cookie } : {}), [RELAY_HEADER]: this.proof },
        maxPayload: this.maxPayload,
      });
      if (outcome === 'open') return;
      socket.on('message', collect);
      await this.node.markGone(where.host.id);
    }
    socket.off('message', collect);
    this.hub.accept(socket, deviceId, early);
  }
}
