import { isIP } from 'node:net';
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
  /** Reverse proxies (addresses or CIDRs) whose X-Forwarded-For/-Proto are believed; none by default. */
  trustProxy?: string[];
  /** An ad-hoc meeting nobody joined within this time ends by itself (docs/security.md); 0 = never. */
  unusedMeetingTtlMs?: number;
  /** HTTPS served directly (docs/deploy.md, "A small office without a proxy"); undefined = plain HTTP. */
  tls?: TlsConfig | undefined;
  /** Passive ICE-TCP host candidates on the --rtc-ports range, for networks that drop UDP (default on). */
  rtcTcp?: boolean;
  /** TURN servers handed to browsers with short-lived credentials; undefined = none. */
  turn?: TurnConfig | undefined;
  /** What browsers may use: 'all' candidates, or only TURN 'relay' ones (hides their addresses). */
  iceTransportPolicy?: 'all' | 'relay';
  /** How long media-quality samples are kept (docs/statistics.md); default 30 days. */
  statsRetentionMs?: number;
  /** How often pages report getStats and the SFU's counters are read; default 5 s. */
  statsIntervalMs?: number;
  /** Dial-in by telephone (docs/dial-in.md); undefined = no SIP endpoint. */
  sip?: SipConfig | undefined;
  /** Pause between the SYSTEM pings of a Stream-mode connection (default 30 s; embedders and tests). */
  eventStreamPingMs?: number;
  /** How long a Stream-mode EVENT frame waits for its acknowledgement (default 10 s; embedders and tests). */
  eventStreamAckMs?: number;
  /** Where recording files go (docs/recording.md); default `<dataDir>/recordings`. */
  recordingsDir?: string | undefined;
  /** How long StartStreamOut waits for its pushes' first outcomes (default 2.5 s; embedders and tests on slow machines). */
  streamOutcomeWaitMs?: number;
  /** The ffmpeg recording and stream-out run (ffprobe is taken from beside it); default `ffmpeg` on the PATH. */
  ffmpegPath?: string | undefined;
}

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  /** Plain-HTTP port answering every request with a redirect to HTTPS; undefined = none. */
  redirectPort: number | undefined;
}

export interface SipConfig {
  host: string;
  port: number;
  /** Addresses or CIDRs of the trunk or SIP proxy allowed to send calls; others get 403. */
  trusted: string[];
  /** UDP ports of the calls' RTP, inclusive. */
  rtpPorts: [number, number];
  /** Address put into SIP Contact and SDP; default the listen address. */
  announcedIp: string | undefined;
  /** Ringing before the answer (embedders and tests: a window for CANCEL); default none. */
  ringMs?: number;
  /** How long the voice menu waits for a key (default 60 s). */
  menuTimeoutMs?: number;
}

export interface TurnConfig {
  /** turn:/turns: URLs, e.g. turn:turn.example.com:3478?transport=udp. */
  urls: string[];
  /** coturn's static-auth-secret (use-auth-secret): credentials are HMACs of it, the secret never leaves the server. */
  secret: string;
  /** Lifetime of each credential handed out. */
  ttlMs: number;
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
  'trust-proxy': { type: 'string', env: 'VCONF_TRUST_PROXY', default: '', help: 'comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (default: none)' },
  'unused-meeting-ttl': { type: 'string', env: 'VCONF_UNUSED_MEETING_TTL', default: '24h', help: 'an ad-hoc meeting nobody joins within this time ends by itself (0s = never)' },
  'rtc-ports': { type: 'string', env: 'VCONF_RTC_PORTS', default: '40000-40999', help: 'port range for media: UDP, and TCP for ICE-TCP' },
  'tls-cert': { type: 'string', env: 'VCONF_TLS_CERT', default: '', help: 'PEM certificate chain: serve HTTPS directly (with --tls-key)' },
  'tls-key': { type: 'string', env: 'VCONF_TLS_KEY', default: '', help: 'PEM private key of --tls-cert' },
  'http-redirect-port': { type: 'string', env: 'VCONF_HTTP_REDIRECT_PORT', default: 'auto', help: 'with TLS: plain-HTTP port redirecting to HTTPS; auto = 80 when --port is 443, else none; off = none' },
  'rtc-tcp': { type: 'string', env: 'VCONF_RTC_TCP', default: 'on', help: 'on|off: offer passive ICE-TCP candidates (TCP ports of --rtc-ports) for networks that drop UDP' },
  'turn-url': { type: 'string', env: 'VCONF_TURN_URL', default: '', help: 'comma-separated turn:/turns: URLs handed to browsers, e.g. turn:turn.example.com:3478?transport=udp' },
  'turn-secret': { type: 'string', env: 'VCONF_TURN_SECRET', default: '', help: "the TURN server's shared secret (coturn static-auth-secret)" },
  'turn-ttl': { type: 'string', env: 'VCONF_TURN_TTL', default: '12h', help: 'lifetime of the TURN credentials handed to a browser' },
  'ice-transport-policy': { type: 'string', env: 'VCONF_ICE_TRANSPORT_POLICY', default: 'all', help: 'all|relay: relay makes browsers send media only through TURN' },
  'stats-retention': { type: 'string', env: 'VCONF_STATS_RETENTION', default: '30d', help: 'how long media-quality samples are kept, e.g. 7d or 12h (1h to 3650d)' },
  'stats-interval': { type: 'string', env: 'VCONF_STATS_INTERVAL', default: '5s', help: 'how often pages report their media statistics and the SFU is measured (1s to 60s)' },
  recordings: { type: 'string', env: 'VCONF_RECORDINGS', default: '', help: 'directory of cloud recording files (default: <data>/recordings)' },
  ffmpeg: { type: 'string', env: 'VCONF_FFMPEG', default: 'ffmpeg', help: 'the ffmpeg that records and streams meetings (ffprobe beside it); without it those operations are not available' },
  'sip-listen': { type: 'string', env: 'VCONF_SIP_LISTEN', default: '', help: 'HOST:PORT of the SIP endpoint for dial-in by telephone, UDP and TCP (default: off)' },
  'sip-trusted': { type: 'string', env: 'VCONF_SIP_TRUSTED', default: '', help: 'comma-separated addresses/CIDRs of the SIP trunk or proxy allowed to send calls (others get 403)' },
  'sip-rtp-ports': { type: 'string', env: 'VCONF_SIP_RTP_PORTS', default: '41000-41999', help: 'UDP port range of the phone calls\' RTP' },
  'sip-announced-ip': { type: 'string', env: 'VCONF_SIP_ANNOUNCED_IP', default: '', help: 'address put into SIP Contact and SDP (default: the --sip-listen address)' },
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
    trustProxy: trustProxy(get('trust-proxy')),
    unusedMeetingTtlMs: duration(get('unused-meeting-ttl'), 'unused-meeting-ttl'),
    ...(get('event-retry-schedule') ? { eventRetryScheduleMs: retrySchedule(get('event-retry-schedule')) } : {}),
    tls: tlsConfig(get('tls-cert'), get('tls-key'), get('http-redirect-port'), port),
    rtcTcp: onOff(get('rtc-tcp'), 'rtc-tcp'),
    turn: turnConfig(get('turn-url'), get('turn-secret'), get('turn-ttl')),
    iceTransportPolicy: icePolicy(get('ice-transport-policy'), get('turn-url')),
    statsRetentionMs: retention(get('stats-retention')),
    statsIntervalMs: statsInterval(get('stats-interval')),
    recordingsDir: get('recordings') || undefined,
    ffmpegPath: get('ffmpeg'),
    sip: sipConfig(get('sip-listen'), get('sip-trusted'), get('sip-rtp-ports'), get('sip-announced-ip')),
  };
}

function sipConfig(listen: string, trusted: string, rtpPorts: string, announced: string): SipConfig | undefined {
  if (!listen) {
    if (trusted) throw new ConfigError('--sip-trusted needs --sip-listen');
    return undefined;
  }
  const match = /^\[?([0-9A-Fa-f:.]+?)\]?:(\d{1,5})$/.exec(listen.trim());
  const host = match?.[1] ?? '';
  const port = Number(match?.[2]);
  if (!match || !isIP(host) || !(port >= 1 && port <= 65535)) throw new ConfigError(`--sip-listen must be HOST:PORT with an IP address, e.g. 0.0.0.0:5060, got "${listen}"`);
  const entries = trusted.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new ConfigError('--sip-listen needs --sip-trusted: the addresses of the SIP trunk or proxy that may send calls');
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!family || !okBits || extra !== undefined) throw new ConfigError(`--sip-trusted must be comma-separated IP addresses or CIDRs, got "${entry}"`);
  }
  if (announced && !isIP(announced)) throw new ConfigError(`--sip-announced-ip must be an IP address, got "${announced}"`);
  const range = portRange(rtpPorts, 'sip-rtp-ports');
  return { host, port, trusted: entries, rtpPorts: range, announcedIp: announced || undefined };
}

function trustProxy(text: string): string[] {
  const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !okBits || extra !== undefined) throw new ConfigError(`--trust-proxy must be comma-separated IP addresses or CIDRs, got "${entry}"`);
  }
  return entries;
}

function tlsConfig(cert: string, key: string, redirect: string, port: number): TlsConfig | undefined {
  if (!cert && !key) {
    if (redirect !== 'auto' && redirect !== 'off') throw new ConfigError('--http-redirect-port needs --tls-cert and --tls-key');
    return undefined;
  }
  if (!cert || !key) throw new ConfigError('--tls-cert and --tls-key go together');
  const redirectPort = redirect === 'off' ? undefined : redirect === 'auto' ? (port === 443 ? 80 : undefined) : integer(redirect, 'http-redirect-port', 0, 65535);
  if (redirectPort !== undefined && redirectPort !== 0 && redirectPort === port) throw new ConfigError('--http-redirect-port must differ from --port');
  return { certFile: cert, keyFile: key, redirectPort };
}

function onOff(text: string, name: string): boolean {
  if (text === 'on' || text === 'true' || text === '1') return true;
  if (text === 'off' || text === 'false' || text === '0') return false;
  throw new ConfigError(`--${name} must be on or off, got "${text}"`);
}

function turnConfig(urlList: string, secret: string, ttl: string): TurnConfig | undefined {
  const urls = urlList.split(',').map((s) => s.trim()).filter(Boolean);
  if (urls.length === 0) {
    if (secret) throw new ConfigError('--turn-secret needs --turn-url');
    return undefined;
  }
  for (const url of urls) {
    // RFC 7065: turn:host[:port][?transport=udp|tcp], turns:… for TLS.
    if (!/^turns?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/.test(url)) {
      throw new ConfigError(`--turn-url takes turn: or turns: URLs like turn:turn.example.com:3478?transport=udp, got "${url}"`);
    }
  }
  if (!secret) throw new ConfigError('--turn-url needs --turn-secret (the TURN server\'s static-auth-secret)');
  const ttlMs = duration(ttl, 'turn-ttl');
  if (ttlMs < 60_000) throw new ConfigError(`--turn-ttl must be at least 1m, got "${ttl}"`);
  return { urls, secret, ttlMs };
}

function icePolicy(text: string, turnUrls: string): 'all' | 'relay' {
  if (text !== 'all' && text !== 'relay') throw new ConfigError(`--ice-transport-policy must be all or relay, got "${text}"`);
  if (text === 'relay' && !turnUrls.trim()) throw new ConfigError('--ice-transport-policy relay needs --turn-url');
  return text;
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

/** `30d`, `12h`: how long samples are kept, 1 hour to 10 years. */
function retention(text: string): number {
  const match = /^(\d+)(h|d)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (match[2] === 'd' ? 86_400_000 : 3_600_000) : NaN;
  if (!(ms >= 3_600_000 && ms <= 3650 * 86_400_000)) throw new ConfigError(`--stats-retention must be a duration like 30d or 12h (1h to 3650d), got "${text}"`);
  return ms;
}

function statsInterval(text: string): number {
  const ms = duration(text, 'stats-interval');
  if (ms < 1000 || ms > 60_000) throw new ConfigError(`--stats-interval must be 1s to 60s, got "${text}"`);
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

function portRange(text: string, name = 'rtc-ports'): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  const low = Number(match?.[1]);
  const high = Number(match?.[2]);
  if (!match || low < 1024 || high > 65535 || low > high) {
    throw new ConfigError(`--${name} must be a range like 40000-40999 within 1024-65535, got "${text}"`);
  }
  return [low, high];
}
