import { readFileSync } from 'node:fs';

/** Linux reports CPU time in USER_HZ ticks, 100 per second on every mainstream build. */
const TICK_MS = 10;

export interface CpuSample {
  machineBusy: number;
  machineTotal: number;
  self: number;
  server: number;
}

export interface CpuUse {
  /** CPU time the server process (all its threads) spent per response, in microseconds. */
  serverUsPerResponse: number;
  /** Server CPU as a percentage of one core. */
  serverPercentOfCore: number;
  /** Share of the whole machine used by processes other than this benchmark and the server. */
  othersPercentOfMachine: number;
}

/** Reads /proc; undefined where there is none, and the figures are then left out. */
export function sampleCpu(serverPid: number): CpuSample | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { machineBusy: total - idle, machineTotal: total, self: processTicks('self'), server: processTicks(String(serverPid)) };
  } catch {
    return undefined;
  }
}

export function cpuUse(before: CpuSample | undefined, after: CpuSample | undefined, responses: number, wallS: number): CpuUse | undefined {
  if (!before || !after) return undefined;
  const server = after.server - before.server;
  const mine = after.self - before.self;
  const busy = after.machineBusy - before.machineBusy;
  const total = after.machineTotal - before.machineTotal;
  return {
    serverUsPerResponse: responses > 0 ? (server * TICK_MS * 1000) / responses : NaN,
    serverPercentOfCore: (server * TICK_MS) / (wallS * 10),
    othersPercentOfMachine: total > 0 ? Math.max(0, (100 * (busy - server - mine)) / total) : NaN,
  };
}

/** utime + stime of a process, in ticks. */
function processTicks(pid: string): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; fields resume after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
