import type { OutgoingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { App, DirectoryDocument } from '../domain/directory.js';
import { CallbackCrypto, CallbackCryptoError } from './callback-crypto.js';
import { KeepAlivePoster } from './http-post.js';

/**
 * A POST of DingTalk's encrypted callbacks: `msg_signature`, `timeStamp` and `nonce` in the query
 * (also as `signature` and `timestamp`, the names DingTalk's samples read as well), the body
 * `{"encrypt": "…"}`.
 */
export function encryptedRequest(url: string, crypto: CallbackCrypto, plaintext: string, now: number): { url: string; body: string; headers: OutgoingHttpHeaders } {
  const sealed = crypto.seal(plaintext, String(now));
  const target = new URL(url);
  target.searchParams.set('msg_signature', sealed.msg_signature);
  target.searchParams.set('signature', sealed.msg_signature);
  target.searchParams.set('timeStamp', sealed.timeStamp);
  target.searchParams.set('timestamp', sealed.timeStamp);
  target.searchParams.set('nonce', sealed.nonce);
  const body = JSON.stringify({ encrypt: sealed.encrypt });
  return { url: target.toString(), body, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } };
}

/** The check_url handshake of one callback: null when the receiver answered the encrypted `success`. */
export async function checkUrl(app: Pick<App, 'appKey'>, url: string, aesKey: string, token: string, timeoutMs = 10_000): Promise<string | null> {
  const crypto = new CallbackCrypto(token, aesKey, app.appKey);
  const poster = new KeepAlivePoster(timeoutMs);
  try {
    const request = encryptedRequest(url, crypto, JSON.stringify({ EventType: 'check_url' }), Date.now());
    const answer = await poster.exchange(request.url, request.body, request.headers);
    if (answer.status < 200 || answer.status > 299) return `HTTP ${answer.status}`;
    return checkSuccessReply(crypto, answer.body);
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    poster.close();
  }
}

/**
 * Registering an encrypted callback: before a directory is applied, every encrypted callback that
 * is new or changed (URL, aesKey or token) must pass the check_url handshake, as DingTalk checks a
 * callback before saving it. Throws naming the apps that failed; nothing is applied then.
 */
export async function checkNewCallbacks(
  doc: DirectoryDocument,
  current: (appKey: string) => Promise<App | undefined>,
  logger?: Logger,
): Promise<void> {
  const failures: string[] = [];
  for (const app of doc.orgs.flatMap((o) => o.apps)) {
    const cb = app.eventCallback;
    if (!cb?.aesKey || !cb.token) continue;
    const before = (await current(app.appKey))?.eventCallback;
    if (before && before.url === cb.url && before.aesKey === cb.aesKey && before.token === cb.token) continue;
    const problem = await checkUrl(app, cb.url, cb.aesKey, cb.token);
    if (problem) failures.push(`app ${app.appKey}: check_url at ${cb.url} failed: ${problem}`);
    else logger?.info({ appKey: app.appKey, url: cb.url }, 'encrypted event callback passed check_url');
  }
  if (failures.length > 0) throw new CheckUrlFailed(failures.join('; '));
}

export class CheckUrlFailed extends Error {
  override name = 'CheckUrlFailed';
}

/** null when `body` is the encrypted `success` DingTalk's receivers answer, else what is wrong with it. */
export function checkSuccessReply(crypto: CallbackCrypto, body: string): string | null {
  let reply: unknown;
  try {
    reply = JSON.parse(body);
  } catch {
    return 'the answer is not the encrypted success reply (not JSON)';
  }
  try {
    const text = crypto.open(reply as Parameters<CallbackCrypto['open']>[0]);
    return text === 'success' ? null : `the encrypted answer is ${JSON.stringify(text.slice(0, 40))}, not "success"`;
  } catch (err) {
    if (err instanceof CallbackCryptoError) return `the answer is not the encrypted success reply (${err.message})`;
    throw err;
  }
}

