import { GenericNack, RTCPeerConnection, RtcpTransportLayerFeedback, RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';
import { describe, expect, it } from 'vitest';
import { budgetRetransmissions, RetransmitBudget } from '../../src/rtc/sfu/retransmit-budget.js';

describe("a subscriber's retransmission budget", () => {
  it('lets retransmissions take what the estimate leaves beside the media, in bursts of at most 250 ms of it', () => {
    const budget = new RetransmitBudget(0, 0);
    // 1 Mbit/s estimate, 600 kbit/s of media: 400 kbit/s = 50 kB/s for retransmissions, 12.5 kB at most at once.
    budget.allow(1_000_000, 600_000, 0);
    expect(budget.take(1_000, 0)).toBe(false);
    let sent = 0;
    while (budget.take(1_000, 1_000)) sent++;
    expect(sent).toBe(12);
    // Half a second later: 25 kB earned, 12.5 kB kept.
    sent = 0;
    while (budget.take(1_000, 1_500)) sent++;
    expect(sent).toBe(12);
  });

  it('keeps a small share of the estimate for retransmissions when the media takes all of it', () => {
    const budget = new RetransmitBudget(0, 0);
    budget.allow(300_000, 450_000, 0);
    // 5% of 300 kbit/s = 1,875 B/s; 250 ms of it holds 468 B.
    expect(budget.take(1_200, 1_000)).toBe(false);
    expect(budget.take(150, 1_000)).toBe(true);
    expect(budget.take(150, 1_000)).toBe(true);
    expect(budget.take(150, 1_000)).toBe(true);
    expect(budget.take(150, 1_000)).toBe(false);
  });

  it('starts full at its initial rate, so a new viewer\'s first keyframe can be repaired before any allocation', () => {
    const budget = new RetransmitBudget(1_000_000, 0);
    let sent = 0;
    while (budget.take(1_000, 0)) sent++;
    expect(sent).toBe(31);
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

  it('resends only what the budget has room for; with room, every packet asked for', async () => {
    const { sender, pc } = senderWithHistory();
    try {
      // 600 kbit/s spare = 75 kB/s, 18.75 kB per 250 ms burst: 17 packets of 1,052 bytes on the wire.
      const budget = new RetransmitBudget(0, 0);
      let now = 0;
      budgetRetransmissions(sender, budget, () => now);
      budget.allow(1_000_000, 400_000, 0);
      now = 1_000;
      sender.handleRtcpPacket(nack(sender, [0, 1, 2, 3, 4]));
      expect(resent(sender)).toBe(5);
      sender.handleRtcpPacket(nack(sender, [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]));
      expect(resent(sender)).toBe(17);
      // Congested: the media takes all of a 300 kbit/s estimate, 5% is left: no room for a video packet.
      budget.allow(300_000, 350_000, now);
      now = 5_000;
      sender.handleRtcpPacket(nack(sender, [0, 1, 2]));
      expect(resent(sender)).toBe(17);
    } finally {
      await pc.close();
    }
  });
});
