/**
 * A small client of Janus's HTTP REST API (one session, many plugin handles): requests are POSTed,
 * asynchronous plugin events come back through one long-poll loop and are matched to their
 * request by transaction id.
 */

export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
  /** false = the SDP carries every candidate (werift gathers before it answers); no trickle follows. */
  trickle?: boolean;
}

export interface PluginEvent {
  data: Record<string, unknown>;
  jsep?: Jsep;
}

interface JanusMessage {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
}

export class JanusSession {
  private readonly waiting = new Map<string, { resolve: (e: PluginEvent) => void; reject: (e: Error) => void }>();
  private polling = true;
  private nextTx = 1;
  private readonly poller: Promise<void>;

  private constructor(
    readonly url: string,
    readonly id: number,
  ) {
    this.poller = this.poll();
  }

  static async create(url: string): Promise<JanusSession> {
    const res = await post(url, { janus: 'create', transaction: 'create' });
    if (res.janus !== 'success') throw new Error(`janus create: ${JSON.stringify(res)}`);
    return new JanusSession(url, res.data!.id);
  }

  /** Attaches a new handle to the VideoRoom plugin. */
  async attachVideoRoom(): Promise<number> {
    const res = await post(`${this.url}/${this.id}`, { janus: 'attach', plugin: 'janus.plugin.videoroom', transaction: this.tx() });
    if (res.janus !== 'success') throw new Error(`janus attach: ${JSON.stringify(res)}`);
    return res.data!.id;
  }

  /** Sends a plugin request; resolves to its synchronous result or, when acknowledged, its event. */
  async message(handle: number, body: Record<string, unknown>, jsep?: Jsep): Promise<PluginEvent> {
    const transaction = this.tx();
    const event = new Promise<PluginEvent>((resolve, reject) => this.waiting.set(transaction, { resolve, reject }));
    const res = await post(`${this.url}/${this.id}/${handle}`, { janus: 'message', transaction, body, ...(jsep ? { jsep } : {}) });
    if (res.janus === 'ack') return checked(await withTimeout(event, 30_000, `janus ${String(body.request)}`));
    this.waiting.delete(transaction);
    if (res.janus === 'success' && res.plugindata) return checked({ data: res.plugindata.data, jsep: res.jsep });
    throw new Error(`janus ${String(body.request)}: ${JSON.stringify(res)}`);
  }

  async detach(handle: number): Promise<void> {
    await post(`${this.url}/${this.id}/${handle}`, { janus: 'detach', transaction: this.tx() }).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    this.polling = false;
    await post(`${this.url}/${this.id}`, { janus: 'destroy', transaction: this.tx() }).catch(() => undefined);
    await this.poller;
    for (const w of this.waiting.values()) w.reject(new Error('janus session destroyed'));
    this.waiting.clear();
  }

  private tx(): string {
    return `t${this.nextTx++}`;
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      let batch: JanusMessage[];
      try {
        const res = await fetch(`${this.url}/${this.id}?maxev=50&rid=${Date.now()}`);
        const body = (await res.json()) as JanusMessage | JanusMessage[];
        batch = Array.isArray(body) ? body : [body];
      } catch {
        if (this.polling) await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const msg of batch) {
        if (msg.janus !== 'event' || !msg.transaction) continue;
        const waiter = this.waiting.get(msg.transaction);
        if (!waiter) continue;
        this.waiting.delete(msg.transaction);
        waiter.resolve({ data: msg.plugindata?.data ?? {}, jsep: msg.jsep });
      }
    }
  }
}

function checked(event: PluginEvent): PluginEvent {
  if (event.data.error) throw new Error(`janus videoroom error ${String(event.data.error_code)}: ${String(event.data.error)}`);
  return event;
}

async function post(url: string, body: object): Promise<JanusMessage> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as JanusMessage;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]);
}
