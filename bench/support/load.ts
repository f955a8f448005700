import autocannon from 'autocannon';
import { cpuUse, sampleCpu, type CpuUse } from './cpu.js';

export interface Target {
  /** e.g. http://127.0.0.1:40123/v1.0/conference/videoConferences */
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface PhaseOptions {
  connections: number;
  durationS: number;
  /** Requests per second over all connections; absent = as fast as the server answers. */
  overallRate?: number;
  /** The server's process id, to report the CPU it spent. */
  serverPid?: number;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface PhaseResult {
  connections: number;
  durationS: number;
  overallRate: number | null;
  /** Responses per second over the phase's wall-clock time. */
  achievedRate: number;
  responses: number;
  status2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Milliseconds, from every response's own timing (sub-millisecond resolution). */
  latencyMs: LatencySummary;
  /** Linux only: server CPU per response, and how busy the rest of the machine was. */
  cpu?: CpuUse;
  /** Autocannon's own histogram summary (whole milliseconds), for comparison with its CLI. */
  autocannon: { requestsPerSecMean: number; latencyP50: number; latencyP90: number; latencyP99: number; latencyMax: number };
}

/**
 * One autocannon run. Latencies are collected from each response rather than read only from
 * autocannon's histogram, which rounds to whole milliseconds — too coarse for sub-ms routes.
 * Coordinated-omission correction is off: with overallRate autocannon would assume a 1 ms
 * expected interval (ceil(1/rate)) and invent samples for every response slower than 1 ms.
 */
export async function runPhase(target: Target, opts: PhaseOptions): Promise<PhaseResult> {
  const samples: number[] = [];
  const cpuBefore = opts.serverPid ? sampleCpu(opts.serverPid) : undefined;
  const started = process.hrtime.bigint();
  let finish: (err: unknown, result: autocannon.Result) => void = () => {};
  const finished = new Promise<autocannon.Result>((done, fail) => {
    finish = (err, result) => (err ? fail(err) : done(result));
  });
  // The callback form returns the instance, whose 'response' events carry each timing.
  const instance = autocannon(
    {
      url: target.url,
      method: target.method,
      headers: target.headers,
      ...(target.body !== undefined ? { body: target.body } : {}),
      connections: opts.connections,
      duration: opts.durationS,
      ...(opts.overallRate ? { overallRate: opts.overallRate, ignoreCoordinatedOmission: true } : {}),
      timeout: 10,
    },
    (err, result) => finish(err, result),
  );
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    samples.push(responseTime);
  });
  const result = await finished;
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = opts.serverPid ? cpuUse(cpuBefore, sampleCpu(opts.serverPid), samples.length, wallS) : undefined;
  return {
    connections: opts.connections,
    durationS: opts.durationS,
    overallRate: opts.overallRate ?? null,
    achievedRate: samples.length / wallS,
    responses: samples.length,
    status2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: summarize(samples),
    ...(cpu ? { cpu } : {}),
    autocannon: {
      requestsPerSecMean: result.requests.mean,
      latencyP50: result.latency.p50,
      latencyP90: result.latency.p90,
      latencyP99: result.latency.p99,
      latencyMax: result.latency.max,
    },
  };
}

/** Nearest-rank percentiles of the raw samples. */
export function summarize(samples: number[]): LatencySummary {
  if (samples.length === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] ?? NaN, mean: sum / sorted.length };
}
