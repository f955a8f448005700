import { SfuError } from './types.js';
import { SIMULCAST_RIDS, type SimulcastRid } from '../../protocol/room.js';
import { isWildcard, type SfuOptions, VIDEO_CODECS, AUDIO_CODECS } from './options.js';

/** Plain string surgery on SDP, kept here so every munging rule sits in one reviewed place. */

function lines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((l) => l !== '');
}

function join(ls: string[]): string {
  return ls.join('\r\n') + '\r\n';
}

/** Splits an SDP into its session part and its m-sections (each starting with its `m=` line). */
function sections(sdp: string): { session: string[]; media: string[][] } {
  const session: string[] = [];
  const media: string[][] = [];
  for (const line of lines(sdp)) {
    if (line.startsWith('m=')) media.push([line]);
    else if (media.length > 0) media[media.length - 1]!.push(line);
    else session.push(line);
  }
  return { session, media };
}

interface CodecLine {
  pt: string;
  name: string;
  fmtp: string;
}

function codecsOf(section: string[]): CodecLine[] {
  const formats = section[0]!.split(' ').slice(3);
  return formats.map((pt) => {
    const rtpmap = section.find((l) => l.startsWith(`a=rtpmap:${pt} `));
    const fmtp = section.find((l) => l.startsWith(`a=fmtp:${pt} `));
    return {
      pt,
      name: (rtpmap?.slice(`a=rtpmap:${pt} `.length).split('/')[0] ?? '').toLowerCase(),
      fmtp: fmtp?.slice(`a=fmtp:${pt} `.length) ?? '',
    };
  });
}

function midOf(section: string[]): string {
  return section.find((l) => l.startsWith('a=mid:'))?.slice('a=mid:'.length) ?? '?';
}

/**
 * Which payload types of one offered m-section the SFU answers with: one media codec and its RTX.
 * The SFU's order wins over the browser's (VP8 before H264): it cannot transcode, so every publisher
 * should send what every subscriber decodes, and every WebRTC browser decodes VP8.
 */
function chooseFormats(kind: string, codecs: CodecLine[]): Set<string> {
  const supported = (kind === 'audio' ? AUDIO_CODECS : VIDEO_CODECS).map((m) => m.split('/')[1]);
  const usable = (c: CodecLine) => c.name !== 'h264' || /packetization-mode=1/.test(c.fmtp);
  const primary = supported.map((name) => codecs.find((c) => c.name === name && usable(c))).find((c) => c !== undefined);
  if (!primary) return new Set();
  const rtx = codecs.filter((c) => c.name === 'rtx' && new RegExp(`(^|;)\\s*apt=${primary.pt}(;|$)`).test(c.fmtp));
  return new Set([primary.pt, ...rtx.map((c) => c.pt)]);
}

const DROPPED_FEEDBACK = /^a=rtcp-fb:\S+ transport-cc\s*$/;
const TRANSPORT_CC_EXT = /^a=extmap:\d+(\/\w+)? \S*transport-wide-cc/;

/**
 * Narrows a browser's publish offer to what the SFU forwards: per audio/video m-section exactly one codec
 * (Opus; VP8, else H264 in packetization mode 1) plus its RTX, and no transport-wide-cc feedback. werift answers whatever it is offered that it
 * knows, and picks its NACK/PLI behaviour from the lowest payload type, so the offer is trimmed before it
 * sees it; the answer is then a subset of the original offer, which is all the browser requires.
 */
export function restrictPublishOffer(sdp: string): string {
  const { session, media } = sections(sdp);
  const out = [...session];
  for (const section of media) {
    const kind = section[0]!.slice(2).split(' ')[0]!;
    if (kind !== 'audio' && kind !== 'video') {
      out.push(...section);
      continue;
    }
    const port = section[0]!.split(' ')[1];
    const keep = chooseFormats(kind, codecsOf(section));
    if (keep.size === 0) {
      // A rejected (port 0) section may carry anything; a live one the SFU cannot forward is an error.
      if (port === '0') {
        out.push(...section);
        continue;
      }
      throw new SfuError(`no supported ${kind} codec offered for mid ${midOf(section)}`);
    }
    const [m, ...rest] = section;
    const head = m!.split(' ').slice(0, 3);
    out.push([...head, ...m!.split(' ').slice(3).filter((pt) => keep.has(pt))].join(' '));
    for (const line of rest) {
      const fmt = /^a=(rtpmap|fmtp|rtcp-fb):(\S+)/.exec(line);
      if (fmt && fmt[2] !== '*' && !keep.has(fmt[2]!)) continue;
      if (DROPPED_FEEDBACK.test(line) || TRANSPORT_CC_EXT.test(line)) continue;
      out.push(line);
    }
  }
  return join(out);
}

/** What a publish offer says of each m-section (by mid): kind, direction, and its simulcast rids lowest first. */
export interface OfferedSection {
  kind: string;
  direction: string;
  rejected: boolean;
  rids: string[];
}

/** The offered m-sections by mid, used to check a `publish` track list against its SDP. */
export function offeredSections(sdp: string): Map<string, OfferedSection> {
  const result = new Map<string, OfferedSection>();
  for (const section of sections(sdp).media) {
    const [kind, port] = section[0]!.slice(2).split(' ');
    const direction =
      section.find((l) => /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l))?.slice(2) ?? 'sendrecv';
    result.set(midOf(section), { kind: kind!, direction, rejected: port === '0', rids: simulcastRids(section) });
  }
  return result;
}

/**
 * The rids a section sends as simulcast, lowest first. The page names its layers by SIMULCAST_RIDS
 * (lowest first); other names keep the order of the `a=simulcast` line.
 */
function simulcastRids(section: string[]): string[] {
  const line = section.find((l) => l.startsWith('a=simulcast:send '));
  if (!line) return [];
  // "a=simulcast:send l;m;h" (alternatives "a,b" and paused "~x" take their first, unpaused name).
  const rids = line.slice('a=simulcast:send '.length).split(' ')[0]!.split(';').map((alt) => alt.split(',')[0]!.replace(/^~/, '')).filter((r) => r !== '');
  const known = rids.every((r) => (SIMULCAST_RIDS as readonly string[]).includes(r));
  return known ? [...rids].sort((a, b) => SIMULCAST_RIDS.indexOf(a as SimulcastRid) - SIMULCAST_RIDS.indexOf(b as SimulcastRid)) : rids;
}

/**
 * Candidates as the browser must see them: only those on the listen address when one is configured
 * (werift also lists the machine's other addresses), and with the announced address in place of the
 * local one when the SFU sits behind a NAT.
 */
export function rewriteCandidates(sdp: string, opts: SfuOptions): string {
  const listen = isWildcard(opts.listenIp) ? undefined : opts.listenIp;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of lines(sdp)) {
    if (!line.startsWith('a=candidate:')) {
      out.push(line);
      continue;
    }
    const fields = line.split(' ');
    const address = fields[4];
    if (listen && address !== listen) continue;
    if (opts.announcedIp) fields[4] = opts.announcedIp;
    const key = `${fields[2]} ${fields[4]} ${fields[5]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fields.join(' '));
  }
  return join(out);
}

/**
 * werift writes every `inactive` m-section with port 0, i.e. as rejected, yet keeps it in the BUNDLE
 * group. Chromium refuses such a description when the section is the group's first ("should be
 * rejected"), and a rejected section can never be used again. The SFU means "inactive, nothing flows
 * now", so bundled port-0 sections get the bundle's port 9 and `a=inactive`, except `stayRejected`:
 * sections the browser itself rejected in its offer, which an answer must reject too.
 */
export function unrejectInactive(sdp: string, stayRejected: ReadonlySet<string> = new Set()): string {
  const { session, media } = sections(sdp);
  const group = session.find((l) => l.startsWith('a=group:BUNDLE '));
  if (!group) return sdp;
  const bundled = new Set(group.split(' ').slice(1));
  const out = [...session];
  for (const section of media) {
    const fields = section[0]!.split(' ');
    const mid = midOf(section);
    if (fields[1] !== '0' || !bundled.has(mid) || stayRejected.has(mid)) {
      out.push(...section);
      continue;
    }
    fields[1] = '9';
    const lines = [fields.join(' '), ...section.slice(1).filter((l) => !/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l))];
    const at = lines.findIndex((l) => l.startsWith('a=mid:'));
    lines.splice(at >= 0 ? at : lines.length, 0, 'a=inactive');
    out.push(...lines);
  }
  return join(out);
}
