/**
 * CPU of cloud recording (issue 12): the recording's ffmpeg per meeting at 2 and 4 participants, and
 * the vconf process (the SFU) per forwarded stream without and with a recording running.
 *
 *   npm run build && node dist/bench/recording-cpu.js [--people 2,4] [--window 10] [--json]
 *
 * vconf runs as `vconf serve` in its own process; Debian's Chromium plays the participants (fake
 * camera 640×480 and microphone), one browser context each. For each meeting size, after every
 * participant's media flows and a settling pause, the vconf process's CPU (utime + stime from /proc)
 * is taken over a window; then StartCloudRecord (grid) runs, and after a warm-up the same window
 * measures vconf again and the recording's ffmpeg (found as vconf's child process). Forwarded
 * streams are what the SFU sends out: each participant receives everyone else's audio and video.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launchBrowser, newParticipant } from '../tools/chromium.js';
import { machineInfo } from './support/machine.js';
import { startServerProcess } from './support/server-process.js';

const TICK_MS = 10;
const { values } = parseArgs({ options: { people: { type: 'string', default: '2,4' }, window: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } } });
const sizes = values.people!.split(',').map(Number);
const windowS = Number(values.window);

const directory = {
  orgs: [
    {
      corpId: 'dingbench',
      name: 'Bench',
      limits: { maxParticipantsPerMeeting: 100, invitesPerMinute: 100000, createsPerAppPerHour: 1000000, createsPerAppPerDay: 1000000 },
      users: [{ unionId: 'uHost', userId: 'host', name: 'Host', canCreateMeetings: true }],
      apps: [{ appKey: 'bench-app', appSecret: 'bench-secret', scopes: ['VideoConference.Conference.Write', 'VideoConference.Conference.Read'] }],
    },
  ],
};

/** utime + stime of a process, in ticks; 0 once it is gone. */
function ticks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** The ffmpeg processes whose parent is `parent`. */
function ffmpegChildren(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && comm === 'ffmpeg') found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** utime+stime of a process's waited-for children (cutime + cstime), in ticks: where an ended ffmpeg's CPU goes. */
function childTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13]) + Number(fields[14]);
}

/**
 * % of one core used over `seconds` by the server and by all its ffmpeg children together — also
 * those that end during the window (a composite segment ends when the layout changes), whose time
 * moves into the server's children's time. Also how many ffmpeg processes ran.
 */
async function measure(server: number, seconds: number): Promise<{ server: number; ffmpeg: number; processes: number }> {
  const start = new Map(ffmpegChildren(server).map((pid) => [pid, ticks(pid)]));
  const seen = new Set(start.keys());
  const serverBefore = ticks(server);
  const childrenBefore = childTicks(server);
  const t0 = performance.now();
  const latest = new Map(start);
  while (performance.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 250));
    for (const pid of ffmpegChildren(server)) {
      seen.add(pid);
      latest.set(pid, ticks(pid));
    }
  }
  const wall = performance.now() - t0;
  const alive = new Set(ffmpegChildren(server));
  let ffmpegTicks = childTicks(server) - childrenBefore;
  for (const pid of seen) {
    if (alive.has(pid)) ffmpegTicks += ticks(pid) - (start.get(pid) ?? 0);
    else ffmpegTicks -= start.get(pid) ?? 0;
  }
  const pct = (t: number) => (100 * t * TICK_MS) / wall;
  return { server: pct(ticks(server) - serverBefore), ffmpeg: pct(ffmpegTicks), processes: seen.size };
}

const round = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const machine = machineInfo();
  const server = await startServerProcess({ directory, qpsLimit: 1000 });
  const browser = await launchBrowser();
  const results: object[] = [];
  const api = async (method: string, path: string, body?: object, token?: string) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { 'x-acs-dingtalk-access-token': token } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const { accessToken } = (await api('POST', '/v1.0/oauth2/accessToken', { appKey: 'bench-app', appSecret: 'bench-secret' })) as { accessToken: string };
    for (const people of sizes) {
      const meeting = (await api('POST', '/v1.0/conference/videoConferences', { userId: 'uHost', confTitle: `Recording CPU ${people}` }, accessToken)) as { conferenceId: string; externalLinkUrl: string };
      const base = `/v1.0/conference/videoConferences/${meeting.conferenceId}`;
      const pages = [];
      for (let i = 0; i < people; i++) {
        const p = await newParticipant(browser);
        await p.page.goto(meeting.externalLinkUrl);
        await p.page.getByTestId('display-name-input').fill(`P${i + 1}`);
        await p.page.getByTestId('enter-room-button').click();
        await p.page.getByTestId('page-room').waitFor({ timeout: 20_000 });
        pages.push(p);
      }
      // Every page shows everyone else's picture, then the meeting settles.
      for (const p of pages) {
        await p.page.waitForFunction(
          (n) => [...document.querySelectorAll('[data-testid="participant-tile"][data-local="false"] video')].filter((v) => (v as HTMLVideoElement).videoWidth > 0).length >= n,
          people - 1,
          { timeout: 30_000 },
        );
      }
      await new Promise((r) => setTimeout(r, 4000));
      const streams = people * (people - 1) * 2;
      const alone = await measure(server.pid, windowS);
      await api('POST', `${base}/cloudRecords/start`, { unionId: 'uHost', mode: 'grid' }, accessToken);
      await new Promise((r) => setTimeout(r, 3000));
      const recording = await measure(server.pid, windowS);
      await api('POST', `${base}/cloudRecords/stop`, { unionId: 'uHost' }, accessToken);
      results.push({
        participants: people,
        forwardedStreams: streams,
        recordingFfmpegPercentOfCore: round(recording.ffmpeg),
        vconfPercentWithout: round(alone.server),
        vconfPercentWith: round(recording.server),
        vconfPerStreamWithout: round(alone.server / streams),
        vconfPerStreamWith: round(recording.server / streams),
        ffmpegProcesses: recording.processes,
      });
      await api('DELETE', `${base}?unionId=uHost`, undefined, accessToken);
      for (const p of pages) await p.context.close();
      await new Promise((r) => setTimeout(r, 3000));
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const report = { machine: { ...machine, loadAverageAtEnd: machineInfo().loadAverage1m }, windowS, results };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`machine: ${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverage1m} → ${report.machine.loadAverageAtEnd}`);
    console.table(results);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
