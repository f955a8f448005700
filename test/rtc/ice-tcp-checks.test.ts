/**
 * The SFU's connectivity checks over ICE-TCP wait for a late answer (src/rtc/sfu/ice-tcp-checks.ts).
 * A werift peer dials the SFU-side connection's passive TCP candidate, as Chromium does on a network
 * that drops UDP, and answers the SFU's checks 200 ms late, as a loaded machine can: werift's own
 * 50 ms wait threw every such answer away, and the SFU, which nominates, never connected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { classes, RTCPeerConnection, type Message } from 'werift';
import { createPeer, setLocalAndGather } from '../../src/rtc/sfu/peer.js';
import { eventually } from './harness.js';

const ANSWER_DELAY_MS = 200;

/** werift's per-connection transports, private in its typings. */
interface Protocols {
  protocols: Array<{ type: string; sendStun(message: Message, addr: unknown): Promise<void> }>;
}

/** SDP without its UDP candidates: only ICE-TCP can connect. */
const tcpOnly = (sdp: string) =>
  sdp
    .split('\r\n')
    .filter((line) => !/^a=candidate:\S+ \d+ udp /i.test(line))
    .join('\r\n');

const closing: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((pc) => pc.close()));
});

describe('ICE-TCP connectivity checks', () => {
  it('connect when the browser answers the SFU\'s checks 200 ms late', async () => {
    const sfuSide = createPeer({ listenIp: '127.0.0.1', portRange: [47300, 47399], tcp: true });
    const browser = new RTCPeerConnection({ iceServers: [], iceUseTcp: true, iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'] });
    closing.push(sfuSide, browser);
    sfuSide.createDataChannel('probe');

    // As the SFU offers a viewer's connection: it is the controlling side and nominates.
    await setLocalAndGather(sfuSide, sfuSide.createOffer());
    await browser.setRemoteDescription({ type: 'offer', sdp: tcpOnly(sfuSide.localDescription!.sdp) });
    await browser.setLocalDescription(await browser.createAnswer());
    await eventually(() => browser.iceGatheringState === 'complete', 10_000, 'the browser side gathered');
    let late = 0;
    for (const transport of browser.iceTransports) {
      for (const protocol of (transport.connection as unknown as Protocols).protocols) {
        if (protocol.type !== 'tcp') continue;
        const send = protocol.sendStun.bind(protocol);
        protocol.sendStun = async (message, addr) => {
          if (message.messageClass !== classes.RESPONSE) return send(message, addr);
          late++;
          await new Promise((r) => setTimeout(r, ANSWER_DELAY_MS));
          return send(message, addr);
        };
      }
    }
    await sfuSide.setRemoteDescription({ type: 'answer', sdp: tcpOnly(browser.localDescription!.sdp) });

    await eventually(() => sfuSide.connectionState === 'connected' && browser.connectionState === 'connected', 15_000, 'both sides connected over ICE-TCP');
    expect(late).toBeGreaterThan(0);
    const pair = sfuSide.iceTransports[0]!.connection.nominated!;
    expect(pair.localCandidate.transport.toLowerCase()).toBe('tcp');
  });
});
