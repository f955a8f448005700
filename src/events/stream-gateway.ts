import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { randomHex } from '../domain/secrets.js';
import type { PendingDelivery } from '../store/event-repo.js';
import type { StreamChannel } from './delivery-attempt.js';

/** A subscription a Stream-mode client asks for when it opens its connection. */
export interface StreamSubscription {
  type: string;
  topic: string;
}

export interface StreamGatewayOptions {
  logger: Logger;
  /** How long an EVENT frame waits for its acknowledgement before the attempt counts as failed. */
  ackTimeoutMs?: number;
  /** Pause between SYSTEM pings; a ping still unanswered at the next one closes the connection. */
  pingMs?: number;
  /** Between the SYSTEM disconnect and the close when the instance shuts down. */
  disconnectGraceMs?: number;
  /** An app's client connected here: its pending events can go out now. */
  connected?: (appKey: string) => void;
}

interface AckWait {
  resolve(result: { error: string | null }): void;
  timer: NodeJS.Timeout;
}

/** One Stream-mode client's WebSocket (docs/events.md, "Stream mode"). */
class StreamConnection {
  readonly id = randomHex(12);
  readonly openedAt = Date.now();
  private readonly waits = new Map<string, AckWait>();
  private pingOpen: string | undefined;
  private readonly pinger: NodeJS.Timeout;
  closed = false;

  constructor(
    readonly appKey: string,
    readonly corpId: string,
    readonly subscriptions: readonly StreamSubscription[],
    private readonly socket: WebSocket,
    private readonly opts: Required<Omit<StreamGatewayOptions, 'connected' | 'logger'>> & { logger: Logger },
    onClose: (c: StreamConnection) => void,
  ) {
    socket.on('message', (raw) => this.onMessage(String(raw)));
    socket.on('close', () => {
      this.closed = true;
      clearInterval(this.pinger);
      for (const [, w] of this.waits) this.settle(w, 'the stream connection closed before the acknowledgement');
      this.waits.clear();
      onClose(this);
    });
    socket.on('error', () => {});
    this.pinger = setInterval(() => this.ping(), opts.pingMs);
    this.pinger.unref();
  }

  /** Whether the client subscribed to events of this type (topic "*" or the type itself). */
  takes(eventType: string): boolean {
    return this.topicFor(eventType) !== undefined;
  }

  /**
   * The frame's topic: the subscription it answers, "*" or the event type. Clients route EVENT
   * frames by it (the Go SDK looks the handler up by type and topic).
   */
  private topicFor(eventType: string): string | undefined {
    const events = this.subscriptions.filter((s) => s.type === 'EVENT');
    return events.find((s) => s.topic === eventType)?.topic ?? events.find((s) => s.topic === '*')?.topic;
  }

  /** Sends one EVENT frame and resolves with its acknowledgement (error null = SUCCESS). */
  send(d: PendingDelivery, now: number): Promise<{ error: string | null }> {
    const messageId = randomHex(16);
    const { eventId, type, eventTime, corpId, changeScene, statusSeqNum, conferenceId } = d.event;
    const frame = {
      specVersion: '1.0',
      type: 'EVENT',
      headers: {
        appId: this.appKey,
        connectionId: this.id,
        contentType: 'application/json',
        messageId,
        time: String(now),
        topic: this.topicFor(type) ?? '*',
        eventType: type,
        eventId,
        eventBornTime: String(eventTime),
        eventCorpId: corpId,
        eventUnifiedAppId: this.appKey,
      },
      data: JSON.stringify({ conferenceId, changeScene, statusSeqNum, ...(JSON.parse(d.data) as Record<string, unknown>) }),
    };
    return new Promise((resolve) => {
      if (this.closed) return resolve({ error: 'the stream connection closed' });
      const timer = setTimeout(() => {
        this.waits.delete(messageId);
        resolve({ error: `no acknowledgement within ${this.opts.ackTimeoutMs} ms` });
      }, this.opts.ackTimeoutMs);
      this.waits.set(messageId, { resolve, timer });
      this.socket.send(JSON.stringify(frame), (err) => {
        if (err) this.settleId(messageId, `sending failed: ${err.message}`);
      });
    });
  }

  /** SYSTEM disconnect, then the close `graceMs` later (or at once when the client closes first). */
  async disconnect(graceMs: number): Promise<void> {
    if (this.closed) return;
    this.system('disconnect', { reason: 'the server is shutting down' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      timer.unref();
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (!this.closed) this.socket.close(1001, 'server shutting down');
  }

  abortAll(reason: string): void {
    for (const [id] of this.waits) this.settleId(id, reason);
  }

  private ping(): void {
    if (this.pingOpen !== undefined) {
      this.opts.logger.info({ appKey: this.appKey, connectionId: this.id }, 'stream client did not answer a ping; closing');
      this.socket.terminate();
      return;
    }
    this.pingOpen = this.system('ping', { opaque: randomHex(8) });
  }

  private system(topic: string, data: Record<string, unknown>): string {
    const messageId = randomHex(16);
    const frame = { specVersion: '1.0', type: 'SYSTEM', headers: { contentType: 'application/json', messageId, time: String(Date.now()), topic }, data: JSON.stringify(data) };
    this.socket.send(JSON.stringify(frame), () => {});
    return messageId;
  }

  /** The client's answers: acknowledgements of EVENT frames and echoes of pings. */
  private onMessage(text: string): void {
    let msg: { code?: unknown; headers?: { messageId?: unknown; topic?: unknown }; data?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const messageId = typeof msg.headers?.messageId === 'string' ? msg.headers.messageId : undefined;
    if (!messageId) return;
    if (messageId === this.pingOpen) {
      this.pingOpen = undefined;
      return;
    }
    if (!this.waits.has(messageId)) return;
    if (msg.code !== 200) return this.settleId(messageId, `acknowledged with code ${String(msg.code)}`);
    let status: unknown;
    try {
      status = (JSON.parse(String(msg.data)) as { status?: unknown }).status;
    } catch {
      status = undefined;
    }
    this.settleId(messageId, status === 'SUCCESS' ? null : status === 'LATER' ? 'the client answered LATER' : `the client answered ${JSON.stringify(status)}`);
  }

  private settleId(messageId: string, error: string | null): void {
    const w = this.waits.get(messageId);
    if (!w) return;
    this.waits.delete(messageId);
    this.settle(w, error);
  }

  private settle(w: AckWait, error: string | null): void {
    clearTimeout(w.timer);
    w.resolve({ error });
  }
}

/**
 * DingTalk's Stream mode, server side: the Stream-mode clients connected to this instance, by
 * app, and delivery of outbox events through them. An app's events go out from the instance its
 * client is connected to; instances without a connection leave them alone (docs/events.md).
 */
export class StreamGateway implements StreamChannel {
  private readonly byApp = new Map<string, StreamConnection[]>();
  private readonly opts: Required<Omit<StreamGatewayOptions, 'connected' | 'logger'>> & { logger: Logger };

  constructor(private readonly options: StreamGatewayOptions) {
    this.opts = {
      logger: options.logger,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
      pingMs: options.pingMs ?? 30_000,
      disconnectGraceMs: options.disconnectGraceMs ?? 1_000,
    };
  }

  /** Connections open here now. */
  get size(): number {
    let n = 0;
    for (const list of this.byApp.values()) n += list.length;
    return n;
  }

  accept(socket: WebSocket, app: { appKey: string; corpId: string }, subscriptions: readonly StreamSubscription[]): void {
    const conn = new StreamConnection(app.appKey, app.corpId, subscriptions, socket, this.opts, (c) => this.forget(c));
    const list = this.byApp.get(app.appKey) ?? [];
    list.push(conn);
    this.byApp.set(app.appKey, list);
    this.opts.logger.info({ appKey: app.appKey, connectionId: conn.id }, 'stream client connected');
    this.options.connected?.(app.appKey);
  }

  /** Whether any client of the app is connected here. */
  holdsApp(appKey: string): boolean {
    return (this.byApp.get(appKey) ?? []).some((c) => !c.closed);
  }

  holds(appKey: string, eventType: string): boolean {
    return this.pick(appKey, eventType) !== undefined;
  }

  async deliver(d: PendingDelivery): Promise<{ error: string | null }> {
    const conn = this.pick(d.appKey, d.event.type);
    if (!conn) return { error: 'no stream connection of the app on this instance' };
    return conn.send(d, Date.now());
  }

  abortAll(reason: string): void {
    for (const list of this.byApp.values()) for (const c of list) c.abortAll(reason);
  }

  /** Tells every client to go (SYSTEM disconnect) and closes the connections. */
  async close(): Promise<void> {
    const all = [...this.byApp.values()].flat();
    await Promise.all(all.map((c) => c.disconnect(this.opts.disconnectGraceMs)));
  }

  /** The newest open connection of the app that takes this event type. */
  private pick(appKey: string, eventType: string): StreamConnection | undefined {
    const list = this.byApp.get(appKey);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const c = list[i]!;
      if (!c.closed && c.takes(eventType)) return c;
    }
    return undefined;
  }

  private forget(c: StreamConnection): void {
    const list = (this.byApp.get(c.appKey) ?? []).filter((x) => x !== c);
    if (list.length > 0) this.byApp.set(c.appKey, list);
    else this.byApp.delete(c.appKey);
    this.opts.logger.info({ appKey: c.appKey, connectionId: c.id }, 'stream client disconnected');
  }
}

/**
 * Calls `fn(key)` at most once per `ms` for each key: a call inside the window is made at its end
 * (once, however many came), so the last one is never lost.
 */
export function perKeyAtMost(ms: number, fn: (key: string) => unknown): (key: string) => void {
  const last = new Map<string, number>();
  const queued = new Set<string>();
  return (key) => {
    const now = Date.now();
    const wait = (last.get(key) ?? Number.NEGATIVE_INFINITY) + ms - now;
    if (wait <= 0) {
      if (last.size > 10_000) last.clear();
      last.set(key, now);
      fn(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    setTimeout(() => {
      queued.delete(key);
      last.set(key, Date.now());
      fn(key);
    }, wait).unref();
  };
}
