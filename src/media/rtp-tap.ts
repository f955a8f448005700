import { createSocket, type Socket } from 'node:dgram';
import { RtpHeader, RtpPacket } from 'werift';
import type { RtpSink, UpstreamTrack } from '../rtc/sfu/sfu.js';
import { SequenceRewriter } from '../rtc/sfu/rtp-forward.js';

/** The one SSRC every tapped stream carries: ffmpeg follows a single source per m-line. */
const TAP_SSRC = 0x76636f6e;

/** One upstream track the tap copies to a local UDP port. */
export interface TapStream {
  track: UpstreamTrack;
  port: number;
}

/**
 * Copies a meeting's upstream RTP, unchanged, to loopback UDP ports that one ffmpeg process reads
 * through the SDP this tap writes. The SFU's forwarding path is not touched: the tap is one more
 * sink of each track (a muted source is dropped before any sink, so the tap never records it).
 */
export class RtpTap {
  private readonly socket: Socket;
  private readonly sinks: Array<{ track: UpstreamTrack; sink: RtpSink }> = [];
  private closed = false;
  packets = 0;

  constructor(readonly streams: readonly TapStream[]) {
    this.socket = createSocket('udp4');
    // A send to a port ffmpeg has not bound yet is refused by the kernel; that packet is simply lost.
    this.socket.on('error', () => undefined);
    this.socket.unref();
  }

  /** Starts copying and asks each video publisher for a keyframe, so ffmpeg can start decoding at once. */
  start(): void {
    for (const { track, port } of this.streams) {
      // A simulcast camera may move the tap to another layer (at a keyframe): one numbering, one SSRC
      // and continuous timestamps keep that one stream to ffmpeg, whose decoder follows the new size.
      const rewriter = new SequenceRewriter(track.clockRate);
      const sink: RtpSink = {
        deliver: (packet: RtpPacket) => {
          // RTX and other payload types are not in the SDP; the codec's own packets are.
          if (this.closed || packet.header.payloadType !== track.payloadType) return;
          this.packets++;
          const { sequenceNumber, timestamp } = rewriter.map(packet.header, performance.now());
          const h = packet.header;
          const header = new RtpHeader({ marker: h.marker, payloadType: h.payloadType, sequenceNumber, timestamp, ssrc: TAP_SSRC });
          this.socket.send(new RtpPacket(header, packet.payload).serialize(), port, '127.0.0.1');
        },
        restart: () => rewriter.restart(),
      };
      track.attach(sink);
      this.sinks.push({ track, sink });
    }
    this.requestKeyframes();
  }

  requestKeyframes(): void {
    for (const { track } of this.streams) track.requestKeyframe();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { track, sink } of this.sinks) track.detach(sink);
    this.sinks.length = 0;
    this.socket.close();
  }

  /** The session description ffmpeg opens (`-protocol_whitelist file,udp,rtp -i tap.sdp`): one m-line per stream. */
  sdp(): string {
    const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=vconf tap', 'c=IN IP4 127.0.0.1', 't=0 0'];
    for (const { track, port } of this.streams) {
      const [kind, codec] = track.mimeType.split('/') as [string, string];
      const pt = track.payloadType;
      lines.push(`m=${kind} ${port} RTP/AVP ${pt}`);
      if (codec === 'opus') lines.push(`a=rtpmap:${pt} opus/${track.clockRate}/${track.channels ?? 2}`);
      else if (codec === 'h264') lines.push(`a=rtpmap:${pt} H264/${track.clockRate}`, `a=fmtp:${pt} packetization-mode=1`);
      else lines.push(`a=rtpmap:${pt} ${codec.toUpperCase()}/${track.clockRate}`);
      lines.push('a=recvonly');
    }
    return `${lines.join('\n')}\n`;
  }
}

/**
 * Even loopback ports whose RTCP neighbour (port + 1, which ffmpeg also binds) is free too, checked
 * by binding both. Ports are taken from a range the SFU's media ports do not use.
 */
export async function freePortPairs(count: number, range: [number, number] = [20000, 29998]): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count && attempt < count * 50; attempt++) {
    const port = range[0] + 2 * Math.floor((Math.random() * (range[1] - range[0])) / 2);
    if (ports.includes(port)) continue;
    if ((await bindable(port)) && (await bindable(port + 1))) ports.push(port);
  }
  if (ports.length < count) throw new Error('no free UDP ports for the media tap');
  return ports;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
