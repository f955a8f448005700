import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { KeyframeRequester } from '../../src/rtc/sfu/keyframe.js';
import { forwardCopy, SequenceRewriter } from '../../src/rtc/sfu/rtp-forward.js';
import { sleep } from './harness.js';

const header = (seq: number, ts: number, ssrc = 1) => new RtpHeader({ sequenceNumber: seq, timestamp: ts, ssrc });

describe('SequenceRewriter', () => {
  it('passes numbering through with a constant offset, across the 16-bit wrap', () => {
    const r = new SequenceRewriter(90000);
    const out = [65534, 65535, 0, 1].map((s, i) => r.map(header(s, 1000 + i * 3000), i * 33).sequenceNumber);
    expect(out).toEqual([65534, 65535, 0, 1]);
  });

  it('continues without a gap after a restart, with the timestamp advanced by the pause', () => {
    const r = new SequenceRewriter(90000);
    r.map(header(100, 90_000), 0);
    r.map(header(101, 93_000), 33);
    r.restart();
    // 500 packets and ~1 s later at the source.
    const resumed = r.map(header(601, 183_000), 1033);
    expect(resumed.sequenceNumber).toBe(102);
    expect(resumed.timestamp).toBe(93_000 + 90_000);
    expect(r.map(header(602, 186_000), 1066)).toEqual({ sequenceNumber: 103, timestamp: 93_000 + 90_000 + 3000 });
  });

  it('rebases when the source SSRC changes (another publisher, a new upstream stream)', () => {
    const r = new SequenceRewriter(48000);
    r.map(header(10, 0, 1), 0);
    const next = r.map(header(5000, 7_000_000, 2), 20);
    expect(next.sequenceNumber).toBe(11);
    expect(next.timestamp).toBe(960);
  });

  it('maps a late retransmission to its original number without moving the high-water mark', () => {
    const r = new SequenceRewriter(90000);
    r.map(header(10, 0), 0);
    r.map(header(12, 0), 1);
    expect(r.map(header(11, 0), 2).sequenceNumber).toBe(11);
    r.restart();
    expect(r.map(header(500, 0), 3).sequenceNumber).toBe(13);
  });
});

describe('forwardCopy', () => {
  it('gives the sender its own header without the publisher\'s extensions, sharing the payload', () => {
    const payload = Buffer.from([1, 2, 3]);
    const src = new RtpPacket(
      new RtpHeader({ sequenceNumber: 7, timestamp: 9, ssrc: 5, payloadType: 97, marker: true, extension: true, extensions: [{ id: 3, payload: Buffer.from([0x10]) }] }),
      payload,
    );
    const copy = forwardCopy(src, 70, 90);
    expect(copy.header).not.toBe(src.header);
    expect(copy.header.extensions).toEqual([]);
    expect(copy.header.extension).toBe(false);
    expect([copy.header.sequenceNumber, copy.header.timestamp, copy.header.marker, copy.header.payloadType]).toEqual([70, 90, true, 97]);
    expect(copy.payload).toBe(payload);
    copy.header.ssrc = 99;
    expect(src.header.ssrc).toBe(5);
    expect(src.header.extensions).toHaveLength(1);
  });
});

describe('KeyframeRequester', () => {
  it('sends at once, then at most once per interval, never dropping the last request', async () => {
    let sent = 0;
    const k = new KeyframeRequester(() => sent++, 100);
    k.request();
    expect(sent).toBe(1);
    k.request();
    k.request();
    expect(sent).toBe(1);
    await sleep(250);
    expect(sent).toBe(2);
    await sleep(250);
    expect(sent).toBe(2);
    k.request();
    expect(sent).toBe(3);
    k.request();
    k.close();
    await sleep(250);
    expect(sent).toBe(3);
  });
});
