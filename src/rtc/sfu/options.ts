import {
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  RTP_EXTENSION_URI,
  type RTCPeerConnectionConfig,
} from 'werift';
import type { ClientIce } from '../../protocol/room.js';
import type { ForwardTally, SfuLogger } from './types.js';
import type { PortBudget } from './port-budget.js';

export interface SfuOptions {
  /** Address the ICE sockets bind to; undefined or 0.0.0.0 = every IPv4 interface (plus loopback). */
  listenIp?: string;
  /** Address put into the SDP candidates instead of the local ones (a public IP in front of a NAT). */
  announcedIp?: string;
  /** Inclusive port range for the ICE sockets (UDP, and TCP with `tcp`); undefined = ephemeral ports. */
  portRange?: [number, number];
  /**
   * Also offer a passive ICE-TCP host candidate per connection (RFC 6544), listening on a TCP port of the
   * same range, so browsers on networks that drop UDP still connect.
   */
  tcp?: boolean;
  /** The ICE configuration each participant's page gets (TURN servers and credentials, policy). */
  clientIce?: (participantId: string) => ClientIce;
  logger?: SfuLogger;
  /** Where forwarded packets are counted; the Sfu makes its own when not given. */
  forwarded?: ForwardTally;
  /** Accounting of the port range (made by the Sfu when there is a range). */
  ports?: PortBudget;
}

/** Video codecs the SFU forwards, in preference order. The SFU never decodes, so it only needs to agree on names. */
export const VIDEO_CODECS = ['video/vp8', 'video/h264'] as const;
export const AUDIO_CODECS = ['audio/opus'] as const;

// Payload types of the SFU's downstream offers (an upstream answer always keeps the browser's own).
const PT = { opus: 111, vp8: 96, vp8Rtx: 97, h264: 102, h264Rtx: 103 } as const;

/**
 * Fresh codec objects for one peer connection: werift mutates them (payload types), so they are never shared.
 * No transport-cc: werift's transport-wide feedback made Chromium's bandwidth estimate collapse (see the
 * notes). goog-remb instead, both ways: the SFU tells publishers what to send (src/rtc/sfu/upstream-rate.ts)
 * and subscribers' browsers estimate their downlink from abs-send-time and report it (downlink.ts).
 * Audio NACK: a lost Opus packet is resent from the sender's cache before the jitter buffer conceals it.
 */
function codecs(): NonNullable<RTCPeerConnectionConfig['codecs']> {
  const videoFeedback = () => [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }];
  return {
    audio: [
      new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: PT.opus, parameters: 'minptime=10;useinbandfec=1', rtcpFeedback: [{ type: 'nack' }] }),
    ],
    video: [
      new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: PT.vp8, rtcpFeedback: videoFeedback() }),
      new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000, payloadType: PT.vp8Rtx, parameters: `apt=${PT.vp8}`, rtcpFeedback: [] }),
      new RTCRtpCodecParameters({
        mimeType: 'video/H264',
        clockRate: 90000,
        payloadType: PT.h264,
        parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
        rtcpFeedback: videoFeedback(),
      }),
      new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000, payloadType: PT.h264Rtx, parameters: `apt=${PT.h264}`, rtcpFeedback: [] }),
    ],
  };
}

/**
 * Extensions the SFU negotiates. Upstream it reads the audio level (server-side active speaker) and the
 * simulcast stream ids; downstream its senders write only mid and abs-send-time (the subscriber's browser
 * estimates its downlink from the latter). Forwarded packets never keep the publisher's extensions:
 * their ids belong to the publisher's connection.
 */
function headerExtensions(): NonNullable<RTCPeerConnectionConfig['headerExtensions']> {
  const ext = (uri: string) => new RTCRtpHeaderExtensionParameters({ uri });
  return {
    audio: [ext(RTP_EXTENSION_URI.sdesMid), ext(RTP_EXTENSION_URI.audioLevelIndication)],
    video: [ext(RTP_EXTENSION_URI.sdesMid), ext(RTP_EXTENSION_URI.sdesRTPStreamID), ext(RTP_EXTENSION_URI.repairedRtpStreamId), ext(RTP_EXTENSION_URI.absSendTime)],
  };
}

export function isWildcard(ip: string | undefined): boolean {
  return ip === undefined || ip === '' || ip === '0.0.0.0';
}

/** werift configuration of one SFU-side peer connection. */
export function peerConfig(opts: SfuOptions): RTCPeerConnectionConfig {
  const listen = isWildcard(opts.listenIp) ? undefined : opts.listenIp;
  return {
    // werift's default includes a public STUN server; the SFU only ever offers host candidates.
    // (werift 0.24 still falls back to stun.l.google.com; peer.ts clears that before gathering.)
    iceServers: [],
    bundlePolicy: 'max-bundle',
    icePortRange: opts.portRange,
    iceUseTcp: opts.tcp === true,
    ...(listen
      ? {
          // Exactly one socket, on the listen address: werift would otherwise also gather every
          // interface address (bound to the listen address all the same), one port each.
          iceUseIpv4: false,
          iceUseIpv6: false,
          iceInterfaceAddresses: { udp4: listen },
          iceAdditionalHostAddresses: [listen],
        }
      : {
          iceUseIpv6: false,
          // werift skips loopback when it lists interfaces; add it so one machine works out of the box.
          iceAdditionalHostAddresses: ['127.0.0.1'],
        }),
    codecs: codecs(),
    headerExtensions: headerExtensions(),
  };
}
