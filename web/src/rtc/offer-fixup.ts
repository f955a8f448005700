// werift (the SFU) offers an m-section it has turned `inactive` with port 0, i.e. as rejected, while
// keeping it in the BUNDLE group. Chrome refuses such an offer once the rejected section is the group's
// first (tagged) one: "The m= section with mid='2' should be rejected". A bundled section that carries
// nothing is what the server means, so it is read as inactive (port 9) instead of rejected.

export function unrejectBundledSections(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const group = lines.find((l) => l.startsWith('a=group:BUNDLE '));
  if (!group) return sdp;
  const bundled = new Set(group.split(' ').slice(1));

  // Split into sections: [session, m-section...]; each m-section starts at its m= line.
  const starts = lines.flatMap((l, i) => (l.startsWith('m=') ? [i] : []));
  if (starts.length === 0) return sdp;
  const out = lines.slice(0, starts[0]);
  starts.forEach((start, n) => {
    const section = lines.slice(start, starts[n + 1] ?? lines.length);
    const mid = section.find((l) => l.startsWith('a=mid:'))?.slice(6);
    const parts = section[0]!.split(' ');
    if (parts[1] === '0' && mid !== undefined && bundled.has(mid)) {
      parts[1] = '9';
      section[0] = parts.join(' ');
      const direction = section.findIndex((l) => /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l));
      if (direction >= 0) section[direction] = 'a=inactive';
      else {
        let last = section.length - 1;
        while (last > 0 && section[last] === '') last--;
        section.splice(last + 1, 0, 'a=inactive');
      }
    }
    out.push(...section);
  });
  return out.join(eol);
}
