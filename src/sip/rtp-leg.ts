import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { TelephoneEvents } from './dtmf.js';
import { decodeG711, encodeG711, FRAME_SAMPLES, type G711 } from './g711.js';
import { buildRtp, parseRtp } from './rtp-packet.js';
import type { AudioOffer } from './sdp.js';

/** The even ports of a range, handed out one per call (RTCP, one above, is not used: no reports are sent). */
export class RtpPorts {
  private readonly busy = new Set<number>();
  private next: number;

  constructor(readonly range: [number, number], private readonly address: string) {
    this.next = range[0] + (range[0] % 2);
  }

  /** A bound socket on a free port of the range; throws when none is left. */
  async open(): Promise<Socket> {
    const [low, high] = this.range;
    const count = Math.floor((high - low) / 2) + 1;
    for (let i = 0; i < count; i++) {
      const port = this.next;
      this.next = this.next + 2 > high ? low + (low % 2) : this.next + 2;
      if (this.busy.has(port)) continue;
      const socket = await bind(port, this.address);
      if (!socket) continue;
      this.busy.add(port);
      socket.once('close', () => this.busy.delete(port));
      return socket;
    }
    throw new Error(`no free RTP port in ${low}-${high}`);
  }

  get inUse(): number {
    return this.busy.size;
  }
}

function bind(port: number, address: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, address, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/**
 * One call's media: G.711 in and out over plain RTP, telephone-events in. Incoming audio is
 * re-cut into 20 ms frames whatever the caller's packet time; outgoing audio is one 20 ms packet
 * per frame, sent to the address the caller's SDP named.
 */
export class RtpLeg {
  /** A 20 ms frame of the caller's voice (8 kHz PCM). */
  onFrame: (pcm: Int16Array) => void = () => undefined;
  onKey: (key: string) => void = () => undefined;
  private remote: AudioOffer;
  private readonly events = new TelephoneEvents();
  private readonly ssrc = randomInt(1, 0xffffffff);
  private seq = randomInt(0, 0xffff);
  private ts = randomInt(0, 0xffffffff);
  private first = true;
  private pending = new Int16Array(0);
  private closed = false;
  packetsIn = 0;
  packetsOut = 0;

  constructor(private readonly socket: Socket, offer: AudioOffer) {
    this.remote = offer;
    socket.on('message', (datagram) => this.receive(datagram));
    socket.on('error', () => undefined);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get law(): G711 {
    return this.remote.law;
  }

  /** A re-INVITE may move the caller's media or change its direction. */
  update(offer: AudioOffer): void {
    this.remote = offer;
  }

  /** Sends one 20 ms frame (160 samples) to the caller, unless their side does not receive. */
  send(pcm: Int16Array): void {
    if (this.closed) return;
    const { direction } = this.remote;
    this.ts = (this.ts + FRAME_SAMPLES) >>> 0;
    if (direction === 'inactive' || direction === 'sendonly') return;
    const packet = buildRtp({ payloadType: this.remote.payloadType, marker: this.first, sequenceNumber: this.seq, timestamp: this.ts, ssrc: this.ssrc }, encodeG711(this.remote.law, pcm));
    this.first = false;
    this.seq = (this.seq + 1) & 0xffff;
    this.packetsOut++;
    this.socket.send(packet, this.remote.port, this.remote.address);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private receive(datagram: Buffer): void {
    const rtp = parseRtp(datagram);
    if (!rtp) return;
    this.packetsIn++;
    const { header, payload } = rtp;
    if (header.payloadType === this.remote.eventPayloadType) {
      const key = this.events.packet(header.timestamp, header.marker, payload);
      if (key) this.onKey(key);
      return;
    }
    if (header.payloadType !== this.remote.payloadType || payload.length === 0) return;
    const pcm = decodeG711(this.remote.law, payload);
    const buffered = this.pending.length ? concat(this.pending, pcm) : pcm;
    let offset = 0;
    for (; offset + FRAME_SAMPLES <= buffered.length; offset += FRAME_SAMPLES) this.onFrame(buffered.subarray(offset, offset + FRAME_SAMPLES));
    this.pending = buffered.slice(offset);
  }
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
