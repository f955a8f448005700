import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RTP_EXTENSION_URI, RtpHeader, RtpPacket, SrtpSession } from 'werift';
import { absSendTimeOf, headerLength, ntpTimestampOf, planExtensions, writeRtpHeader } from '../../src/rtc/sfu/rtp-header.js';
import { SrtpProtector } from '../../src/rtc/sfu/srtp-protect.js';

const URIS = [RTP_EXTENSION_URI.sdesMid, RTP_EXTENSION_URI.absSendTime, RTP_EXTENSION_URI.transportWideCC, RTP_EXTENSION_URI.audioLevelIndication, RTP_EXTENSION_URI.sdesRTPStreamID];

const negotiatedArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 14 }), { maxLength: 5 })
  .chain((ids) => fc.tuple(fc.constant(ids), fc.shuffledSubarray(URIS, { minLength: ids.length, maxLength: ids.length })))
  .map(([ids, uris]) => ids.map((id, i) => ({ id, uri: uris[i]! })));

describe('RTP header writer', () => {
  it('writes headers werift reads back: fields, CSRCs, mid / abs-send-time / transport-wide extensions, payload after it', () => {
    fc.assert(
      fc.property(
        fc.record({
          marker: fc.boolean(),
          payloadType: fc.integer({ min: 0, max: 127 }),
          seq: fc.integer({ min: 0, max: 0xffff }),
          ts: fc.integer({ min: 0, max: 0xffffffff }),
          ssrc: fc.integer({ min: 0, max: 0xffffffff }),
          csrc: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
          negotiated: negotiatedArb,
          mid: fc.string({ minLength: 1, maxLength: 16, unit: fc.constantFrom('0', '1', 'a', 'z', '-') }),
          abs: fc.integer({ min: 0, max: 0xffffff }),
          wide: fc.integer({ min: 0, max: 0xffff }),
          payload: fc.uint8Array({ maxLength: 64 }),
        }),
        (c) => {
          const plan = planExtensions(c.negotiated, { mid: c.mid })!;
          const length = headerLength(c.csrc.length, plan);
          const datagram = Buffer.alloc(length + c.payload.length);
          expect(writeRtpHeader(datagram, c.marker, c.payloadType, c.seq, c.ts, c.ssrc, c.csrc, plan, c.abs, c.wide)).toBe(length);
          Buffer.from(c.payload).copy(datagram, length);
          const read = RtpPacket.deSerialize(datagram);
          const h = read.header;
          expect([h.version, h.padding, h.marker, h.payloadType, h.sequenceNumber, h.timestamp, h.ssrc]).toEqual([2, false, c.marker, c.payloadType, c.seq, c.ts, c.ssrc]);
          expect(h.csrc).toEqual(c.csrc);
          expect(h.payloadOffset).toBe(length);
          expect(Buffer.from(read.payload)).toEqual(Buffer.from(c.payload));
          const expected = c.negotiated
            .flatMap(({ id, uri }) => {
              if (uri === RTP_EXTENSION_URI.sdesMid) return [{ id, payload: Buffer.from(c.mid) }];
              if (uri === RTP_EXTENSION_URI.absSendTime) return [{ id, payload: Buffer.from([c.abs >> 16, (c.abs >> 8) & 0xff, c.abs & 0xff]) }];
              if (uri === RTP_EXTENSION_URI.transportWideCC) return [{ id, payload: Buffer.from([c.wide >> 8, c.wide & 0xff]) }];
              return []; // werift's sender writes nothing for the others either (no stream id on a forwarding sender)
            })
            .sort((a, b) => a.id - b.id);
          expect(h.extension).toBe(expected.length > 0);
          expect(h.extensions.map((e) => ({ id: e.id, payload: Buffer.from(e.payload) }))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves what the one-byte form cannot carry to werift (an id above 14)', () => {
    expect(planExtensions([{ id: 15, uri: RTP_EXTENSION_URI.sdesMid }], { mid: '0' })).toBeUndefined();
    expect(planExtensions([{ id: 3, uri: RTP_EXTENSION_URI.sdesMid }], { mid: 'x'.repeat(17) })).toBeUndefined();
    expect(planExtensions([], { mid: '0' })?.block.length).toBe(0);
  });

  it('abs-send-time is NTP time in 6.18 fixed point: 2^18 per second, wrapping every 64 s, with sub-ms steps', () => {
    const t = Date.UTC(2026, 11, 7, 12, 0, 0);
    expect((absSendTimeOf(t + 1000) - absSendTimeOf(t) + 0x1000000) % 0x1000000).toBe(262_144);
    expect((absSendTimeOf(t + 64_000) - absSendTimeOf(t) + 0x1000000) % 0x1000000).toBe(0);
    const step = (absSendTimeOf(t + 0.5) - absSendTimeOf(t) + 0x1000000) % 0x1000000;
    expect(step).toBeGreaterThanOrEqual(130);
    expect(step).toBeLessThanOrEqual(132);
  });

  it('NTP timestamps count seconds since 1900 with a binary fraction', () => {
    const ntp = ntpTimestampOf(Date.UTC(2026, 0, 1) + 250);
    expect(Number(ntp >> 32n)).toBe(Date.UTC(2026, 0, 1) / 1000 + 2_208_988_800);
    expect(Number(ntp & 0xffffffffn)).toBe(2 ** 30);
  });
});

describe('SRTP protection', () => {
  for (const [name, profile, saltLength] of [
    ['AEAD_AES_128_GCM', ProtectionProfileAeadAes128Gcm, 12],
    ['AES_CM_128_HMAC_SHA1_80', ProtectionProfileAes128CmHmacSha1_80, 14],
  ] as const) {
    it(`${name}: the same bytes as werift's encryption, across the sequence wrap, and werift's receiver decrypts them`, () => {
      const local = { key: randomBytes(16), salt: randomBytes(saltLength) };
      const remote = { key: randomBytes(16), salt: randomBytes(saltLength) };
      const session = (a: typeof local, b: typeof local) =>
        new SrtpSession({ profile, keys: { localMasterKey: a.key, localMasterSalt: a.salt, remoteMasterKey: b.key, remoteMasterSalt: b.salt } });
      const ours = SrtpProtector.for(session(local, remote).localContext)!;
      const werift = session(local, remote);
      const receiver = session(remote, local);
      const plan = planExtensions([{ id: 1, uri: RTP_EXTENSION_URI.sdesMid }, { id: 3, uri: RTP_EXTENSION_URI.absSendTime }], { mid: '2' })!;
      for (const [i, seq] of [65533, 65534, 65535, 0, 1, 2].entries()) {
        const payload = randomBytes(100 + i * 150);
        const length = headerLength(0, plan);
        const datagram = Buffer.alloc(length + payload.length + ours.tagLength);
        writeRtpHeader(datagram, i % 2 === 0, 96, seq, 1000 * i, 0x1234abcd, [], plan, 777 * i, 0);
        const header = RtpHeader.deSerialize(datagram.subarray(0, length));
        ours.protect(datagram, length, payload, 0x1234abcd, seq);
        expect(datagram).toEqual(werift.encrypt(payload, header));
        const plain = receiver.decrypt(datagram);
        expect(plain.subarray(length)).toEqual(payload);
      }
      // The rollover counter moved on at the wrap, as werift's did.
      expect(ours.context.getSrtpSsrcState(0x1234abcd).rolloverCounter).toBe(1);
    });
  }
});
