/** Shared by the hostile tests: meetings through the official SDK, and raw admissions. */
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import type { TestServer } from '../support/server.js';

export async function acmeToken(server: TestServer): Promise<string> {
  return appToken(server.endpoint, 'acme-app', 's3cret');
}

export async function createMeeting(server: TestServer, token: string, title = 'Hostile') {
  const res = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
    new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title }),
    confHeaders(token),
    runtime(),
  );
  return res.body!;
}

/** POST /api/admit with any headers (cookies, X-Forwarded-For). */
export async function admitRaw(server: TestServer, body: object, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/api/admit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    setCookie,
    device: /vconf_device=[^;]+/.exec(setCookie)?.[0] ?? headers.cookie ?? '',
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
