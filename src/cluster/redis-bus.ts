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
  /** What the handler returned (absent when it returned nothing or failed). */
  value?: unknown;
}

/**
 * Signals between instances over Redis pub/sub: one channel per instance, one for everybody,
 * and replies on the requester's own channel. A request whose PUBLISH reached no subscriber
 * fails at once (its target is gone); one that reached it waits for the handler to finish, and
 * its reply carries what the handler returned (JSON).
 */
export class RedisBus implements SignalBus {
  private self = '';
  private handler: ((signal: ClusterSignal) => Promise<unknown>) | undefined;
  private readonly waiting = new Map<string, (reply: { value: unknown } | undefined) => void>();

  constructor(
    private readonly pub: Redis,
    /** A connection of its own: a subscribed Redis connection can do nothing else. */
    private readonly sub: Redis,
    private readonly prefix: string,
    private readonly onHandlerError: (err: unknown) => void,
  ) {}

  async listen(instanceId: string, handler: (signal: ClusterSignal) => Promise<unknown>): Promise<void> {
    this.self = instanceId;
    this.handler = handler;
    this.sub.on('message', (_channel: string, text: string) => this.receive(text));
    await this.sub.subscribe(this.channel(instanceId), `${this.prefix}all`);
  }

  async request(to: string, signal: ClusterSignal, timeoutMs: number): Promise<boolean> {
    return (await this.ask(to, signal, timeoutMs)) !== undefined;
  }

  async ask(to: string, signal: ClusterSignal, timeoutMs: number): Promise<{ value: unknown } | undefined> {
    const id = randomHex(8);
    const answered = new Promise<{ value: unknown } | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(reply);
      });
    });
    const receivers = await this.pub.publish(this.channel(to), JSON.stringify({ id, from: this.self, signal } satisfies Envelope));
    if (receivers === 0) this.waiting.get(id)?.(undefined);
    return answered;
  }

  async broadcast(signal: ClusterSignal): Promise<void> {
    await this.pub.publish(`${this.prefix}all`, JSON.stringify({ from: this.self, signal } satisfies Envelope));
  }

  async close(): Promise<void> {
    this.handler = undefined;
    for (const done of [...this.waiting.values()]) done(undefined);
  }

  private receive(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (envelope.replyTo) {
      this.waiting.get(envelope.replyTo)?.({ value: envelope.value });
      return;
    }
    if (envelope.from === this.self || !envelope.signal || !this.handler) return;
    const { id, from } = envelope;
    this.handler(envelope.signal)
      .catch((err: unknown) => {
        this.onHandlerError(err);
        return undefined;
      })
      .then((value) => {
        if (id) this.pub.publish(this.channel(from), JSON.stringify({ from: this.self, replyTo: id, value } satisfies Envelope)).catch(this.onHandlerError);
      });
  }

  private channel(instanceId: string): string {
    return `${this.prefix}to:${instanceId}`;
  }
}
