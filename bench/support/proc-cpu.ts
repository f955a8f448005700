import { readFileSync } from 'node:fs';

/** Linux reports CPU time in USER_HZ ticks, 100 per second on every mainstream build. */
const TICK_MS = 10;

/**
 * CPU time (user + system, all threads) a process has used so far, in milliseconds, from
 * /proc/PID/stat — the same reading for a Node process and a C one, so their figures compare.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; fields resume after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Starts a window on `pid`; the returned function ends it and gives % of one core used in it. */
export function cpuWindow(pid: number): () => { cpuMs: number; wallMs: number; percentOfCore: number } {
  const cpu0 = processCpuMs(pid);
  const at0 = performance.now();
  return () => {
    const cpuMs = processCpuMs(pid) - cpu0;
    const wallMs = performance.now() - at0;
    return { cpuMs, wallMs, percentOfCore: (cpuMs / wallMs) * 100 };
  };
}
