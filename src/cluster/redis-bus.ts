import type { Redis } from 'ioredis';
import type { ClusterSignal, SignalBus } from '../domain/ports/cluster.js';
import { randomHex } from '../domain/secrets.js';

interface Envelope {
  /** Set on requests: the reply goes to `from` with the same id. */
  id?: string;
  from: string;
  signal?: ClusterSignal;
  /** Set on replies. */
  replyTo?: string;
}

/**
 * Signals between instances over Redis pub/sub: one channel per instance, one for everybody,
 * and replies on the requester's own channel. A request whose PUBLISH reached no subscriber
 * fails at once (its target is gone); one that reached it waits for the handler to finish.
 */
export class RedisBus implements SignalBus {
  private self = '';
  private handler: ((signal: ClusterSignal) => Promise<void>) | undefined;
  private readonly waiting = new Map<string, (ok: boolean) => void>();

  constructor(
    private readonly pub: Redis,
    /** A connection of its own: a subscribed Redis connection can do nothing else. */
    private readonly sub: Redis,
    private readonly prefix: string,
    private readonly onHandlerError: (err: unknown) => void,
  ) {}

  async listen(instanceId: string, handler: (signal: ClusterSignal) => Promise<void>): Promise<void> {
    this.self = instanceId;
    this.handler = handler;
    this.sub.on('message', (_channel: string, text: string) => this.receive(text));
    await this.sub.subscribe(this.channel(instanceId), `${this.prefix}all`);
  }

  async request(to: string, signal: ClusterSignal, timeoutMs: number): Promise<boolean> {
    const id = randomHex(8);
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(false);
      }, timeoutMs);
      this.waiting.set(id, (ok) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(ok);
      });
    });
    const receivers = await this.pub.publish(this.channel(to), JSON.stringify({ id, from: this.self, signal } satisfies Envelope));
    if (receivers === 0) this.waiting.get(id)?.(false);
    return answered;
  }

  async broadcast(signal: ClusterSignal): Promise<void> {
    await this.pub.publish(`${this.prefix}all`, JSON.stringify({ from: this.self, signal } satisfies Envelope));
  }

  async close(): Promise<void> {
    this.handler = undefined;
    for (const done of [...this.waiting.values()]) done(false);
  }

  private receive(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (envelope.replyTo) {
      this.waiting.get(envelope.replyTo)?.(true);
      return;
    }
    if (envelope.from === this.self || !envelope.signal || !this.handler) return;
    const { id, from } = envelope;
    this.handler(envelope.signal)
      .catch(this.onHandlerError)
      .finally(() => {
        if (id) this.pub.publish(this.channel(from), JSON.stringify({ from: this.self, replyTo: id } satisfies Envelope)).catch(this.onHandlerError);
      });
  }

  private channel(instanceId: string): string {
    return `${this.prefix}to:${instanceId}`;
  }
}
