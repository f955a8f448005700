import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import WebSocket, { type RawData } from 'ws';
import type { TicketSigner } from '../domain/tickets.js';
import { RELAY_HEADER, provesRelay } from '../cluster/room-router.js';
import { FRAME_SAMPLES } from './g711.js';
import { PhoneCall, type CallLeg, type PhoneDeps } from './phone-call.js';

/**
 * A phone call answered on one instance whose meeting is hosted on another (docs/dial-in.md,
 * "Several instances"). The answering instance keeps the SIP dialog and the RTP; the host runs the
 * caller's participant exactly as for a local call. Between them, one WebSocket signed with the
 * room relay's proof:
 *
 * - answering → host: a first text frame `{"type":"hello","ticket","caller"}` (the room ticket the
 *   menu's admission granted, signed with the deployment key), then the caller's audio as binary
 *   frames of 160 16-bit little-endian samples (20 ms at 8 kHz) and `{"type":"key","key"}` texts;
 * - host → answering: binary frames of what the caller hears (the room's mix and the prompts),
 *   and `{"type":"hangup","why"}` before it closes when the call must end (removed, meeting over).
 *
 * A socket that closes without `hangup` means the host is gone: the answering instance says so and
 * hangs up.
 */
export const BRIDGE_PATH = '/sip/bridge';

const FRAME_BYTES = FRAME_SAMPLES * 2;
const HELLO_TIMEOUT_MS = 10_000;
/** The host sends a frame every 20 ms while the call lasts: this long without one means it is gone. */
const SILENT_HOST_MS = 5000;
/** Before its first frame the host is still entering the room (database writes): it gets longer. */
const ENTERING_MS = 15_000;

/** The answering instance's end of a bridge. */
export interface BridgeLink {
  frame(pcm: Int16Array): void;
  key(key: string): void;
  close(): void;
  /** What the host sends the caller to hear. */
  onFrame: (pcm: Int16Array) => void;
  /** The bridge ended: `why` when the host hung up (its last prompt already played), undefined when it was lost. */
  onEnd: (why: string | undefined) => void;
}

/** Opens a bridge to the instance at `url` (its base URL); rejects when it cannot be reached. */
export function openBridge(url: string, proof: string, ticket: string, caller: string | undefined): Promise<BridgeLink> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${BRIDGE_PATH}`, { headers: { [RELAY_HEADER]: proof }, handshakeTimeout: 5000 });
  let hungUpWith: string | undefined;
  let ended = false;
  let watchdog: NodeJS.Timeout | undefined;
  const link: BridgeLink = {
    frame(pcm) {
      if (socket.readyState === WebSocket.OPEN) socket.send(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    },
    key(key) {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'key', key }));
    },
    close() {
      ended = true;
      clearTimeout(watchdog);
      socket.close(1000, 'hung up');
    },
    onFrame: () => undefined,
    onEnd: () => undefined,
  };
  const arm = (ms = SILENT_HOST_MS) => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => socket.terminate(), ms);
    watchdog.unref();
  };
  socket.on('message', (data: RawData, isBinary) => {
    arm();
    if (isBinary) {
      const bytes = toBuffer(data);
      if (bytes.length !== FRAME_BYTES) return;
      link.onFrame(new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + FRAME_BYTES)));
      return;
    }
    const m = parse(data);
    if (m?.type === 'hangup') hungUpWith = typeof m.why === 'string' ? m.why : 'hung up';
  });
  return new Promise((resolve, reject) => {
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'hello', ticket, caller: caller ?? null }));
      arm(ENTERING_MS);
      resolve(link);
    });
    socket.on('error', (err) => {
      if (socket.readyState !== WebSocket.OPEN) reject(err);
    });
    socket.on('close', () => {
      clearTimeout(watchdog);
      reject(new Error('bridge closed before it opened'));
      if (!ended) link.onEnd(hungUpWith);
      ended = true;
    });
  });
}

/**
 * The host's end: checks the relay proof and the ticket, then runs the caller as a PhoneCall whose
 * leg is this socket, entering the room directly (the menu ran on the answering instance).
 */
export class PhoneBridgeHost {
  constructor(
    private readonly deps: () => PhoneDeps,
    private readonly signer: TicketSigner,
    private readonly proof: string,
    private readonly log: Logger,
  ) {}

  accept(socket: WebSocket, headers: IncomingHttpHeaders): void {
    if (!provesRelay(headers, this.proof)) return socket.close(4403, 'not an instance of this deployment');
    const timer = setTimeout(() => socket.close(4003, 'no hello'), HELLO_TIMEOUT_MS);
    socket.once('message', (data: RawData, isBinary) => {
      clearTimeout(timer);
      const hello = isBinary ? undefined : parse(data);
      const claims = hello?.type === 'hello' && typeof hello.ticket === 'string' ? this.signer.verify(hello.ticket) : undefined;
      if (!claims) return socket.close(4401, 'bad ticket');
      let deps: PhoneDeps;
      try {
        deps = this.deps();
      } catch (err) {
        this.log.error({ err }, 'a bridged phone call cannot be hosted here');
        return socket.close(1011, 'no prompts');
      }
      const caller = typeof hello?.caller === 'string' ? hello.caller : undefined;
      const leg = new SocketLeg(socket);
      const call = new PhoneCall(deps, caller, leg, (why) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'hangup', why }));
        socket.close(1000, 'hung up');
      });
      socket.on('close', () => void call.hungUp().catch((err: unknown) => this.log.error({ err }, 'ending a bridged call failed')));
      void call.enterBridged(claims);
    });
  }
}

/** A WebSocket seen by a PhoneCall as its call's leg. */
class SocketLeg implements CallLeg {
  onFrame: (pcm: Int16Array) => void = () => undefined;
  onKey: (key: string) => void = () => undefined;

  constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: RawData, isBinary) => {
      if (isBinary) {
        const bytes = toBuffer(data);
        if (bytes.length === FRAME_BYTES) this.onFrame(new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + FRAME_BYTES)));
        return;
      }
      const m = parse(data);
      if (m?.type === 'key' && typeof m.key === 'string' && /^[0-9*#A-D]$/.test(m.key)) this.onKey(m.key);
    });
  }

  send(pcm: Int16Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    // A reader that does not keep up is not buffered for without bound: its frames are dropped.
    if (this.socket.bufferedAmount > 64 * FRAME_BYTES) return;
    this.socket.send(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  }

  close(): void {
    this.socket.close(1000, 'hung up');
  }
}

function toBuffer(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function parse(data: RawData): Record<string, unknown> | undefined {
  try {
    const m: unknown = JSON.parse(toBuffer(data).toString());
    return m && typeof m === 'object' ? (m as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
