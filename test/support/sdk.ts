/** DingTalk's official Node SDK, pointed at a vconf under test. */
import { createRequire } from 'node:module';

// The SDK is CommonJS; require() gives the same module object under Node and under vitest.
const require = createRequire(import.meta.url);
export const $conference = require('@alicloud/dingtalk/conference_1_0') as typeof import('@alicloud/dingtalk/dist/conference_1_0/client.js');
export const $oauth2 = require('@alicloud/dingtalk/oauth2_1_0') as typeof import('@alicloud/dingtalk/dist/oauth2_1_0/client.js');
const $OpenApi = require('@alicloud/openapi-client') as typeof import('@alicloud/openapi-client');
const $Util = require('@alicloud/tea-util') as typeof import('@alicloud/tea-util');

/** How the SDK reaches vconf: plain HTTP (the default), or HTTPS trusting `ca` (PEM), the SDK's own `ca` option. */
export type SdkTransport = { protocol: 'http' } | { protocol: 'https'; ca: string };

function config(endpoint: string, transport: SdkTransport = { protocol: 'http' }) {
  return new $OpenApi.Config({ endpoint, ...transport });
}

export function conferenceClient(endpoint: string, transport?: SdkTransport) {
  return new $conference.default(config(endpoint, transport));
}

export function oauthClient(endpoint: string, transport?: SdkTransport) {
  return new $oauth2.default(config(endpoint, transport));
}

export const runtime = () => new $Util.RuntimeOptions({});
/** Runtime options for calls that may take longer than the SDK's 3 s default (media work). */
export const slowRuntime = (timeout = 20_000) => new $Util.RuntimeOptions({ readTimeout: timeout, connectTimeout: timeout });

/** GetAccessToken through the SDK. */
export async function appToken(endpoint: string, appKey: string, appSecret: string, transport?: SdkTransport): Promise<string> {
  const res = await oauthClient(endpoint, transport).getAccessToken(new $oauth2.GetAccessTokenRequest({ appKey, appSecret }));
  return res.body!.accessToken!;
}

export function confHeaders(token: string | undefined) {
  return new $conference.CreateVideoConferenceHeaders(token === undefined ? {} : { xAcsDingtalkAccessToken: token });
}

export interface SdkError {
  code: string;
  statusCode: number;
  message: string;
  data: Record<string, unknown>;
  accessDeniedDetail?: { requiredScopes?: string[] };
}

/** The error the SDK throws; fails the test when the call succeeds. */
export async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the SDK call to fail, but it succeeded');
}

/** QueryConferenceMembers' first page (128 records) through the SDK. */
export async function memberModels(endpoint: string, token: string, conferenceId: string) {
  const res = await conferenceClient(endpoint).queryConferenceMembersWithOptions(
    conferenceId,
    new $conference.QueryConferenceMembersRequest({}),
    new $conference.QueryConferenceMembersHeaders({ xAcsDingtalkAccessToken: token }),
    runtime(),
  );
  return res.body!.memberModels ?? [];
}

/** Tokens of the fixture directory's acme-app, beta-app and acme-readonly, in that order. */
export function fixtureTokens(endpoint: string): Promise<[string, string, string]> {
  return Promise.all([appToken(endpoint, 'acme-app', 's3cret'), appToken(endpoint, 'beta-app', 'b3ta'), appToken(endpoint, 'acme-readonly', 'r3ad')]);
}
