/** A real webhook receiver on loopback: records every delivery and answers as the test decides. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { EventHeaders, verifyEvent } from '../../src/events/signature.js';

export interface Delivery {
  eventId: string;
  body: Record<string, unknown>;
  attempt: number;
  validSignature: boolean;
  /** When the receiver answered (after any hold). */
  receivedAt: number;
  /** What the receiver answered (0 = connection dropped). */
  answered: number;
}

/** Decides the answer to one delivery: an HTTP status, or 0 to drop the connection. */
export type Policy = (d: Omit<Delivery, 'answered'>, seenBefore: number) => number;

export class Receiver {
  readonly deliveries: Delivery[] = [];
  policy: Policy = () => 200;
  /** How long to wait before answering a delivery (a slow receiver). */
  holdMs: (d: Omit<Delivery, 'answered'>) => number = () => 0;
  url = '';
  private server: Server | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void read(req).then((text) => {
        const header = (name: string) => String(req.headers[name] ?? '');
        const d = {
          eventId: header(EventHeaders.eventId),
          body: JSON.parse(text) as Record<string, unknown>,
          attempt: Number(header(EventHeaders.attempt)),
          validSignature: verifyEvent(this.secret, header(EventHeaders.timestamp), text, header(EventHeaders.signature)),
          receivedAt: Date.now(),
        };
        const seenBefore = this.deliveries.filter((x) => x.eventId === d.eventId).length;
        const answered = this.policy(d, seenBefore);
        setTimeout(() => {
          this.deliveries.push({ ...d, answered, receivedAt: Date.now() });
          for (const wake of this.waiters.splice(0)) wake();
          if (answered === 0) req.socket.destroy();
          else res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered < 300 ? 'ok' : 'no');
        }, this.holdMs(d));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks/vconf`;
  }

  /** Accepted deliveries of one meeting, de-duplicated by event id, in arrival order. */
  accepted(conferenceId: string): Delivery[] {
    const seen = new Set<string>();
    return this.deliveries.filter((d) => {
      if (d.answered < 200 || d.answered > 299 || d.body.BizId !== conferenceId || seen.has(d.eventId)) return false;
      seen.add(d.eventId);
      return true;
    });
  }

  /** Waits until `done()` holds, checking after each delivery. */
  async until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver: condition not met within ${timeoutMs} ms; got ${JSON.stringify(this.deliveries.map((d) => [d.body.changeScene, d.body.statusSeqNum, d.answered]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
