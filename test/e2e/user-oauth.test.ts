/**
 * Issue 13 §3 in real Chromium: DingTalk OAuth 2.0 for users with vconf's sign-in page as the
 * authorization endpoint. An app sends the browser to /oauth2/auth; the user signs in on vconf's
 * page; the browser lands on the app's redirect_uri with an authCode, which the official SDK trades
 * for a user access token and refresh token (GetUserToken), then reads GetPersonalAuthRule.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/domain/passwords.js';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { directory } from '../support/fixtures.js';
import { $oauth2, oauthClient, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { requires } from '../support/requirements.js';

const ready = await requires(import.meta.url, 'chromium');

describe.skipIf(!ready)('DingTalk OAuth 2.0 for users in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let app: Server;
  let appUrl = '';

  beforeAll(async () => {
    // The app's own page, where the browser comes back with the code.
    app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p data-testid="app-landing">signed in</p>'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    const doc = structuredClone(directory) as unknown as { orgs: Array<{ corpId: string; users: Array<Record<string, unknown>>; apps: Array<Record<string, unknown>> }> };
    const acme = doc.orgs.find((o) => o.corpId === 'dingacme')!;
    acme.users = acme.users.map((u) => (u.unionId === 'uA2' ? { ...u, passwordHash: hashPassword('bob-password') } : u));
    acme.apps = acme.apps.map((a) => (a.appKey === 'acme-app' ? { ...a, redirectUris: [appUrl] } : a));
    server = await startTestServer({ directory: doc });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => app?.close(resolve));
  });

  it('signs in on vconf’s page, comes back with an authCode, and the SDK gets a user token for it', async () => {
    const { page, context } = await newParticipant(browser);
    try {
      const redirect = `${appUrl}oauth/callback`;
      await page.goto(`${server.url}/oauth2/auth?client_id=acme-app&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&scope=openid&state=e2e-1&prompt=consent`);
      await page.getByTestId('page-signin').waitFor({ timeout: 15_000 });
      await page.getByTestId('signin-user').fill('uA2');
      await page.getByTestId('signin-password').fill('bob-password');
      await page.getByTestId('signin-button').click();
      await page.getByTestId('app-landing').waitFor({ timeout: 15_000 });
      const landed = new URL(page.url());
      expect(`${landed.origin}${landed.pathname}`).toBe(redirect);
      expect(landed.searchParams.get('state')).toBe('e2e-1');
      const authCode = landed.searchParams.get('authCode')!;
      expect(authCode).toBeTruthy();

      const sdk = oauthClient(server.endpoint);
      const token = (await sdk.getUserToken(new $oauth2.GetUserTokenRequest({ clientId: 'acme-app', clientSecret: 's3cret', code: authCode, grantType: 'authorization_code' }))).body!;
      expect(token).toMatchObject({ corpId: 'dingacme', expireIn: 7200 });
      expect(token.accessToken).toMatch(/^[0-9a-f]{32}$/);
      expect(token.refreshToken).toBeTruthy();
      const rule = (await sdk.getPersonalAuthRuleWithOptions(new $oauth2.GetPersonalAuthRuleHeaders({ xAcsDingtalkAccessToken: token.accessToken }), runtime())).body!;
      expect(rule.result).toEqual([{ resource: 'acme-app', authItems: ['openid'] }]);

      // Signed in now: a second authorization goes straight back to the app.
      await page.goto(`${server.url}/oauth2/auth?client_id=acme-app&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&scope=openid&state=e2e-2`);
      await page.getByTestId('app-landing').waitFor({ timeout: 15_000 });
      expect(new URL(page.url()).searchParams.get('state')).toBe('e2e-2');
    } finally {
      await context.close();
    }
  });
});
