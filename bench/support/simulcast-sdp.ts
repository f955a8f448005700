/**
 * SDP edits that make a werift sendonly video m-section a simulcast offer (werift 0.24 cannot send
 * simulcast itself): RFC 8851/8853 `a=rid`/`a=simulcast` lines, the mid and rid header extensions,
 * and no `a=ssrc` lines, as a browser offers rid-based simulcast. The answer's simulcast lines are
 * taken out again before werift reads it, so werift keeps treating the section as one plain sender.
 */

export const MID_EXT_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const RID_EXT_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';

function sections(sdp: string): string[][] {
  const lines = sdp.split(/\r?\n/).filter((l) => l.length > 0);
  const out: string[][] = [[]];
  for (const line of lines) {
    if (line.startsWith('m=')) out.push([]);
    out.at(-1)!.push(line);
  }
  return out;
}

function join(parts: string[][]): string {
  return parts.flat().join('\r\n') + '\r\n';
}

/** Extension ids already in the offer (session or media level). */
function extIds(lines: string[]): Map<string, number> {
  const ids = new Map<string, number>();
  for (const l of lines) {
    const m = /^a=extmap:(\d+)(?:\/\w+)? (\S+)/.exec(l);
    if (m) ids.set(m[2]!, Number(m[1]));
  }
  return ids;
}

/** Rewrites the m-section `mid` of `sdp` to offer `rids` (lowest first); gives the ids of the mid and rid extensions. */
export function simulcastOffer(sdp: string, mid: string, rids: string[]): { sdp: string; midExtId: number; ridExtId: number } {
  const parts = sections(sdp);
  const section = parts.find((p) => p.includes(`a=mid:${mid}`));
  if (!section || !section[0]!.startsWith('m=video')) throw new Error(`no video m-section with mid ${mid}`);
  const ids = extIds(parts.flat());
  const used = new Set(ids.values());
  const pick = () => {
    for (let id = 1; id <= 14; id++) if (!used.has(id)) return used.add(id), id;
    throw new Error('no free one-byte header extension id');
  };
  const midExtId = ids.get(MID_EXT_URI) ?? pick();
  const ridExtId = ids.get(RID_EXT_URI) ?? pick();
  const kept = section.filter((l) => !l.startsWith('a=ssrc') && !l.startsWith('a=simulcast') && !l.startsWith('a=rid:'));
  const extra: string[] = [];
  if (!ids.has(MID_EXT_URI)) extra.push(`a=extmap:${midExtId} ${MID_EXT_URI}`);
  if (!ids.has(RID_EXT_URI)) extra.push(`a=extmap:${ridExtId} ${RID_EXT_URI}`);
  extra.push(...rids.map((r) => `a=rid:${r} send`), `a=simulcast:send ${rids.join(';')}`);
  section.splice(0, section.length, ...kept, ...extra);
  return { sdp: join(parts), midExtId, ridExtId };
}

/** The answer without its simulcast lines (what werift is given). */
export function withoutSimulcast(sdp: string): string {
  return join(sections(sdp).map((p) => p.filter((l) => !l.startsWith('a=simulcast') && !l.startsWith('a=rid:'))));
}
