import type { DirectoryDocument } from '../domain/directory.js';
import { DEFAULT_LIMITS, SCOPE_READ, SCOPE_WRITE } from '../domain/directory.js';
import { randomToken } from '../domain/secrets.js';
import type { DirectoryRepository } from '../domain/ports/index.js';

export const DEMO_CORP_ID = 'dingdemo';
export const DEMO_APP_KEY = 'dingdemo-app';

export interface DemoCredentials {
  corpId: string;
  appKey: string;
  appSecret: string;
  users: Array<{ unionId: string; name: string }>;
}

/** The demo organization a fresh install starts with: three people and one internal app. */
export function demoDirectory(): DirectoryDocument {
  const users = [
    { unionId: 'demo-alice', name: 'Alice' },
    { unionId: 'demo-bob', name: 'Bob' },
    { unionId: 'demo-carol', name: 'Carol' },
  ];
  return {
    orgs: [
      {
        corpId: DEMO_CORP_ID,
        name: 'vconf demo',
        disabled: false,
        limits: { ...DEFAULT_LIMITS },
        users: users.map((u) => ({ ...u, corpId: DEMO_CORP_ID, userId: u.unionId, canCreateMeetings: true })),
        apps: [{ appKey: DEMO_APP_KEY, corpId: DEMO_CORP_ID, appSecret: randomToken(24), scopes: [SCOPE_WRITE, SCOPE_READ] }],
      },
    ],
    suites: [],
  };
}

/** Reads the demo organization back, if this data directory has one. */
export async function demoCredentials(directory: DirectoryRepository): Promise<DemoCredentials | undefined> {
  const app = await directory.findApp(DEMO_APP_KEY);
  if (!app) return undefined;
  const users = await directory.findUsers(['demo-alice', 'demo-bob', 'demo-carol']);
  return { corpId: app.corpId, appKey: app.appKey, appSecret: app.appSecret, users: users.map((u) => ({ unionId: u.unionId, name: u.name })) };
}

/**
 * What a new user reads on first start: credentials and a copy-paste meeting. The SDK is
 * CommonJS: from an ES module its default import is the whole module (client class at .default).
 */
export function demoBanner(demo: DemoCredentials, baseUrl: string): string {
  const endpoint = new URL(baseUrl).host;
  const [alice, bob] = demo.users;
  return `
vconf demo organization "${demo.corpId}"
  appKey     ${demo.appKey}
  appSecret  ${demo.appSecret}
  users      ${demo.users.map((u) => `${u.unionId} (${u.name})`).join(', ')}

Create a meeting with curl:
  TOKEN=$(curl -s ${baseUrl}/v1.0/oauth2/accessToken -H 'content-type: application/json' \\
    -d '{"appKey":"${demo.appKey}","appSecret":"${demo.appSecret}"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')
  curl -s ${baseUrl}/v1.0/conference/videoConferences -H 'content-type: application/json' \\
    -H "x-acs-dingtalk-access-token: $TOKEN" \\
    -d '{"userId":"${alice?.unionId}","confTitle":"First vconf meeting","inviteUserIds":["${bob?.unionId}"]}'

Or with DingTalk's official Node SDK (npm i @alicloud/dingtalk @alicloud/openapi-client @alicloud/tea-util):
  import conference from '@alicloud/dingtalk/conference_1_0.js';
  import * as $OpenApi from '@alicloud/openapi-client';
  import * as $Util from '@alicloud/tea-util';
  const client = new conference.default(new $OpenApi.Config({ protocol: 'http', endpoint: '${endpoint}' }));
  const headers = new conference.CreateVideoConferenceHeaders({ xAcsDingtalkAccessToken: '<accessToken>' });
  const request = new conference.CreateVideoConferenceRequest({ userId: '${alice?.unionId}', confTitle: 'First vconf meeting' });
  const { body } = await client.createVideoConferenceWithOptions(request, headers, new $Util.RuntimeOptions({}));
  console.log(body.externalLinkUrl);
`;
}
