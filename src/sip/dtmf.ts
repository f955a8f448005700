/** RFC 4733 (formerly 2833) event codes 0–15 as keys. */
const EVENT_KEYS = '0123456789*#ABCD';

/**
 * Telephone-event packets to key presses. A press is sent as several packets with one RTP
 * timestamp (the last three carry the end bit); a new timestamp, or a marked start after an end
 * with the same timestamp (a recording replayed twice), is a new press.
 */
export class TelephoneEvents {
  private lastTimestamp: number | undefined;
  private ended = false;

  /** The key this packet starts, if it starts one. */
  packet(timestamp: number, marker: boolean, payload: Uint8Array): string | undefined {
    if (payload.length < 4) return undefined;
    const event = payload[0]!;
    const end = (payload[1]! & 0x80) !== 0;
    const fresh = timestamp !== this.lastTimestamp || (marker && this.ended);
    if (!fresh) {
      if (end) this.ended = true;
      return undefined;
    }
    this.lastTimestamp = timestamp;
    this.ended = end;
    return EVENT_KEYS[event];
  }
}

/**
 * The key of a SIP INFO DTMF body: application/dtmf-relay ("Signal=5\r\nDuration=160") or
 * application/dtmf ("5"). Undefined when the body names no key.
 */
export function infoKey(contentType: string | undefined, body: string | undefined): string | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = (body ?? '').trim();
  let signal: string | undefined;
  if (type === 'application/dtmf-relay') signal = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(text)?.[1];
  else if (type === 'application/dtmf') signal = text;
  if (signal === undefined) return undefined;
  if (/^(1[0-5]|[0-9])$/.test(signal) && signal.length === 2) return EVENT_KEYS[Number(signal)];
  const key = signal.toUpperCase();
  return key.length === 1 && EVENT_KEYS.includes(key) ? key : undefined;
}
