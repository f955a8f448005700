import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, type SrtpSession } from 'werift';

/** werift's sending SRTP context of one DTLS transport (session keys, per-SSRC rollover counters). */
export type SrtpLocalContext = SrtpSession['localContext'];

/**
 * SRTP protection (RFC 3711, and AES-GCM of RFC 7714) of a packet whose header is already written
 * into its datagram: the encrypted payload and the tag go right after it, so a packet costs one
 * datagram buffer instead of werift's header, payload and tag buffers and their concatenation.
 * Keys and rollover counters are werift's own (its context), so werift's retransmissions and this
 * path stay in step. AES-GCM is what werift prefers and the cheapest here (one cipher setup, no
 * separate HMAC); for AES-CM the HMAC key's padded blocks are hashed once and the hash state copied
 * per packet instead of keying a new HMAC each time.
 */
export abstract class SrtpProtector {
  abstract readonly tagLength: number;

  constructor(readonly context: SrtpLocalContext) {}

  /** A protector for werift's context, or undefined for a profile this path does not know. */
  static for(context: SrtpLocalContext): SrtpProtector | undefined {
    if (context.profile === ProtectionProfileAeadAes128Gcm) return new GcmProtector(context);
    if (context.profile === ProtectionProfileAes128CmHmacSha1_80) return new CmHmacProtector(context);
    return undefined;
  }

  /**
   * Protects in place: `out` holds the header in [0, headerLength) and has room for the payload and
   * the tag after it (exactly: the datagram is `out`).
   */
  protect(out: Buffer, headerLength: number, payload: Buffer, ssrc: number, sequenceNumber: number): void {
    const state = this.context.getSrtpSsrcState(ssrc);
    this.context.updateRolloverCount(sequenceNumber, state);
    this.seal(out, headerLength, payload, ssrc, sequenceNumber, state.rolloverCounter);
  }

  protected abstract seal(out: Buffer, headerLength: number, payload: Buffer, ssrc: number, sequenceNumber: number, roc: number): void;
}

class GcmProtector extends SrtpProtector {
  readonly tagLength = 16;
  private readonly key: Buffer;
  private readonly salt: Buffer;
  // createCipheriv copies the IV, so one scratch buffer serves every packet.
  private readonly iv = Buffer.alloc(12);

  constructor(context: SrtpLocalContext) {
    super(context);
    this.key = context.srtpSessionKey;
    this.salt = context.srtpSessionSalt;
  }

  protected seal(out: Buffer, headerLength: number, payload: Buffer, ssrc: number, sequenceNumber: number, roc: number): void {
    // RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt.
    const iv = this.iv;
    const salt = this.salt;
    iv[0] = salt[0]!;
    iv[1] = salt[1]!;
    iv.writeUInt32BE(((ssrc ^ salt.readUInt32BE(2)) >>> 0), 2);
    iv.writeUInt32BE(((roc ^ salt.readUInt32BE(6)) >>> 0), 6);
    iv.writeUInt16BE((sequenceNumber ^ salt.readUInt16BE(10)) & 0xffff, 10);
    const cipher = createCipheriv('aes-128-gcm', this.key, iv);
    cipher.setAAD(out.subarray(0, headerLength));
    const encrypted = cipher.update(payload);
    encrypted.copy(out, headerLength);
    cipher.final();
    cipher.getAuthTag().copy(out, headerLength + encrypted.length);
  }
}

class CmHmacProtector extends SrtpProtector {
  readonly tagLength = 10;
  private readonly key: Buffer;
  private readonly salt: Buffer;
  private readonly counter = Buffer.alloc(16);
  private readonly roc = Buffer.alloc(4);
  /** SHA-1 states after the HMAC key's inner and outer padded blocks (RFC 2104). */
  private readonly inner: Hash;
  private readonly outer: Hash;

  constructor(context: SrtpLocalContext) {
    super(context);
    this.key = context.srtpSessionKey;
    this.salt = context.srtpSessionSalt;
    const authKey = context.srtpSessionAuthTag;
    const pad = (byte: number) => {
      const block = Buffer.alloc(64, byte);
      for (let i = 0; i < authKey.length; i++) block[i]! ^= authKey[i]!;
      return block;
    };
    this.inner = createHash('sha1').update(pad(0x36));
    this.outer = createHash('sha1').update(pad(0x5c));
  }

  protected seal(out: Buffer, headerLength: number, payload: Buffer, ssrc: number, sequenceNumber: number, roc: number): void {
    // RFC 3711 §4.1.1: IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
    const counter = this.counter;
    counter.fill(0);
    counter.writeUInt32BE(ssrc >>> 0, 4);
    counter.writeUInt32BE(roc >>> 0, 8);
    counter.writeUInt16BE(sequenceNumber & 0xffff, 12);
    for (let i = 0; i < this.salt.length; i++) counter[i]! ^= this.salt[i]!;
    const encrypted = createCipheriv('aes-128-ctr', this.key, counter).update(payload);
    encrypted.copy(out, headerLength);
    // RFC 3711 §4.2: tag = HMAC-SHA1(header || encrypted payload || ROC), first 80 bits.
    const end = headerLength + encrypted.length;
    this.roc.writeUInt32BE(roc >>> 0, 0);
    const innerDigest = this.inner.copy().update(out.subarray(0, end)).update(this.roc).digest();
    this.outer.copy().update(innerDigest).digest().copy(out, end, 0, this.tagLength);
  }
}
