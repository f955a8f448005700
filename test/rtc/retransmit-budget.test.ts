import { GenericNack, RTCPeerConnection, RtcpTransportLayerFeedback, RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';
import { describe, expect, it } from 'vitest';
import { budgetRetransmissions, RetransmitBudget } from '../../src/rtc/sfu/retransmit-budget.js';

describe("a subscriber's retransmission budget", () => {
  it('lets retransmissions take up to the estimate, in bursts of at most 500 ms of it', () => {
    const budget = new RetransmitBudget(0, 0);
    // 1 Mbit/s = 125 kB/s; 62.5 kB at most at once.
    budget.allow(1_000_000, 0);
    expect(budget.take(1_000, 0)).toBe(false);
    let sent = 0;
    while (budget.take(1_000, 1_000)) sent++;
    expect(sent).toBe(62);
    // A quarter of a second later: 31.25 kB more.
    sent = 0;
    while (budget.take(1_000, 1_250)) sent++;
    expect(sent).toBe(31);
  });

  it('shrinks with the estimate at once: a congested viewer gets few retransmissions', () => {
    const budget = new RetransmitBudget(1_000_000, 0);
    budget.allow(100_000, 0);
    // 100 kbit/s = 12.5 kB/s, 6.25 kB at most.
    let sent = 0;
    while (budget.take(1_000, 10_000)) sent++;
    expect(sent).toBe(6);
  });

  it('starts full at its initial rate, so a new viewer\'s first keyframe can be repaired before any allocation', () => {
    const budget = new RetransmitBudget(1_000_000, 0);
    let sent = 0;
    while (budget.take(1_000, 0)) sent++;
    expect(sent).toBe(62);
  });
});

describe("a werift sender's NACK answers under the budget", () => {
  /** A real werift sender with packets 0…19 (1,000-byte payloads) in its send history. */
  function senderWithHistory(): { sender: RTCRtpSender; pc: RTCPeerConnection } {
    const pc = new RTCPeerConnection();
    const { sender } = pc.addTransceiver('video', { direction: 'sendonly' });
    const history = (sender as unknown as { rtpCache: RtpPacket[] }).rtpCache;
    for (let seq = 0; seq < 20; seq++) history[seq] = new RtpPacket(new RtpHeader({ sequenceNumber: seq, payloadType: 96, ssrc: sender.ssrc }), Buffer.alloc(1_000));
    return { sender, pc };
  }
  const nack = (sender: RTCRtpSender, lost: number[]) =>
    new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: sender.ssrc, lost }) });
  const resent = (sender: RTCRtpSender) => (sender as unknown as { retransmittedPacketsSent: number }).retransmittedPacketsSent;

  it('resends only what the budget has room for, and again once it has refilled', async () => {
    const { sender, pc } = senderWithHistory();
    try {
      // 200 kbit/s: 12.5 kB per 500 ms burst, 11 packets of 1,052 bytes on the wire.
      const budget = new RetransmitBudget(0, 0);
      let now = 0;
      budgetRetransmissions(sender, budget, () => now);
      budget.allow(200_000, 0);
      now = 1_000;
      sender.handleRtcpPacket(nack(sender, [0, 1, 2, 3, 4]));
      expect(resent(sender)).toBe(5);
      sender.handleRtcpPacket(nack(sender, [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]));
      expect(resent(sender)).toBe(11);
      sender.handleRtcpPacket(nack(sender, [0, 1, 2]));
      expect(resent(sender)).toBe(11);
      // A second on, the bucket is full again.
      now = 2_000;
      sender.handleRtcpPacket(nack(sender, [0, 1, 2]));
      expect(resent(sender)).toBe(14);
    } finally {
      await pc.close();
    }
  });
});
