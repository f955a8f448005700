import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a client address stands for in failure limits (docs/security.md): an IPv4 address
 * is itself, an IPv6 address counts by its /64 (one subscriber's LAN usually gets a whole /64, so
 * counting single IPv6 addresses would hand one attacker 2^64 of them).
 */
export function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address, zone removed, without leading zeros. */
function expandIPv6(address: string): string[] {
  const bare = address.split('%')[0]!.toLowerCase();
  const [head, tail] = bare.includes('::') ? bare.split('::') as [string, string] : [bare, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 is handled above) counts as two hextets.
  const fix = (parts: string[]) =>
    parts.flatMap((p) => {
      if (!p.includes('.')) return [p];
      const [a, b, c, d] = p.split('.').map(Number) as [number, number, number, number];
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  const l = fix(left);
  const r = fix(right);
  const middle = tail === undefined ? [] : Array(Math.max(0, 8 - l.length - r.length)).fill('0');
  return [...l, ...middle, ...r].map((h) => parseInt(h || '0', 16).toString(16));
}
