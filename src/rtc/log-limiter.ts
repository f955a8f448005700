import type { Logger } from 'pino';

/**
 * Logs of things clients cause (bad frames, refused SDP, slow consumers): at most `perMinute`
 * lines per kind each minute, never with a stack trace; the next line says how many were left out.
 * A hostile client then costs the log a few lines a minute instead of megabytes (docs/security.md).
 */
export class LogLimiter {
  private readonly kinds = new Map<string, { minute: number; lines: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly perMinute = 10,
    private readonly now: () => number = Date.now,
  ) {}

  warn(kind: string, fields: Record<string, unknown>, message: string): void {
    const minute = Math.floor(this.now() / 60_000);
    let k = this.kinds.get(kind);
    if (!k) {
      if (this.kinds.size > 1000) this.kinds.clear();
      k = { minute, lines: 0, suppressed: 0 };
      this.kinds.set(kind, k);
    }
    if (k.minute !== minute) {
      k.minute = minute;
      k.lines = 0;
    }
    if (k.lines >= this.perMinute) {
      k.suppressed++;
      return;
    }
    k.lines++;
    const suppressed = k.suppressed;
    k.suppressed = 0;
    this.log.warn({ ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  }
}

/** An error as a client-caused log line shows it: its class and message, no stack. */
export function briefly(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}
