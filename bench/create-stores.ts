/**
 * CreateVideoConference on each store, in one run: SQLite (one instance), PostgreSQL (one
 * instance) and PostgreSQL + Redis (two instances sharing the load), each `vconf serve` in its
 * own process on this machine.
 *
 *   npm run build && node dist/bench/create-stores.js [--duration 8] [--rate 500] [--rate-duration 10] [--pg-instances 1,2]
 *
 * Per store: a warm-up, creates as fast as they are answered (10 connections in all), then creates
 * at a fixed overall rate for p99. With two instances the load is split evenly between them (two
 * autocannon runs at once) and the slower instance's latencies are reported. Needs PostgreSQL
 * (VCONF_TEST_POSTGRES) and Redis (VCONF_TEST_REDIS); a fresh database per store, dropped after.
 * On a 2-core machine the client, the instances and PostgreSQL share the cores: compare the
 * stores within one run, not with another day's figures.
 */
import { parseArgs } from 'node:util';
import { startInstances } from '../tools/cluster.js';
import { runPhase, type PhaseResult } from './support/load.js';
import { machineInfo } from './support/machine.js';
import { startServerProcess } from './support/server-process.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    rate: { type: 'string', default: '500' },
    'rate-duration': { type: 'string', default: '10' },
    'pg-instances': { type: 'string', default: '1,2' },
  },
});
const durationS = Number(values.duration);
const rate = Number(values.rate);
const rateDurationS = Number(values['rate-duration']);
const CONNECTIONS = 10;
const APP = { appKey: 'bench-app', appSecret: 'bench-secret' };
const directory = {
  orgs: [
    {
      corpId: 'dingbench',
      name: 'Bench Corp',
      limits: { maxParticipantsPerMeeting: 100_000, invitesPerMinute: 10_000_000, createsPerAppPerHour: 10_000_000, createsPerAppPerDay: 100_000_000 },
      users: [
        { unionId: 'bench-host', userId: 'host', name: 'Bench Host', canCreateMeetings: true },
        { unionId: 'bench-guest', userId: 'guest', name: 'Bench Guest' },
      ],
      apps: [{ ...APP, scopes: ['VideoConference.Conference.Write', 'VideoConference.Conference.Read'] }],
    },
  ],
  suites: [],
};
const BODY = JSON.stringify({ userId: 'bench-host', confTitle: 'Benchmark meeting', inviteUserIds: ['bench-guest'], inviteCaller: true });

interface StoreResult {
  store: string;
  max: { rate: number; p99: number; non2xx: number };
  atRate: { rate: number; p50: number; p99: number; non2xx: number };
}

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(APP) });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** One phase split evenly over the instances at once; rates add up, the worst latencies count. */
async function phase(urls: string[], tokenValue: string, durationS: number, overallRate?: number): Promise<PhaseResult[]> {
  return Promise.all(
    urls.map((url) =>
      runPhase(
        { url: `${url}/v1.0/conference/videoConferences`, method: 'POST', headers: { 'x-acs-dingtalk-access-token': tokenValue, 'content-type': 'application/json' }, body: BODY },
        { connections: Math.max(1, Math.round(CONNECTIONS / urls.length)), durationS, ...(overallRate ? { overallRate: overallRate / urls.length } : {}) },
      ),
    ),
  );
}

async function measure(store: string, urls: string[]): Promise<StoreResult> {
  const t = await token(urls[0]!);
  await phase(urls, t, 3);
  const max = await phase(urls, t, durationS);
  const atRate = await phase(urls, t, rateDurationS, rate);
  const sum = (rs: PhaseResult[], f: (r: PhaseResult) => number) => rs.reduce((n, r) => n + f(r), 0);
  const worst = (rs: PhaseResult[], f: (r: PhaseResult) => number) => Math.max(...rs.map(f));
  return {
    store,
    max: { rate: sum(max, (r) => r.achievedRate), p99: worst(max, (r) => r.latencyMs.p99), non2xx: sum(max, (r) => r.non2xx + r.errors) },
    atRate: { rate: sum(atRate, (r) => r.achievedRate), p50: worst(atRate, (r) => r.latencyMs.p50), p99: worst(atRate, (r) => r.latencyMs.p99), non2xx: sum(atRate, (r) => r.non2xx + r.errors) },
  };
}

async function main(): Promise<void> {
  console.log(JSON.stringify(machineInfo()));
  const results: StoreResult[] = [];

  const sqlite = await startServerProcess({ directory, qpsLimit: 1_000_000_000 });
  try {
    results.push(await measure('SQLite, 1 instance', [sqlite.url]));
  } finally {
    await sqlite.stop();
  }
  for (const count of values['pg-instances']!.split(',').map(Number)) {
    const cluster = await startInstances({ count, directory, redis: count > 1, flags: ['--qps-limit', '1000000000', '--log-level', 'warn'] });
    try {
      results.push(await measure(`PostgreSQL${count > 1 ? ' + Redis' : ''}, ${count} instance${count > 1 ? 's' : ''}`, cluster.list.map((i) => i.url)));
    } finally {
      await cluster.stop();
    }
  }

  console.log(`\n| store | creates/s (max) | p99 at max (ms) | creates/s (fixed) | p50 (ms) | p99 (ms) | non-2xx |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.store} | ${r.max.rate.toFixed(0)} | ${r.max.p99.toFixed(1)} | ${r.atRate.rate.toFixed(0)} | ${r.atRate.p50.toFixed(2)} | ${r.atRate.p99.toFixed(1)} | ${r.max.non2xx + r.atRate.non2xx} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
