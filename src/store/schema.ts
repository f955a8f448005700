import type { Generated } from 'kysely';
/**
 * Kysely table types. Booleans are written as 0/1 (SQLite cannot bind JS booleans; PostgreSQL
 * accepts 0/1 for boolean columns) and read back through `Boolean()`; ms timestamps are bigints
 * that repositories read back through `Number()`.
 */
type Flag = number | boolean;
type Millis = number | string | bigint;

export interface MetaTable {
  name: string;
  value: string;
}

export interface OrgsTable {
  corp_id: string;
  name: string;
  disabled: Flag;
  max_participants: number;
  invites_per_minute: number;
  creates_per_app_per_hour: number;
  creates_per_app_per_day: number;
  /** GetSsoAccessToken's secret and where admin SSO may send codes (JSON array); null = no SSO. */
  sso_secret?: string | null;
  sso_redirect_uris?: string | null;
}

/** What a removal bars beyond the browser (docs/security.md): kind 'union' or 'network', until when. */
export interface MeetingBarsTable {
  conference_id: string;
  kind: string;
  value: string;
  until: Millis;
}

export interface UsersTable {
  corp_id: string;
  union_id: string;
  user_id: string;
  name: string;
  can_create_meetings: Flag;
  /** scrypt hash of the web sign-in password (docs/sign-in.md); null = no password sign-in. */
  password_hash: string | null;
  /** Administrator of the organization: may use admin single sign-on (migration 013). */
  admin?: Flag;
}

export interface SigninLinksTable {
  /** SHA-256 hex of the one-time token. */
  token_hash: string;
  corp_id: string;
  union_id: string;
  expires_at: Millis;
  used_at: Millis | null;
}

export interface AppsTable {
  app_key: string;
  corp_id: string;
  app_secret: string;
  scopes: string;
  /** Conference event callback (docs/events.md); null = not subscribed. */
  event_url?: string | null;
  event_secret?: string | null;
  /** JSON array of subscribed event types; null = all. */
  event_types?: string | null;
  /** 'callback' (HTTP POST to event_url) or 'stream' (DingTalk's Stream mode); null = not subscribed. */
  event_mode?: string | null;
  /** DingTalk's callback encryption instead of vconf's signature (docs/events.md). */
  event_aes_key?: string | null;
  event_token?: string | null;
  /** JSON array of redirect URI prefixes for DingTalk OAuth 2.0 of users; null = none. */
  redirect_uris?: string | null;
}

export interface SuitesTable {
  suite_key: string;
  suite_secret: string;
  suite_ticket: string;
  scopes: string;
}

export interface SuiteAuthorizationsTable {
  suite_key: string;
  corp_id: string;
}

export interface AccessTokensTable {
  token_hash: string;
  nonce: string;
  kind: string;
  client_key: string;
  corp_id: string;
  scopes: string;
  issued_at: Millis;
  expires_at: Millis;
  /** The user of a user access token (GetUserToken); null for the other kinds. */
  union_id?: string | null;
}

export interface StreamTicketsTable {
  ticket_hash: string;
  app_key: string;
  /** JSON of the subscriptions the client asked for. */
  subscriptions: string;
  expires_at: Millis;
  used_at: Millis | null;
}

export interface OauthGrantsTable {
  /** SHA-256 hex of the code or refresh token. */
  grant_hash: string;
  /** 'code' (authorization code), 'refresh' (refresh token) or 'sso' (admin SSO code). */
  kind: string;
  /** appKey (code, refresh) or corpId (sso). */
  client_key: string;
  corp_id: string;
  union_id: string;
  /** JSON array of the granted scopes. */
  scopes: string;
  expires_at: Millis;
  used_at: Millis | null;
}

export interface CustomShortLinksTable {
  code: string;
  schedule_conference_id: string;
  corp_id: string;
  union_id: string;
  cool_app_code: string;
  biz_data: string | null;
  use_extension_app: Flag;
  created_at: Millis;
}

export interface MeetingsTable {
  conference_id: string;
  corp_id: string;
  title: string;
  status: number;
  biz_type: string;
  creator_union_id: string;
  creator_nick: string;
  room_code: string;
  /** '' while the meeting holds its room code, its conference_id once ended (migration 010). */
  room_code_released: string;
  conference_password: string;
  host_password: string;
  join_token: string;
  invite_caller: Flag;
  created_at: Millis;
  start_time: Millis | null;
  end_time: Millis | null;
  schedule_conference_id: string | null;
  /** JSON of UpdateVideoConferenceExtInfo's last body (migration 013); null = never set. */
  ext_info?: string | null;
}

export interface MeetingMembersTable {
  conference_id: string;
  member_id: string;
  union_id: string | null;
  corp_id: string | null;
  nick: string;
  host: Flag;
  co_host: Flag;
  attend_status: number;
  invited_at: Millis | null;
  join_time: Millis | null;
  leave_time: Millis | null;
  duration: Millis;
  outer_org_member: Flag;
  pstn_join: Flag;
  device_id: string | null;
  banned: Flag;
  visit_started_at: Millis | null;
}

export interface MeetingSettingsTable {
  conference_id: string;
  locked: Flag;
  mute_all: Flag;
  allow_unmute_self: Flag;
  forbidden_share_screen: Flag;
  only_internal: Flag;
  auto_transfer_host: Flag;
  focus: string | null;
  /** Migration 016; older rows read false. */
  waiting_room: Flag;
  updated_at: Millis;
}

export interface ScheduleConferencesTable {
  schedule_conference_id: string;
  corp_id: string;
  creator_union_id: string;
  creator_nick: string;
  title: string;
  start_time: Millis;
  end_time: Millis;
  room_code: string;
  join_token: string;
  conference_password: string;
  host_password: string;
  cancelled: Flag;
  /** JSON of the booking's scheduleConfSettingModel; null = none. */
  settings: string | null;
  created_at: Millis;
}

export interface EventsTable {
  event_id: string;
  conference_id: string;
  corp_id: string;
  seq: number;
  event_type: string;
  change_scene: string;
  event_time: Millis;
  /** JSON of the event's data (openConfModel or openMemberModels). */
  data: string;
}

export interface EventDeliveriesTable {
  event_id: string;
  app_key: string;
  conference_id: string;
  seq: number;
  /** pending, delivered or failed. */
  state: string;
  attempts: number;
  next_attempt_at: Millis;
  /** The instance attempting it (migration 011); null = nobody. */
  claimed_by?: string | null;
  claim_expires_at?: Millis | null;
}

export interface EventDeliveryLogTable {
  id: Generated<number>;
  event_id: string;
  app_key: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  at: Millis;
}

/** Media-quality samples (migration 014): figures is JSON of the domain's MetricFigures. */
export interface MetricSamplesTable {
  conference_id: string;
  member_id: string;
  union_id: string | null;
  at: Millis;
  quality: number;
  figures: string;
}

/** Recording files (migration 015). */
export interface CloudRecordsTable {
  media_id: string;
  record_id: string;
  conference_id: string;
  corp_id: string;
  union_id: string;
  mode: string;
  small_window_position: string;
  status: string;
  start_time: Millis;
  end_time: Millis | null;
  duration: Millis | null;
  file_size: Millis | null;
  failure: string | null;
}

export interface Database {
  meta: MetaTable;
  orgs: OrgsTable;
  users: UsersTable;
  apps: AppsTable;
  suites: SuitesTable;
  suite_authorizations: SuiteAuthorizationsTable;
  access_tokens: AccessTokensTable;
  meetings: MeetingsTable;
  meeting_members: MeetingMembersTable;
  meeting_bars: MeetingBarsTable;
  meeting_settings: MeetingSettingsTable;
  schedule_conferences: ScheduleConferencesTable;
  events: EventsTable;
  event_deliveries: EventDeliveriesTable;
  event_delivery_log: EventDeliveryLogTable;
  signin_links: SigninLinksTable;
  stream_tickets: StreamTicketsTable;
  oauth_grants: OauthGrantsTable;
  custom_short_links: CustomShortLinksTable;
  metric_samples: MetricSamplesTable;
  cloud_records: CloudRecordsTable;
}
