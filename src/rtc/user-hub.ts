import type { WebSocket } from 'ws';
import type { SessionClaims } from '../domain/sessions.js';
import type { UserPageMessage } from '../domain/user-meetings.js';
import type { RingTarget } from '../domain/ports/index.js';

const PING_MS = 25_000;

/**
 * The open pages of signed-in users (/rtc/user-ws), so invitations ring where the person is.
 * Server → page only; the page sends nothing but keep-alives.
 */
export class UserHub implements RingTarget {
  private readonly pages = new Map<string, Set<WebSocket>>();
  private readonly timer = setInterval(() => this.ping(), PING_MS).unref();

  accept(socket: WebSocket, session: SessionClaims): void {
    const key = `${session.corpId}\n${session.unionId}`;
    let set = this.pages.get(key);
    if (!set) this.pages.set(key, (set = new Set()));
    set.add(socket);
    socket.send(JSON.stringify({ type: 'hello', unionId: session.unionId, name: session.name }));
    // The session cookie expires; so does the socket it opened.
    const expiry = setTimeout(() => socket.close(4401, 'session expired'), Math.max(0, session.exp - Date.now()));
    expiry.unref();
    socket.on('close', () => {
      clearTimeout(expiry);
      set.delete(socket);
      if (set.size === 0 && this.pages.get(key) === set) this.pages.delete(key);
    });
    socket.on('error', () => socket.terminate());
  }

  get listeners(): number {
    return this.pages.size;
  }

  /** Sends to every open page of the user; returns how many got it. */
  push(corpId: string, unionId: string, message: UserPageMessage): number {
    const set = this.pages.get(`${corpId}\n${unionId}`);
    if (!set) return 0;
    const text = JSON.stringify(message);
    for (const socket of set) socket.send(text);
    return set.size;
  }

  close(): void {
    clearInterval(this.timer);
    for (const set of this.pages.values()) for (const socket of set) socket.close(1001, 'server shutting down');
    this.pages.clear();
  }

  private ping(): void {
    // Keeps idle connections open through proxies that drop silent ones.
    for (const set of this.pages.values()) for (const socket of set) socket.ping();
  }
}
