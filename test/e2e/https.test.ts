/**
 * HTTPS served by vconf itself (--tls-cert/--tls-key), with a throwaway CA: the official SDK (trusting
 * the CA through its `ca` option) and Chromium (trusting it in its NSS database, as a user installs a
 * root) create, join and meet over https/wss; cookies are Secure; plain HTTP on the redirect port
 * answers a redirect to the HTTPS address.
 */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hashPassword } from '../../src/domain/passwords.js';
import { directory } from '../support/fixtures.js';
import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime, sdkError, type SdkTransport } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { chromiumHomeTrusting, makeTestPki, type TestPki } from '../support/tls.js';
import { enterRoom, eventually, expectMediaFromOthers } from './support/room.js';

const ready = await requires(import.meta.url, 'chromium', 'tool:openssl', 'tool:certutil');

describe.skipIf(!ready)('HTTPS without a proxy', () => {
  let pki: TestPki;
  let server: TestServer;
  let tls: SdkTransport;
  let browser: Browser | undefined;
  let home: string | undefined;

  beforeAll(async () => {
    pki = makeTestPki();
    tls = { protocol: 'https', ca: pki.caPem };
    // The standard directory, with a web sign-in password for uA1.
    const doc = structuredClone(directory) as { orgs: Array<{ users?: Array<{ unionId: string; passwordHash?: string }> }> };
    for (const org of doc.orgs) for (const u of org.users ?? []) if (u.unionId === 'uA1') u.passwordHash = hashPassword('alice-password');
    server = await startTestServer({ directory: doc, config: { tls: { certFile: pki.certFile, keyFile: pki.keyFile, redirectPort: 0 } } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    pki?.remove();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('serves the API over HTTPS to the official SDK trusting the test CA; join links are https', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const token = await appToken(server.endpoint, 'acme-app', 's3cret', tls);
    const res = await conferenceClient(server.endpoint, tls).createVideoConferenceWithOptions(
      new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Over TLS' }),
      confHeaders(token),
      runtime(),
    );
    expect(res.body!.externalLinkUrl).toMatch(new RegExp(`^${server.url}/app\\?`));
    // The SDK without the CA refuses the server: the certificate really is checked.
    const err = await sdkError(appToken(server.endpoint, 'acme-app', 's3cret', { protocol: 'https', ca: '' }));
    expect(String((err as unknown as Error).message)).toMatch(/certificate/i);
  });

  it('signs in over HTTPS with a Secure, HttpOnly session cookie', async () => {
    const url = new URL(`${server.url}/api/signin`);
    const setCookie = await new Promise<string[]>((resolve, reject) => {
      const req = httpsRequest(url, { method: 'POST', ca: pki.caPem, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        expect(res.statusCode).toBe(200);
        resolve(res.headers['set-cookie'] ?? []);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ unionId: 'uA1', password: 'alice-password' }));
    });
    const session = setCookie.find((c) => c.startsWith('vconf_session='));
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
  });

  it('answers plain HTTP on the redirect port with a redirect to the same path over HTTPS', async () => {
    const redirect = new URL(server.running.redirectUrl!);
    const ask = (method: string, path: string) =>
      new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
        const req = request({ host: redirect.hostname, port: redirect.port, method, path, headers: { host: `127.0.0.1:${redirect.port}` } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, location: res.headers.location });
        });
        req.on('error', reject);
        req.end();
      });
    expect(await ask('GET', '/join?roomCode=123')).toEqual({ status: 301, location: `${server.url}/join?roomCode=123` });
    expect(await ask('POST', '/v1.0/oauth2/accessToken')).toEqual({ status: 308, location: `${server.url}/v1.0/oauth2/accessToken` });
  });

  it('Chromium trusting the CA meets over https and wss, with Secure cookies and media both ways', async () => {
    // Control: a Chromium whose HOME does not trust the CA refuses the server.
    const untrusting = await launchBrowser({ env: { ...process.env, HOME: pki.dir } as Record<string, string> });
    try {
      const page = await untrusting.newPage();
      await expect(page.goto(`${server.url}/join`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await untrusting.close();
    }
    home = chromiumHomeTrusting(pki.caFile);
    browser = await launchBrowser({ env: { ...process.env, HOME: home } as Record<string, string> });
    const token = await appToken(server.endpoint, 'acme-app', 's3cret', tls);
    const m = (
      await conferenceClient(server.endpoint, tls).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Secure room' }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    const people = await Promise.all([newParticipant(browser), newParticipant(browser)]);
    for (const [i, { page }] of people.entries()) {
      // A certificate Chromium did not trust would fail this navigation (net::ERR_CERT_AUTHORITY_INVALID).
      await page.goto(m.externalLinkUrl!);
      await enterRoom(page, `Person ${i + 1}`);
    }
    for (const { page } of people) {
      expect(await eventually(() => page.evaluate(() => (window as unknown as { __vconf: { connection(): string } }).__vconf.connection()), (c) => c === 'live')).toBe('live');
      expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
      await expectMediaFromOthers(page, 1);
    }
    const cookies = await people[0]!.context.cookies(server.url);
    const device = cookies.find((c) => c.name === 'vconf_device');
    expect(device).toMatchObject({ secure: true, httpOnly: true });
  });
});
