import { createHmac, randomBytes } from 'node:crypto';
import type { TurnConfig } from '../config.js';

import type { ClientIce } from '../protocol/room.js';

/** The ICE shapes are the room protocol's (`welcome.ice`). */
export type { ClientIce, IceServer } from '../protocol/room.js';

/**
 * TURN REST credentials (draft-uberti-behave-turn-rest, coturn's `use-auth-secret`): the username is
 * `<expiry in unix seconds>:<who>`, the password base64(HMAC-SHA1(secret, username)). coturn checks the
 * HMAC with its `static-auth-secret` and refuses the username once its expiry has passed, so a
 * credential is useless after `ttlMs` and the secret itself never leaves the server.
 */
export function turnCredential(secret: string, ttlMs: number, who: string, now = Date.now()): { username: string; credential: string } {
  const expiry = Math.floor((now + ttlMs) / 1000);
  // ':' separates the expiry; keep the rest to characters every TURN server takes.
  const tag = who.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64) || randomBytes(8).toString('hex');
  const username = `${expiry}:${tag}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/**
 * The ICE configuration a participant's page gets: the TURN servers with a fresh credential of its own
 * (none without --turn-url), and the transport policy. Never log its result: it holds credentials.
 */
export function clientIceFor(turn: TurnConfig | undefined, policy: 'all' | 'relay'): (participantId: string) => ClientIce {
  return (participantId) => ({
    iceServers: turn ? [{ urls: [...turn.urls], ...turnCredential(turn.secret, turn.ttlMs, participantId) }] : [],
    iceTransportPolicy: policy,
  });
}
