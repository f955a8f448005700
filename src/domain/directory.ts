import { Ajv } from 'ajv';
import directorySchema from '../../schemas/directory.schema.json' with { type: 'json' };
import { Rejection } from './rejection.js';

/** Who exists: the shapes of the directory file (schemas/directory.schema.json) after defaults. */
export interface OrgLimits {
  maxParticipantsPerMeeting: number;
  invitesPerMinute: number;
  /** New meetings (CreateVideoConference, CreateScheduleConference) one app may make per rolling hour / day. */
  createsPerAppPerHour: number;
  createsPerAppPerDay: number;
}

export interface Org {
  corpId: string;
  name: string;
  disabled: boolean;
  limits: OrgLimits;
  /** Admin single sign-on (docs/sign-in.md); absent = off. */
  sso?: OrgSso;
}

export interface OrgSso {
  secret: string;
  /** Prefixes a redirect_uri of /oauth2/sso must start with. */
  redirectUris: string[];
}

export interface DirectoryUser {
  corpId: string;
  unionId: string;
  userId: string;
  name: string;
  canCreateMeetings: boolean;
  /** Web sign-in password as `scrypt$N$r$p$salt$hash` (src/domain/passwords.ts); absent = no password sign-in. */
  passwordHash?: string;
  /** An administrator of the organization (admin SSO, GetSsoUserInfo). */
  admin?: boolean;
}

export interface App {
  appKey: string;
  corpId: string;
  appSecret: string;
  scopes: string[];
  /** Where conference events of the app's organization are POSTed (docs/events.md). */
  eventCallback?: EventCallback;
  /** Events go to the app's Stream-mode connection instead (docs/events.md). */
  eventStream?: { events?: string[] };
  /** Prefixes a redirect_uri of /oauth2/auth must start with (DingTalk OAuth 2.0 of users); absent = off. */
  redirectUris?: string[];
}

export interface EventCallback {
  url: string;
  /** Key of the HMAC-SHA256 signature of each delivery (vconf's own signature). */
  secret?: string;
  /** DingTalk's callback encryption instead of the signature: EncodingAESKey and token. */
  aesKey?: string;
  token?: string;
  /** Event types to deliver; absent = all. */
  events?: string[];
}

export interface Suite {
  suiteKey: string;
  suiteSecret: string;
  suiteTicket: string;
  scopes: string[];
  authorizedCorpIds: string[];
}

export interface DirectoryDocument {
  orgs: Array<Org & { users: DirectoryUser[]; apps: App[] }>;
  suites: Suite[];
}

export const DEFAULT_LIMITS: OrgLimits = { maxParticipantsPerMeeting: 100, invitesPerMinute: 600, createsPerAppPerHour: 1000, createsPerAppPerDay: 10000 };

export const SCOPE_WRITE = 'VideoConference.Conference.Write';
export const SCOPE_READ = 'VideoConference.Conference.Read';

const validate = new Ajv({ allErrors: true, strict: false }).compile(directorySchema);

interface RawOrg {
  corpId: string;
  name: string;
  disabled?: boolean;
  limits?: Partial<OrgLimits>;
  sso?: OrgSso;
  users?: Array<{ unionId: string; userId?: string; name: string; canCreateMeetings?: boolean; passwordHash?: string; admin?: boolean }>;
  apps?: Array<{ appKey: string; appSecret: string; scopes: string[]; eventCallback?: EventCallback; eventStream?: { events?: string[] }; redirectUris?: string[] }>;
}

interface RawDirectory {
  orgs?: RawOrg[];
  suites?: Array<Omit<Suite, 'authorizedCorpIds'> & { authorizedCorpIds?: string[] }>;
}

/** Validates a parsed directory file and fills in defaults; rejects with every problem found. */
export function parseDirectory(input: unknown): DirectoryDocument {
  if (!validate(input)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
    throw new Rejection('invalidParams', problems.join('; '));
  }
  const raw = input as RawDirectory;
  const orgs = (raw.orgs ?? []).map((o) => ({
    corpId: o.corpId,
    name: o.name,
    disabled: o.disabled ?? false,
    limits: { ...DEFAULT_LIMITS, ...o.limits },
    ...(o.sso ? { sso: o.sso } : {}),
    users: (o.users ?? []).map((u) => ({
      corpId: o.corpId,
      unionId: u.unionId,
      userId: u.userId ?? u.unionId,
      name: u.name,
      canCreateMeetings: u.canCreateMeetings ?? true,
      ...(u.passwordHash ? { passwordHash: u.passwordHash } : {}),
      ...(u.admin ? { admin: true } : {}),
    })),
    apps: (o.apps ?? []).map((a) => ({
      appKey: a.appKey,
      corpId: o.corpId,
      appSecret: a.appSecret,
      scopes: a.scopes,
      ...(a.eventCallback ? { eventCallback: a.eventCallback } : {}),
      ...(a.eventStream ? { eventStream: a.eventStream } : {}),
      ...(a.redirectUris ? { redirectUris: a.redirectUris } : {}),
    })),
  }));
  const suites = (raw.suites ?? []).map((s) => ({ ...s, authorizedCorpIds: s.authorizedCorpIds ?? [] }));
  assertUnique(orgs.map((o) => o.corpId), 'corpId');
  assertUnique(orgs.flatMap((o) => o.apps.map((a) => a.appKey)), 'appKey');
  assertUnique(suites.map((s) => s.suiteKey), 'suiteKey');
  for (const org of orgs) assertUnique(org.users.map((u) => u.unionId), `unionId in ${org.corpId}`);
  return { orgs, suites };
}

function assertUnique(values: string[], what: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new Rejection('invalidParams', `duplicate ${what} "${v}"`);
    seen.add(v);
  }
}
