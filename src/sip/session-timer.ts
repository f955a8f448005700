/** RFC 4028 session timers, as the answering side (UAS) negotiates them. */

/** The smallest interval vconf accepts (RFC 4028's recommended minimum). */
export const MIN_SE = 90;
/** What vconf asks for when the caller supports timers but proposed none. */
export const DEFAULT_SE = 1800;

export type TimerVerdict =
  | { ok: true; interval: number; refresher: 'uac' | 'uas'; require: boolean }
  | { ok: true; interval: undefined }
  | { ok: false; minSe: number };

function header(headers: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = headers[n];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

export function supports(headers: Record<string, unknown>, option: string): boolean {
  const list = header(headers, 'supported', 'k') ?? '';
  return list.split(',').some((o) => o.trim().toLowerCase() === option);
}

/**
 * Reads Session-Expires / Min-SE / Supported of an INVITE or UPDATE. Too small an interval is a
 * 422. A caller that supports timers refreshes (refresher=uac) unless it asked vconf to; one that
 * does not gets no timer (the media timeout ends such calls when the caller vanishes).
 */
export function negotiateTimer(headers: Record<string, unknown>): TimerVerdict {
  const se = header(headers, 'session-expires', 'x');
  const minSe = Number(header(headers, 'min-se')?.split(';')[0]?.trim() ?? MIN_SE);
  const timer = supports(headers, 'timer');
  if (se === undefined) return timer ? { ok: true, interval: Math.max(DEFAULT_SE, minSe), refresher: 'uac', require: true } : { ok: true, interval: undefined };
  const [value, ...params] = se.split(';');
  const interval = Number(value?.trim());
  if (!Number.isInteger(interval) || interval < MIN_SE) return { ok: false, minSe: Math.max(MIN_SE, Number.isFinite(minSe) ? minSe : MIN_SE) };
  const asked = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('refresher='))?.slice('refresher='.length);
  const refresher = asked === 'uas' ? 'uas' : timer || asked === 'uac' ? 'uac' : 'uas';
  return { ok: true, interval, refresher, require: timer };
}

/** When a session the other side should refresh is given up (RFC 4028 §10: before it expires). */
export function expiryMs(interval: number): number {
  return (interval - Math.min(32, interval / 3)) * 1000;
}
