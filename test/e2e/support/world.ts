import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../../tools/chromium.js';
import { appToken } from '../../support/sdk.js';
import { startTestServer, type TestServer } from '../../support/server.js';

export interface World {
  server: TestServer;
  browser: Browser;
  /** An access token of acme-app (both conference scopes). */
  token: string;
}

/** One vconf and one Chromium for a test file. */
export async function openWorld(): Promise<World> {
  const server = await startTestServer();
  const token = await appToken(server.endpoint, 'acme-app', 's3cret');
  const browser = await launchBrowser();
  return { server, browser, token };
}

export async function closeWorld(world: Partial<World>): Promise<void> {
  await world.browser?.close();
  await world.server?.stop();
}
