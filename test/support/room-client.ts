/**
 * A meeting-room participant without a browser: admission over HTTP (keeping the device cookie)
 * and the signaling WebSocket of docs/room-protocol.md, sending no media. Cheap enough to put
 * several in a room and read every server → page frame they get.
 */
import WebSocket from 'ws';

export type Frame = { type: string; [key: string]: unknown };

export interface Admitted {
  status: number;
  body: Record<string, unknown>;
  /** `vconf_device=…`, to send back as the browser would. */
  cookie: string;
}

/** POST /api/admit as a browser; `cookie` continues an earlier browser. */
export async function admit(baseUrl: string, request: { roomCode: string; token?: string; passcode?: string }, cookie?: string): Promise<Admitted> {
  const res = await fetch(`${baseUrl}/api/admit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(request),
  });
  const set = res.headers.get('set-cookie');
  const fresh = set ? /vconf_device=[^;]+/.exec(set)?.[0] : undefined;
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie: fresh ?? cookie ?? '' };
}

/** The token of a join link. */
export function linkToken(externalLinkUrl: string): { roomCode: string; token: string } {
  const url = new URL(externalLinkUrl);
  return { roomCode: url.searchParams.get('roomCode') ?? '', token: url.searchParams.get('token') ?? '' };
}

export class RoomClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<number>;
  participantId = '';
  private readonly socket: WebSocket;
  /** The browser's device cookie it entered with. */
  readonly cookie: string;
  private waiters: Array<() => void> = [];

  private constructor(baseUrl: string, cookie: string) {
    this.cookie = cookie;
    this.socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/rtc/ws`, { headers: { cookie } });
    this.socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => {
      resolve(code);
      for (const wake of this.waiters.splice(0)) wake();
    }));
  }

  /**
   * Says hello with `ticket` from the browser holding `cookie`; resolves once welcomed, or with the
   * refusal frame when the server says no.
   */
  /** `knock`: at a locked meeting, wait at the door (resolves on `waiting` then). */
  static async enter(baseUrl: string, admitted: Admitted, opts: { name: string; mic?: boolean; participantId?: string; knock?: boolean }): Promise<RoomClient> {
    const client = new RoomClient(baseUrl, admitted.cookie);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', reject);
    });
    client.send({
      type: 'hello',
      ticket: admitted.body.ticket,
      name: opts.name,
      mic: opts.mic ?? true,
      camera: false,
      ...(opts.participantId ? { participantId: opts.participantId } : {}),
      ...(opts.knock ? { knock: true } : {}),
    });
    const first = await client.next((f) => f.type === 'welcome' || f.type === 'error' || f.type === 'waiting');
    if (first.type === 'welcome') client.participantId = (first.you as { participantId: string }).participantId;
    return client;
  }

  send(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The first frame (from `from` on) matching `match`, waiting up to `timeoutMs`. */
  async next(match: (f: Frame) => boolean, timeoutMs = 2000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next frame of `type` that arrives after now. */
  nextOf(type: string, match: (f: Frame) => boolean = () => true, timeoutMs = 2000): Promise<Frame> {
    return this.next((f) => f.type === type && match(f), timeoutMs, this.frames.length);
  }

  /** The latest frame of `type` received so far. */
  last(type: string): Frame | undefined {
    return [...this.frames].reverse().find((f) => f.type === type);
  }

  /** `code`: e.g. 4010, as a page closes a socket it means to replace (not a leave). */
  close(code?: number): void {
    this.socket.close(code);
  }

  /** Stops reading (and so answering pings), as a browser whose process is stopped. */
  freeze(): void {
    this.socket.pause();
  }

  /** Cuts the connection without a closing handshake, as a lost network does. */
  terminate(): void {
    this.socket.terminate();
  }
}
