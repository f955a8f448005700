/**
 * Benchmark of CreateVideoConference (issue 2) against the same server's cheapest authenticated
 * route in the same run: the fastest of three cheap reads, each measured.
 *
 *   npm run bench                       # build, then run with the defaults below
 *   node dist/bench/create-conference.js --duration 10 --rate 1000 --rate-duration 15
 *   node dist/bench/create-conference.js --cpu-prof /tmp/prof   # profile the server too
 *   node dist/bench/create-conference.js --subscribe          # the app also takes every event
 *   node dist/bench/create-conference.js --database postgres://postgres@127.0.0.1/test
 *        # on PostgreSQL: a fresh database on that server for the run, dropped afterwards
 *
 * vconf runs in its own process (`vconf serve` on a temporary data directory, loopback only);
 * autocannon drives it from this one. Phases (1 and 2 each after a warm-up of their route):
 *   1. baseline candidates, each as fast as it answers: QueryConferenceInfo of one meeting,
 *      QueryUserOnGoingConference of a user in no meeting, QueryOrgConferenceList of an
 *      organization with nothing in progress; the fastest is the baseline;
 *   2. create:   POST /v1.0/conference/videoConferences, as fast as it answers;
 *   3. create at a fixed overall rate (default 1,000/s).
 * With --subscribe the benchmark's app subscribes to every conference event, delivered to a sink
 * in this process that answers 204: each create then also stores its two events and their
 * deliveries, and the server's delivery worker POSTs them during the run.
 * Prints a Markdown table and writes the raw figures to bench/results/. Exits 1 when any
 * response was not 2xx or a connection failed: such a run measures errors, not the routes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { SQLITE_FILE } from '../src/store/sqlite.js';
import { createTestDatabase, type TestDatabase } from '../tools/postgres-database.js';
import { runPhase, type PhaseResult, type Target } from './support/load.js';
import { machineInfo } from './support/machine.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

const WRITE = 'VideoConference.Conference.Write';
const READ = 'VideoConference.Conference.Read';
const APP = { appKey: 'bench-app', appSecret: 'bench-secret' };
const HOST = 'bench-host';
const GUEST = 'bench-guest';

// Limits far above what the run can reach, so neither the org's budgets nor the per-app QPS
// limit answer 4xx; every check still runs on every request.
const directory = (eventUrl?: string) => ({
  orgs: [
    {
      corpId: 'dingbench',
      name: 'Bench Corp',
      limits: { maxParticipantsPerMeeting: 100_000, invitesPerMinute: 10_000_000, createsPerAppPerHour: 10_000_000, createsPerAppPerDay: 10_000_000 },
      users: [
        { unionId: HOST, userId: 'host', name: 'Bench Host', canCreateMeetings: true },
        { unionId: GUEST, userId: 'guest', name: 'Bench Guest' },
      ],
      apps: [{ ...APP, scopes: [WRITE, READ], ...(eventUrl ? { eventCallback: { url: eventUrl, secret: 'bench-event-secret-0123456789abcdef' } } : {}) }],
    },
  ],
  suites: [],
});
const QPS_LIMIT = 1_000_000_000;

const CREATE_BODY = JSON.stringify({ userId: HOST, confTitle: 'Benchmark meeting', inviteUserIds: [GUEST], inviteCaller: true });

const OPTIONS = {
  connections: { type: 'string', default: '10' },
  duration: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '3' },
  rate: { type: 'string', default: '1000' },
  'rate-duration': { type: 'string', default: '15' },
  'cpu-prof': { type: 'string' },
  subscribe: { type: 'boolean', default: false },
  database: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const args = commandLine();
if (args.help) {
  process.stdout.write(
    'node dist/bench/create-conference.js [--connections 10] [--warmup 3] [--duration 10] [--rate 1000] [--rate-duration 15]\n' +
      '                                     [--subscribe] [--database postgres://…] [--cpu-prof DIR] [--out FILE]\nSee bench/README.md.\n',
  );
  process.exit(0);
}
const connections = positive(args.connections, 'connections');
const durationS = positive(args.duration, 'duration');
const warmupS = positive(args.warmup, 'warmup');
const rate = positive(args.rate, 'rate');
const rateDurationS = positive(args['rate-duration'], 'rate-duration');

interface Report {
  date: string;
  command: string;
  machine: ReturnType<typeof machineInfo>;
  settings: { connections: number; durationS: number; warmupS: number; rate: number; rateDurationS: number; subscribe: boolean; store: 'sqlite' | 'postgres' };
  /** The fastest candidate; every candidate's figures are in `candidates`. */
  baseline: PhaseResult & { route: string };
  candidates: Array<PhaseResult & { route: string }>;
  createMax: PhaseResult;
  createAtRate: PhaseResult;
  ratio: number;
  persisted: { meetings: number; members: number; events: number; createsAnswered2xx: number };
  /** With --subscribe: event deliveries the sink received while the run lasted. */
  eventsReceived: number | null;
  targets: { ratioAtLeastHalf: boolean; p99Under25msAtRate: boolean; rateReached: boolean };
}

async function main(): Promise<number> {
  const machine = machineInfo();
  const sink = args.subscribe ? await startSink() : undefined;
  const database: TestDatabase | undefined = args.database ? await createTestDatabase({ server: args.database, prefix: 'vconf_bench' }) : undefined;
  const server = await startServerProcess({
    ...(database ? { database: database.url } : {}),
    directory: directory(sink?.url),
    qpsLimit: QPS_LIMIT,
    nodeFlags: args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof'])] : [],
  });
  // Every run ends by itself, even if autocannon or the server hangs.
  const budgetMs = (4 * warmupS + 4 * durationS + rateDurationS + 60) * 1000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: no result after ${budgetMs} ms, stopping\n`);
    void server.stop().finally(() => process.exit(2));
  }, budgetMs);
  watchdog.unref();

  let report: Report;
  try {
    try {
      report = await measure(server, machine);
    } finally {
      // Stopped before counting, so the count sees every committed meeting.
      await server.stop({ keepData: true });
      clearTimeout(watchdog);
    }
    report.persisted = { ...report.persisted, ...(await countPersisted(server.dataDir, database)) };
    report.eventsReceived = sink ? sink.received() : null;
  } finally {
    await server.stop();
    await sink?.close();
    await database?.drop();
  }

  const out = args.out ?? join(resultsDir(), `create-conference-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${markdown(report)}\nraw results: ${out}\n`);

  const phases = [...report.candidates, report.createMax, report.createAtRate];
  const invalid = phases.some((p) => p.non2xx > 0 || p.errors > 0);
  // Creates answered 2xx must all be in the database; a few more may have landed after autocannon stopped reading.
  const { meetings, members, events } = report.persisted;
  const lost =
    meetings < report.persisted.createsAnswered2xx + 1 || members !== 2 * meetings || events !== (args.subscribe ? 2 * meetings : 0);
  if (invalid) process.stderr.write('bench: some responses were not 2xx or connections failed; the figures are not valid\n');
  if (lost) process.stderr.write('bench: the database does not hold every meeting that was answered 2xx\n');
  return invalid || lost ? 1 : 0;
}

async function measure(server: ServerProcess, machine: ReturnType<typeof machineInfo>): Promise<Report> {
  const token = await accessToken(server.url);
  const headers = { 'x-acs-dingtalk-access-token': token };
  const createUrl = `${server.url}/v1.0/conference/videoConferences`;
  const conferenceId = await createOnce(createUrl, headers);

  const v1 = `${server.url}/v1.0/conference`;
  const candidateTargets: Array<{ route: string; target: Target }> = [
    { route: 'QueryConferenceInfo: GET videoConferences/{id}', target: { url: `${createUrl}/${conferenceId}`, method: 'GET', headers } },
    { route: 'QueryUserOnGoingConference: GET users/lists', target: { url: `${v1}/users/lists?unionId=${GUEST}`, method: 'GET', headers } },
    { route: 'QueryOrgConferenceList: GET orgConferences', target: { url: `${v1}/orgConferences?maxResults=20`, method: 'GET', headers } },
  ];
  const create: Target = { url: createUrl, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: CREATE_BODY };

  const phase = async (name: string, target: Target, opts: Parameters<typeof runPhase>[1]) => {
    process.stderr.write(`bench: ${name} (${opts.durationS} s, ${opts.connections} connections${opts.overallRate ? `, ${opts.overallRate}/s` : ''})\n`);
    return runPhase(target, { ...opts, serverPid: server.pid });
  };
  // Warm-ups let V8 optimise the hot paths and SQLite fill its page cache before anything counts.
  const candidates: Array<PhaseResult & { route: string }> = [];
  let warmNon2xx = 0;
  for (const { route, target } of candidateTargets) {
    warmNon2xx += (await phase(`warm-up ${route}`, target, { connections, durationS: warmupS })).non2xx;
    candidates.push({ route, ...(await phase(`baseline candidate ${route}, max throughput`, target, { connections, durationS })) });
  }
  const baselineResult = candidates.reduce((best, c) => (c.achievedRate > best.achievedRate ? c : best));
  const warm2 = await phase('warm-up create', create, { connections, durationS: warmupS });
  const createMax = await phase('create: CreateVideoConference, max throughput', create, { connections, durationS });
  const createAtRate = await phase(`create at ${rate}/s`, create, { connections, durationS: rateDurationS, overallRate: rate });

  return {
    date: new Date().toISOString(),
    command: `node ${process.argv.slice(1).map((a) => a.replace(process.cwd() + '/', '')).join(' ')}`,
    machine,
    settings: { connections, durationS, warmupS, rate, rateDurationS, subscribe: Boolean(args.subscribe), store: args.database ? 'postgres' : 'sqlite' },
    baseline: baselineResult,
    candidates,
    createMax,
    createAtRate,
    ratio: createMax.achievedRate / baselineResult.achievedRate,
    persisted: { meetings: 0, members: 0, events: 0, createsAnswered2xx: warm2.status2xx + createMax.status2xx + createAtRate.status2xx },
    eventsReceived: null,
    targets: {
      ratioAtLeastHalf: createMax.achievedRate >= 0.5 * baselineResult.achievedRate,
      p99Under25msAtRate: createAtRate.latencyMs.p99 < 25,
      // "at 1,000 creates/s" only holds if the rate was actually delivered (allow 2% for start-up).
      rateReached: createAtRate.achievedRate >= 0.98 * rate,
    },
    ...(warmNon2xx > 0 || warm2.non2xx > 0 ? { warning: 'warm-up saw non-2xx responses' } : {}),
  };
}

async function accessToken(url: string): Promise<string> {
  const res = await fetch(`${url}/v1.0/oauth2/accessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(APP),
  });
  const body = (await res.json()) as { accessToken?: string };
  if (res.status !== 200 || !body.accessToken) throw new Error(`accessToken answered ${res.status}: ${JSON.stringify(body)}`);
  return body.accessToken;
}

/** One meeting for the baseline to read; also proves the create body is accepted before timing it. */
async function createOnce(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: CREATE_BODY });
  const body = (await res.json()) as { conferenceId?: string };
  if (res.status !== 200 || !body.conferenceId) throw new Error(`create answered ${res.status}: ${JSON.stringify(body)}`);
  return body.conferenceId;
}

async function countPersisted(dataDir: string, database: TestDatabase | undefined): Promise<{ meetings: number; members: number; events: number }> {
  if (database) {
    const n = await database.count(['meetings', 'meeting_members', 'events']);
    return { meetings: n.meetings!, members: n.meeting_members!, events: n.events! };
  }
  const db = new SqliteDatabase(join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { meetings: count('meetings'), members: count('meeting_members'), events: count('events') };
  } finally {
    db.close();
  }
}

function markdown(r: Report): string {
  const ms = (v: number) => v.toFixed(2);
  const cpu = (p: PhaseResult, f: (c: NonNullable<PhaseResult['cpu']>) => number) => (p.cpu ? String(Math.round(f(p.cpu))) : '–');
  const row = (name: string, p: PhaseResult) =>
    `| ${name} | ${p.connections} | ${p.overallRate ?? 'max'} | ${Math.round(p.achievedRate)} | ${ms(p.latencyMs.p50)} | ${ms(p.latencyMs.p90)} | ${ms(p.latencyMs.p99)} | ${ms(p.latencyMs.max)} | ${p.responses} | ${p.non2xx} | ${p.errors} | ${cpu(p, (c) => c.serverUsPerResponse)} | ${cpu(p, (c) => c.othersPercentOfMachine)} |`;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  return [
    `Machine: ${r.machine.nproc} cores, ${r.machine.cpuModel}, Node ${r.machine.node}, load average ${r.machine.loadAverage1m} at start`,
    `Store: ${r.settings.store === 'postgres' ? 'PostgreSQL (a fresh database on --database’s server)' : 'SQLite (a fresh data directory)'}`,
    '',
    '| Phase | Conns | Target req/s | Achieved req/s | p50 ms | p90 ms | p99 ms | max ms | Responses | non-2xx | Errors | Server CPU µs/req | Others’ CPU % |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.candidates.map((c) => row(`${c === r.baseline ? 'Baseline' : 'Candidate'}: ${c.route}`, c)),
    row('CreateVideoConference, max', r.createMax),
    row(`CreateVideoConference at ${r.settings.rate}/s`, r.createAtRate),
    '',
    `Ratio creates/s ÷ baseline req/s: ${(r.ratio * 100).toFixed(1)}% (target ≥ 50%: ${verdict(r.targets.ratioAtLeastHalf)})`,
    `p99 at ${r.settings.rate} creates/s: ${ms(r.createAtRate.latencyMs.p99)} ms (target < 25 ms: ${verdict(r.targets.p99Under25msAtRate)}); ` +
      `rate delivered: ${Math.round(r.createAtRate.achievedRate)}/s (${verdict(r.targets.rateReached)})`,
    `Persisted: ${r.persisted.meetings} meetings, ${r.persisted.members} members, ${r.persisted.events} events (${r.persisted.createsAnswered2xx} creates answered 2xx + 1 setup)`,
    r.settings.subscribe
      ? `Event subscription: on; the sink received ${r.eventsReceived} deliveries during the run`
      : 'Event subscription: off (no app takes events, so none are stored)',
  ].join('\n');
}

/** The receiving end of event deliveries: reads each request whole and answers 204. */
async function startSink(): Promise<{ url: string; received(): number; close(): Promise<void> }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/events`,
    received: () => received,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function resultsDir(): string {
  // dist/bench/create-conference.js → <repo>/bench/results
  const dir = resolve(fileURLToPath(import.meta.url), '../../../bench/results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function commandLine() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (err) {
    return usageError((err as Error).message);
  }
}

function usageError(message: string): never {
  process.stderr.write(`bench: ${message} (see --help)\n`);
  process.exit(2);
}

function positive(text: string | undefined, name: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) usageError(`--${name} must be a positive number, got "${text}"`);
  return n;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
