import { createCipheriv, createDecipheriv, createHash, randomInt } from 'node:crypto';

/**
 * DingTalk's encryption of HTTP callbacks (docs/events.md, "Encrypted callbacks"), written from
 * the published algorithm: the key is the base64 decoding of the 43-character `aesKey` plus "=";
 * AES-256-CBC without the cipher's own padding, IV = the key's first 16 bytes; the plaintext is 16
 * random characters, the message's byte length as a big-endian uint32, the message, and the
 * owner's key (here the app's appKey), padded PKCS#7-style to a multiple of 32 bytes. The
 * signature is the SHA-1 hex of token, timeStamp, nonce and the ciphertext, sorted and joined.
 */

const BLOCK = 32;
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An encrypted message as it travels: the receiver gets these four, and answers with four of its own. */
export interface EncryptedMessage {
  msg_signature: string;
  timeStamp: string;
  nonce: string;
  encrypt: string;
}

export class CallbackCryptoError extends Error {
  override name = 'CallbackCryptoError';
}

export function randomAlphanum(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHANUM[randomInt(ALPHANUM.length)];
  return s;
}

/** Whether a string is usable as an aesKey: 43 base64 characters decoding to 32 bytes. */
export function validAesKey(aesKey: string): boolean {
  return /^[A-Za-z0-9+/]{43}$/.test(aesKey) && Buffer.from(`${aesKey}=`, 'base64').length === 32;
}

export class CallbackCrypto {
  private readonly key: Buffer;

  constructor(
    private readonly token: string,
    aesKey: string,
    /** The key the plaintext ends with: corpId, appKey or suiteKey. */
    private readonly ownerKey: string,
  ) {
    if (!validAesKey(aesKey)) throw new CallbackCryptoError('aesKey must be 43 base64 characters');
    this.key = Buffer.from(`${aesKey}=`, 'base64');
  }

  signature(timeStamp: string, nonce: string, encrypt: string): string {
    return createHash('sha1').update([this.token, timeStamp, nonce, encrypt].sort().join('')).digest('hex');
  }

  /** Encrypts and signs `plaintext`. */
  seal(plaintext: string, timeStamp: string = String(Date.now()), nonce: string = randomAlphanum(16)): EncryptedMessage {
    const message = Buffer.from(plaintext, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(message.length);
    const body = Buffer.concat([Buffer.from(randomAlphanum(16)), length, message, Buffer.from(this.ownerKey, 'utf8')]);
    const pad = BLOCK - (body.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    cipher.setAutoPadding(false);
    const encrypt = Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
    return { msg_signature: this.signature(timeStamp, nonce, encrypt), timeStamp, nonce, encrypt };
  }

  /** Checks the signature, decrypts, and checks the owner's key; throws CallbackCryptoError otherwise. */
  open(m: EncryptedMessage): string {
    if (typeof m.encrypt !== 'string' || typeof m.msg_signature !== 'string') throw new CallbackCryptoError('not an encrypted message');
    if (this.signature(String(m.timeStamp), String(m.nonce), m.encrypt) !== m.msg_signature) throw new CallbackCryptoError('signature does not match');
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(Buffer.from(m.encrypt, 'base64')), decipher.final()]);
    } catch {
      throw new CallbackCryptoError('cannot decrypt');
    }
    const pad = plain.at(-1) ?? 0;
    if (pad < 1 || pad > BLOCK || plain.length < 20 + pad) throw new CallbackCryptoError('bad padding');
    const body = plain.subarray(0, plain.length - pad);
    const length = body.readUInt32BE(16);
    if (20 + length > body.length) throw new CallbackCryptoError('bad length');
    if (body.subarray(20 + length).toString('utf8') !== this.ownerKey) throw new CallbackCryptoError('the owner key does not match');
    return body.subarray(20, 20 + length).toString('utf8');
  }
}
