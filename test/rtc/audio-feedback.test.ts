import { RTCPeerConnection } from 'werift';
import { afterEach, describe, expect, it } from 'vitest';
import { peerConfig } from '../../src/rtc/sfu/options.js';
import { keepAudioFeedback } from '../../src/rtc/sfu/audio-nack.js';

const pcs: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(pcs.splice(0).map((pc) => pc.close()));
});

/** Opus lines of an SDP's audio sections. */
const opusLines = (sdp: string) => sdp.split('\r\n').filter((l) => /^a=(rtcp-fb|fmtp):111 /.test(l));

describe('downstream audio feedback across renegotiation', () => {
  it('offers Opus NACK and in-band FEC again after an answer (like Chromium\'s) that does not echo nack', async () => {
    const sfu = new RTCPeerConnection({ ...peerConfig({ listenIp: '127.0.0.1' }) });
    pcs.push(sfu);
    sfu.addTransceiver('audio', { direction: 'sendonly' });
    const offer = await sfu.createOffer();
    expect(opusLines(offer.sdp)).toEqual(['a=rtcp-fb:111 nack', 'a=fmtp:111 minptime=10;useinbandfec=1']);
    await sfu.setLocalDescription(offer);
    // The answer Chromium gives: Opus with FEC, no audio feedback.
    const answer = {
      type: 'answer' as const,
      sdp: offer.sdp.replace('a=sendonly', 'a=recvonly').replace('a=setup:actpass', 'a=setup:active').replace('a=rtcp-fb:111 nack\r\n', ''),
    };
    expect(opusLines(answer.sdp)).toEqual(['a=fmtp:111 minptime=10;useinbandfec=1']);
    await sfu.setRemoteDescription(answer);
    // werift alone would now offer the answer's codecs: no nack.
    expect(opusLines((await sfu.createOffer()).sdp)).not.toContain('a=rtcp-fb:111 nack');
    keepAudioFeedback(sfu);
    expect(opusLines((await sfu.createOffer()).sdp)).toEqual(['a=rtcp-fb:111 nack', 'a=fmtp:111 minptime=10;useinbandfec=1']);
    // Idempotent: no duplicate lines after another answer.
    keepAudioFeedback(sfu);
    expect(opusLines((await sfu.createOffer()).sdp)).toEqual(['a=rtcp-fb:111 nack', 'a=fmtp:111 minptime=10;useinbandfec=1']);
  });
});
