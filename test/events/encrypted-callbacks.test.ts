/**
 * Issue 13 §2: DingTalk's encrypted HTTP callbacks. The receiver here is written from DingTalk's
 * published callback algorithm (open-dingtalk/DingTalk-Callback-Crypto), independently of vconf's
 * code: it checks msg_signature, decrypts, and answers the encrypted "success". vconf registers the
 * callback with check_url, delivers events encrypted, and accepts only a proper encrypted reply.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackCrypto } from '../../src/events/callback-crypto.js';
import { directory as baseDirectory } from '../support/fixtures.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { deliveryLog, deliveryStates } from '../support/outbox-peek.js';

// DingTalk's published test vector (DingCallbackCrypto3.py of open-dingtalk/DingTalk-Callback-Crypto).
const VECTOR = {
  token: 'mryue',
  aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7',
  ownerKey: 'ding6ccabc44d2c8d38b',
  msg_signature: '03044561471240d4a14bb09372dfcfd4fd0e40cb',
  timeStamp: '1608001896814',
  nonce: 'WL4PK6yA',
  encrypt: '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3',
  plaintext: '{"EventType":"check_url"}',
};

/** The receiver's side of the algorithm, as DingTalk's samples describe it. */
class DingReceiverCrypto {
  private readonly key: Buffer;
  constructor(
    private readonly token: string,
    aesKey: string,
    private readonly ownerKey: string,
  ) {
    this.key = Buffer.from(aesKey + '=', 'base64');
  }
  sign(timeStamp: string, nonce: string, encrypt: string): string {
    return createHash('sha1').update([this.token, timeStamp, nonce, encrypt].sort().join('')).digest('hex');
  }
  decrypt(signature: string, timeStamp: string, nonce: string, encrypt: string): string {
    if (this.sign(timeStamp, nonce, encrypt) !== signature) throw new Error('signature mismatch');
    const d = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    d.setAutoPadding(false);
    const plain = Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
    const unpadded = plain.subarray(0, plain.length - plain[plain.length - 1]!);
    const n = unpadded.readUInt32BE(16);
    if (unpadded.subarray(20 + n).toString() !== this.ownerKey) throw new Error('owner key mismatch');
    return unpadded.subarray(20, 20 + n).toString();
  }
  encryptedMap(text: string): Record<string, string> {
    const msg = Buffer.from(text);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(msg.length);
    const raw = Buffer.concat([Buffer.from(randomBytes(8).toString('hex')), len, msg, Buffer.from(this.ownerKey)]);
    const pad = 32 - (raw.length % 32);
    const c = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    c.setAutoPadding(false);
    const encrypt = Buffer.concat([c.update(Buffer.concat([raw, Buffer.alloc(pad, pad)])), c.final()]).toString('base64');
    const timeStamp = String(Date.now());
    const nonce = randomBytes(8).toString('hex');
    return { msg_signature: this.sign(timeStamp, nonce, encrypt), timeStamp, nonce, encrypt };
  }
}

const TOKEN = 'acme-callback-token';
const AES_KEY = randomBytes(32).toString('base64').slice(0, 43);

type Reply = 'encrypted' | 'plain' | 'wrong-key';

/** An HTTP receiver of encrypted callbacks. */
class Receiver {
  readonly events: Array<Record<string, unknown>> = [];
  /** How the next answers are made; shifted per request, then 'encrypted'. */
  replies: Reply[] = [];
  private server: Server | undefined;
  url = '';
  constructor(private readonly crypto: DingReceiverCrypto) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const q = new URL(req.url ?? '/', 'http://x').searchParams;
        const { encrypt } = JSON.parse(body) as { encrypt: string };
        const text = this.crypto.decrypt(q.get('msg_signature') ?? '', q.get('timeStamp') ?? '', q.get('nonce') ?? '', encrypt);
        this.events.push(JSON.parse(text) as Record<string, unknown>);
        const how = this.replies.shift() ?? 'encrypted';
        const answer =
          how === 'plain'
            ? 'success'
            : JSON.stringify(how === 'wrong-key' ? new DingReceiverCrypto(TOKEN, AES_KEY, 'someone-else').encryptedMap('success') : this.crypto.encryptedMap('success'));
        res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/dingtalk/callback`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function directory(url: string) {
  const doc = structuredClone(baseDirectory) as typeof baseDirectory;
  const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
  acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' ? { ...a, eventCallback: { url, aesKey: AES_KEY, token: TOKEN } } : a));
  return doc;
}

describe('DingTalk’s published test vector', () => {
  it('decrypts and verifies with vconf’s implementation and with the receiver written here', () => {
    const vconf = new CallbackCrypto(VECTOR.token, VECTOR.aesKey, VECTOR.ownerKey);
    expect(vconf.open(VECTOR)).toBe(VECTOR.plaintext);
    expect(vconf.signature(VECTOR.timeStamp, VECTOR.nonce, VECTOR.encrypt)).toBe(VECTOR.msg_signature);
    const receiver = new DingReceiverCrypto(VECTOR.token, VECTOR.aesKey, VECTOR.ownerKey);
    expect(receiver.decrypt(VECTOR.msg_signature, VECTOR.timeStamp, VECTOR.nonce, VECTOR.encrypt)).toBe(VECTOR.plaintext);
    // What vconf seals, the receiver opens; what the receiver seals, vconf opens.
    const sealed = vconf.seal('{"EventType":"x"}');
    expect(receiver.decrypt(sealed.msg_signature, sealed.timeStamp, sealed.nonce, sealed.encrypt)).toBe('{"EventType":"x"}');
    expect(vconf.open(receiver.encryptedMap('success') as never)).toBe('success');
    expect(() => vconf.open({ ...VECTOR, nonce: 'other' })).toThrow(/signature/);
  });
});

describe('encrypted callbacks', () => {
  const receiver = new Receiver(new DingReceiverCrypto(TOKEN, AES_KEY, 'acme-app'));
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    await receiver.start();
    server = await startTestServer({ directory: directory(receiver.url), config: { eventRetryScheduleMs: [100, 200, 400], eventPollMs: 50 } });
    token = await appToken(server.endpoint, 'acme-app', 's3cret');
  });
  afterAll(async () => {
    await server?.stop();
    await receiver.stop();
  });

  async function create(): Promise<string> {
    const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
      new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Encrypted', inviteCaller: false }),
      confHeaders(token),
      runtime(),
    );
    return res.body!.conferenceId!;
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; !check(); i++) {
      if (i > 200) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('registers the callback with check_url, then delivers events the receiver decrypts', async () => {
    expect(receiver.events[0]).toEqual({ EventType: 'check_url' });
    const id = await create();
    await until(() => receiver.events.some((e) => e.BizId === id), 'conference_created');
    const event = receiver.events.find((e) => e.BizId === id)!;
    expect(event).toMatchObject({ EventType: 'meeting_status_change', changeScene: 'conference_created', CorpId: 'dingacme', statusSeqNum: 1 });
    let states = await deliveryStates(server.db, 'acme-app');
    for (let i = 0; states.get(String(event.eventId)) !== 'delivered' && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      states = await deliveryStates(server.db, 'acme-app');
    }
    expect(states.get(String(event.eventId))).toBe('delivered');
    expect((await deliveryLog(server.db, String(event.eventId))).map((l) => l.error)).toEqual([null]);
  });

  it('accepts only the encrypted success: a plain or wrongly sealed answer is retried', async () => {
    receiver.replies = ['plain', 'wrong-key'];
    const id = await create();
    await until(() => receiver.events.filter((e) => e.BizId === id).length >= 3, 'the third attempt');
    const eventId = String(receiver.events.find((e) => e.BizId === id)!.eventId);
    let log = await deliveryLog(server.db, eventId);
    for (let i = 0; log.length < 3 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      log = await deliveryLog(server.db, eventId);
    }
    expect(log.map((l) => l.error === null)).toEqual([false, false, true]);
    expect(log[0]!.error).toMatch(/not the encrypted success reply/);
    expect(log[1]!.error).toMatch(/owner key/);
  });
});

describe('registering an encrypted callback', () => {
  it('refuses to start when the receiver does not pass check_url', async () => {
    const wrong = new Receiver(new DingReceiverCrypto(TOKEN, AES_KEY, 'acme-app'));
    wrong.replies = ['plain'];
    await wrong.start();
    try {
      await expect(startTestServer({ directory: directory(wrong.url) })).rejects.toThrow(/check_url .* failed/);
    } finally {
      await wrong.stop();
    }
  });
});
