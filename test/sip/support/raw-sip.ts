/**
 * A bare SIP user agent over UDP for the refusal cases (one request, its responses): quicker than
 * a SIPp run per status code, and able to speak from another loopback address (127.0.0.2).
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

export interface SipResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawSip {
  private socket!: Socket;
  private readonly waiting: Array<(r: SipResponse) => void> = [];
  private readonly received: SipResponse[] = [];
  readonly callId = `${randomBytes(6).toString('hex')}@vconf-test`;
  readonly tag = randomBytes(4).toString('hex');
  port = 0;

  constructor(private readonly target: { host: string; port: number }, private readonly localIp = '127.0.0.1') {}

  async open(): Promise<void> {
    this.socket = createSocket('udp4');
    this.socket.on('message', (data) => {
      const text = data.toString();
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [first, ...lines] = head.split('\r\n');
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(first ?? '')?.[1]);
      if (!status) return;
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      const response = { status, headers, body };
      const next = this.waiting.shift();
      if (next) next(response);
      else this.received.push(response);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, this.localIp, resolve));
    this.port = this.socket.address().port;
  }

  /** Sends a request; `headers` and `body` complete it. Branch and CSeq as given. */
  send(method: string, opts: { cseq?: number; branch?: string; headers?: string[]; body?: string; toTag?: string } = {}): string {
    const branch = opts.branch ?? `z9hG4bK${randomBytes(6).toString('hex')}`;
    const body = opts.body ?? '';
    const lines = [
      `${method} sip:vconf@${this.target.host}:${this.target.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.localIp}:${this.port};branch=${branch};rport`,
      `From: <sip:13600001234@${this.localIp}:${this.port}>;tag=${this.tag}`,
      `To: <sip:vconf@${this.target.host}:${this.target.port}>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${opts.cseq ?? 1} ${method}`,
      `Contact: <sip:13600001234@${this.localIp}:${this.port}>`,
      'Max-Forwards: 70',
      ...(opts.headers ?? []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    this.socket.send(lines.join('\r\n'), this.target.port, this.target.host);
    return branch;
  }

  /** The next response (skipping provisional ones unless asked), within `ms`. */
  next(opts: { provisional?: boolean; ms?: number } = {}): Promise<SipResponse> {
    const take = (): Promise<SipResponse> =>
      new Promise((resolve, reject) => {
        const queued = this.received.shift();
        if (queued) return resolve(queued);
        const timer = setTimeout(() => reject(new Error('no SIP response')), opts.ms ?? 5000);
        this.waiting.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    return (async () => {
      for (;;) {
        const r = await take();
        if (opts.provisional || r.status >= 200) return r;
      }
    })();
  }

  /** Waits `ms` and returns what arrived meanwhile that nobody asked for (a resent final response). */
  async unasked(ms: number): Promise<SipResponse[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.received.splice(0);
  }

  close(): void {
    this.socket.close();
  }
}

/** The tag the answering side put on a response's To header. */
export function toTag(r: SipResponse): string | undefined {
  return /tag=([^;>\s]+)/.exec(r.headers.to ?? '')?.[1];
}

export function sdp(port: number, formats = '8 101', rtpmaps = ['a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000'], proto = 'RTP/AVP'): string {
  return ['v=0', 'o=t 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} ${proto} ${formats}`, ...rtpmaps, ''].join('\r\n');
}
