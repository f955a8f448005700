import { parseArgs } from 'node:util';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** postgres://… URL; undefined = embedded SQLite in dataDir. */
  database?: string | undefined;
  /** redis://… URL of the state several instances share; undefined = this process's memory. */
  redis?: string | undefined;
  /** This instance's name among several; default a random one per start. */
  instanceId?: string | undefined;
  /** Base URL other instances reach this one on; default http://<host>:<port>. */
  internalUrl?: string | undefined;
  /** Longest wait on SIGTERM for participants to move to other instances. */
  drainTimeoutMs?: number;
  /** How long an instance's claim on an event delivery lasts if it dies mid-attempt (PostgreSQL). */
  eventClaimTtlMs?: number;
  directoryFile: string | undefined;
  /** Base of join links, without a trailing slash; undefined = the address the server listens on. */
  publicUrl: string | undefined;
  phoneNumbers: string[];
  /** Calls per second one app may make to one API. */
  qpsLimit: number;
  logLevel: string;
  /** Address the SFU's ICE sockets bind to. */
  rtcListenIp: string;
  /** Address the SFU announces in its ICE candidates (a public IP behind NAT); default: the listen address. */
  rtcAnnouncedIp: string | undefined;
  /** UDP port range of the SFU, inclusive. */
  rtcPorts: [number, number];
  /** Waits between event delivery attempts (docs/events.md); default DEFAULT_RETRY_SCHEDULE_MS. */
  eventRetryScheduleMs?: number[];
  /** Longest pause of the event delivery worker between looks at the outbox. */
  eventPollMs?: number;
  /** Pause between the SYSTEM pings of a Stream-mode connection (default 30 s; embedders and tests). */
  eventStreamPingMs?: number;
  /** How long a Stream-mode EVENT frame waits for its acknowledgement (default 10 s; embedders and tests). */
  eventStreamAckMs?: number;
}

/** Every `vconf serve` option: flag name, environment variable, default. */
export const serveOptions = {
  port: { type: 'string', env: 'VCONF_PORT', default: '8080', help: 'TCP port of the HTTP server' },
  host: { type: 'string', env: 'VCONF_HOST', default: '127.0.0.1', help: 'address to listen on' },
  data: { type: 'string', env: 'VCONF_DATA', default: './data', help: 'directory of the SQLite database' },
  database: { type: 'string', env: 'VCONF_DATABASE', default: '', help: 'PostgreSQL URL, e.g. postgres://vconf@db/vconf (default: SQLite in --data)' },
  redis: { type: 'string', env: 'VCONF_REDIS', default: '', help: 'Redis URL shared by several instances, e.g. redis://cache:6379 (default: none, one instance)' },
  'instance-id': { type: 'string', env: 'VCONF_INSTANCE_ID', default: '', help: 'name of this instance among several (default: random per start)' },
  'internal-url': { type: 'string', env: 'VCONF_INTERNAL_URL', default: '', help: 'URL other instances reach this one on, e.g. http://10.0.0.5:8080 (default http://<host>:<port>)' },
  'drain-timeout': { type: 'string', env: 'VCONF_DRAIN_TIMEOUT', default: '20s', help: 'longest wait on SIGTERM for participants to move to other instances' },
  'event-claim-ttl': { type: 'string', env: 'VCONF_EVENT_CLAIM_TTL', default: '30s', help: 'on PostgreSQL, how soon another instance retries a delivery whose instance died mid-attempt (attempts time out after 10s, or half this)' },
  directory: { type: 'string', env: 'VCONF_DIRECTORY', default: '', help: 'directory file to apply at start-up' },
  'public-url': { type: 'string', env: 'VCONF_PUBLIC_URL', default: '', help: 'base of join links (default http://<host>:<port>)' },
  'phone-numbers': { type: 'string', env: 'VCONF_PHONE_NUMBERS', default: '', help: 'comma-separated PSTN dial-in numbers' },
  'qps-limit': { type: 'string', env: 'VCONF_QPS_LIMIT', default: '2000', help: 'calls per second per app per API' },
  'log-level': { type: 'string', env: 'VCONF_LOG_LEVEL', default: 'info', help: 'pino log level' },
  'rtc-listen-ip': { type: 'string', env: 'VCONF_RTC_LISTEN_IP', default: '127.0.0.1', help: 'address the media (ICE/UDP) sockets bind to' },
  'rtc-announced-ip': { type: 'string', env: 'VCONF_RTC_ANNOUNCED_IP', default: '', help: 'address announced to browsers, e.g. a public IP (default: the listen address)' },
  'rtc-ports': { type: 'string', env: 'VCONF_RTC_PORTS', default: '40000-40999', help: 'UDP port range for media' },
  'event-retry-schedule': { type: 'string', env: 'VCONF_EVENT_RETRY_SCHEDULE', default: '', help: 'waits between event delivery attempts, e.g. 1s,5s,30s,2m,10m,1h,1h,1h (the default)' },
} as const;

type OptionName = keyof typeof serveOptions;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Flags win over environment variables, which win over defaults. */
export function resolveConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(serveOptions).map((k) => [k, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  const get = (name: OptionName): string => {
    const flag = values[name];
    if (typeof flag === 'string') return flag;
    // An empty variable counts as unset, as shells make it easy to export one by accident.
    return env[serveOptions[name].env] || serveOptions[name].default;
  };
  const port = integer(get('port'), 'port', 0, 65535);
  const host = get('host');
  const publicUrl = get('public-url').replace(/\/+$/, '') || undefined;
  if (publicUrl !== undefined && !URL.canParse(publicUrl)) {
    throw new ConfigError(`--public-url must be an absolute URL, got "${publicUrl}"`);
  }
  return {
    port,
    host,
    dataDir: get('data'),
    database: databaseUrl(get('database')),
    redis: redisUrl(get('redis')),
    instanceId: instanceId(get('instance-id')),
    internalUrl: internalUrl(get('internal-url')),
    drainTimeoutMs: duration(get('drain-timeout'), 'drain-timeout'),
    eventClaimTtlMs: Math.max(1000, duration(get('event-claim-ttl'), 'event-claim-ttl')),
    directoryFile: get('directory') || undefined,
    publicUrl,
    phoneNumbers: get('phone-numbers').split(',').map((s) => s.trim()).filter(Boolean),
    qpsLimit: integer(get('qps-limit'), 'qps-limit', 1, 1_000_000_000),
    logLevel: get('log-level'),
    rtcListenIp: get('rtc-listen-ip'),
    rtcAnnouncedIp: get('rtc-announced-ip') || undefined,
    rtcPorts: portRange(get('rtc-ports')),
    ...(get('event-retry-schedule') ? { eventRetryScheduleMs: retrySchedule(get('event-retry-schedule')) } : {}),
  };
}

function instanceId(text: string): string | undefined {
  if (!text) return undefined;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(text)) throw new ConfigError(`--instance-id must be 1 to 64 letters, digits, '.', '_' or '-', got "${text}"`);
  return text;
}

function internalUrl(text: string): string | undefined {
  if (!text) return undefined;
  if (!/^https?:\/\//.test(text) || !URL.canParse(text)) throw new ConfigError(`--internal-url must be an http(s):// URL, got "${text}"`);
  return text.replace(/\/+$/, '');
}

function databaseUrl(text: string): string | undefined {
  if (!text) return undefined;
  if (!/^postgres(ql)?:\/\//.test(text) || !URL.canParse(text)) throw new ConfigError(`--database must be a postgres:// URL, got "${redact(text)}"`);
  return text;
}

function redisUrl(text: string): string | undefined {
  if (!text) return undefined;
  if (!/^rediss?:\/\//.test(text) || !URL.canParse(text)) throw new ConfigError(`--redis must be a redis:// or rediss:// URL, got "${redact(text)}"`);
  return text;
}

/** A URL as it may appear in an error or a log: without its password. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

function integer(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function duration(text: string, name: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : NaN;
  if (!(ms >= 0 && ms <= 86_400_000)) throw new ConfigError(`--${name} must be a duration like 500ms, 20s or 2m, got "${text}"`);
  return ms;
}

/** `1s,5s,30s,2m` → [1000, 5000, 30000, 120000]; each wait 1 ms to 24 h, at most 50 of them. */
export function retrySchedule(text: string): number[] {
  const waits = text.split(',').map((part) => {
    const match = /^(\d+)(ms|s|m|h)$/.exec(part.trim());
    const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : NaN;
    return ms >= 1 && ms <= 86_400_000 ? ms : NaN;
  });
  if (waits.length > 50 || waits.some((w) => Number.isNaN(w))) {
    throw new ConfigError(`--event-retry-schedule must be up to 50 comma-separated waits like 1s,5s,2m,1h (each 1ms to 24h), got "${text}"`);
  }
  return waits;
}

function portRange(text: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  const low = Number(match?.[1]);
  const high = Number(match?.[2]);
  if (!match || low < 1024 || high > 65535 || low > high) {
    throw new ConfigError(`--rtc-ports must be a range like 40000-40999 within 1024-65535, got "${text}"`);
  }
  return [low, high];
}
