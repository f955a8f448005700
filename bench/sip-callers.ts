/**
 * CPU per phone participant: G.711 in, Opus encode into the SFU, the server-side mix (mix minus
 * own voice), G.711 out, RTP both ways, at 1, 5 and 20 callers in one meeting.
 *
 *   npm run build && node dist/bench/sip-callers.js [--callers 1,5,20] [--window 10] [--json]
 *
 * vconf runs in its own process with --sip-listen on loopback; SIPp (Debian sip-tester) places
 * the calls, keys the meeting code and host passcode as RFC 2833 digits, then plays its G.711
 * A-law recording in a loop. Once every caller is in the room, the server process's CPU over a
 * steady window (from /proc) is the figure; the idle server's CPU is measured first and taken off.
 * Browsers in the meeting add one Opus decode per speaking browser: measured here in-process.
 */
import { parseArgs } from 'node:util';
import { Decoder, Encoder } from '@evan/opus';
import { runSipp, scenarioXml } from '../tools/sipp.js';
import { sampleCpu } from './support/cpu.js';
import { machineInfo } from './support/machine.js';
import { freePort, startServerProcess } from './support/server-process.js';

const WRITE = 'VideoConference.Conference.Write';
const READ = 'VideoConference.Conference.Read';
const APP = { appKey: 'bench-app', appSecret: 'bench-secret' };
const HOST = 'bench-host';
const TICK_MS = 10;
const directory = {
  orgs: [
    {
      corpId: 'dingbench',
      name: 'Bench Corp',
      limits: { maxParticipantsPerMeeting: 100_000, invitesPerMinute: 10_000_000, createsPerAppPerHour: 10_000_000, createsPerAppPerDay: 10_000_000 },
      users: [{ unionId: HOST, userId: 'host', name: 'Bench Host', canCreateMeetings: true }],
      apps: [{ ...APP, scopes: [WRITE, READ] }],
    },
  ],
  suites: [],
};

const { values } = parseArgs({
  options: { callers: { type: 'string', default: '1,5,20' }, window: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
});
const counts = values.callers.split(',').map(Number);
const windowS = Number(values.window);

async function api<T>(url: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'x-acs-dingtalk-access-token': token } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function activePhones(url: string, token: string, conferenceId: string): Promise<number> {
  const res = await fetch(`${url}/v1.0/conference/videoConferences/${conferenceId}/members?maxResults=300`, { headers: { 'x-acs-dingtalk-access-token': token } });
  const body = (await res.json()) as { memberModels?: Array<{ pstnJoin: boolean; attendStatus: number }> };
  return (body.memberModels ?? []).filter((m) => m.pstnJoin && m.attendStatus === 3).length;
}

/** Server CPU (% of one core) over `seconds`. */
async function serverCpu(pid: number, seconds: number): Promise<number> {
  const before = sampleCpu(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = sampleCpu(pid);
  if (!before || !after) return NaN;
  return ((after.server - before.server) * TICK_MS * 100) / (performance.now() - t0);
}

/** One Opus decode of a browser's 20 ms frame to 8 kHz, as the mixer does it: % of a core per speaking browser. */
function opusDecodeCost(): number {
  const encoder = new Encoder({ channels: 2, sample_rate: 48000, application: 'voip' });
  const pcm = new Int16Array(960 * 2).map((_, i) => Math.round(8000 * Math.sin(i / 7)));
  const frame = encoder.encode(pcm);
  const decoder = new Decoder({ channels: 1, sample_rate: 8000 });
  const n = 5000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) decoder.decode(frame);
  const perFrameMs = (performance.now() - t0) / n;
  return (perFrameMs / 20) * 100;
}

const sipPort = await freePort();
const [rtpLow] = [sipPort < 50000 ? 50000 : 30000];
const server = await startServerProcess({
  directory,
  qpsLimit: 1_000_000_000,
  extraArgs: ['--sip-listen', `127.0.0.1:${sipPort}`, '--sip-trusted', '127.0.0.1', '--sip-rtp-ports', `${rtpLow}-${rtpLow + 999}`],
});
const results: Array<{ callers: number; serverPercentOfCore: number; perCallerPercentOfCore: number }> = [];
let idle = NaN;
try {
  const { accessToken } = await api<{ accessToken: string }>(server.url, '/v1.0/oauth2/accessToken', APP);
  idle = await serverCpu(server.pid, Math.min(5, windowS));
  for (const n of counts) {
    const m = await api<{ conferenceId: string; roomCode: string; hostPassword: string }>(server.url, '/v1.0/conference/videoConferences', { userId: HOST, confTitle: `Phones x${n}` }, accessToken);
    const talkS = windowS + 20;
    const call = runSipp(
      `127.0.0.1:${sipPort}`,
      scenarioXml({ from: '13800000000', steps: [{ keys: `${m.roomCode}#${m.hostPassword}#` }, { speak: Math.ceil(talkS / 7) }, { bye: true }] }),
      { calls: n, rate: 10, timeoutS: talkS + 60 },
    );
    const deadline = Date.now() + 60_000;
    while ((await activePhones(server.url, accessToken, m.conferenceId)) < n) {
      if (Date.now() > deadline) throw new Error(`only some of ${n} callers got in`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // The joining prompt and the jitter queues settle.
    await new Promise((r) => setTimeout(r, 3000));
    const cpu = await serverCpu(server.pid, windowS);
    results.push({ callers: n, serverPercentOfCore: round(cpu), perCallerPercentOfCore: round((cpu - idle) / n) });
    const run = await call;
    if (run.code !== 0) process.stderr.write(`sipp exited ${run.code}: ${run.errors.slice(0, 500)}\n`);
  }
} finally {
  await server.stop();
}

const decode = round(opusDecodeCost());
const report = { machine: machineInfo(), windowS, idleServerPercentOfCore: round(idle), results, opusDecodePerSpeakingBrowserPercentOfCore: decode };
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  process.stdout.write(`machine: ${report.machine.nproc} × ${report.machine.cpuModel}, Node ${report.machine.node}, load ${report.machine.loadAverage1m}\n`);
  process.stdout.write(`idle server: ${report.idleServerPercentOfCore}% of a core\n`);
  process.stdout.write('callers | server CPU (% of a core) | per caller (idle taken off)\n');
  for (const r of results) process.stdout.write(`${String(r.callers).padStart(7)} | ${String(r.serverPercentOfCore).padStart(24)} | ${r.perCallerPercentOfCore}\n`);
  process.stdout.write(`Opus decode of one speaking browser for the mix: ${decode}% of a core\n`);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
