/**
 * Issue 13: the directory decides per app how events arrive — signed callback, DingTalk-encrypted
 * callback or Stream mode, one of them — and marks administrators, SSO and OAuth redirect URIs.
 */
import { describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';

const AES_KEY = 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7';

function withApp(app: Record<string, unknown>, org: Record<string, unknown> = {}) {
  return { orgs: [{ corpId: 'c1', name: 'C', users: [{ unionId: 'u1', name: 'U', admin: true }], apps: [{ appKey: 'a1', appSecret: 's', scopes: [], ...app }], ...org }] };
}

const problem = (doc: unknown) => {
  try {
    parseDirectory(doc);
  } catch (err) {
    return String((err as Error).message);
  }
  return undefined;
};

describe('event delivery in the directory', () => {
  it('takes a signed callback, an encrypted callback, or Stream mode', () => {
    expect(problem(withApp({ eventCallback: { url: 'https://x.example/cb', secret: 'sixteen-chars-secret' } }))).toBeUndefined();
    const enc = parseDirectory(withApp({ eventCallback: { url: 'https://x.example/cb', aesKey: AES_KEY, token: 't' } }));
    expect(enc.orgs[0]!.apps[0]!.eventCallback).toEqual({ url: 'https://x.example/cb', aesKey: AES_KEY, token: 't' });
    const stream = parseDirectory(withApp({ eventStream: { events: ['meeting_status_change'] } }));
    expect(stream.orgs[0]!.apps[0]!.eventStream).toEqual({ events: ['meeting_status_change'] });
  });

  it('refuses a callback with both kinds of keys, or neither, a bad aesKey, and an app with both channels', () => {
    expect(problem(withApp({ eventCallback: { url: 'https://x.example/cb', secret: 'sixteen-chars-secret', aesKey: AES_KEY, token: 't' } }))).toBeDefined();
    expect(problem(withApp({ eventCallback: { url: 'https://x.example/cb' } }))).toBeDefined();
    expect(problem(withApp({ eventCallback: { url: 'https://x.example/cb', aesKey: AES_KEY } }))).toBeDefined();
    expect(problem(withApp({ eventCallback: { url: 'https://x.example/cb', aesKey: 'short', token: 't' } }))).toBeDefined();
    expect(problem(withApp({ eventCallback: { url: 'https://x.example/cb', secret: 'sixteen-chars-secret' }, eventStream: {} }))).toBeDefined();
  });

  it('keeps admin, SSO and redirect URIs, and refuses redirect URIs without a path', () => {
    const doc = parseDirectory(withApp({ redirectUris: ['https://app.example/oauth/'] }, { sso: { secret: 'sso-secret-0123456789', redirectUris: ['https://admin.example/'] } }));
    expect(doc.orgs[0]!.users[0]!.admin).toBe(true);
    expect(doc.orgs[0]!.sso).toEqual({ secret: 'sso-secret-0123456789', redirectUris: ['https://admin.example/'] });
    expect(doc.orgs[0]!.apps[0]!.redirectUris).toEqual(['https://app.example/oauth/']);
    expect(problem(withApp({ redirectUris: ['https://app.example'] }))).toBeDefined();
  });
});
