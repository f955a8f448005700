/**
 * SIPp (Debian sip-tester) as the caller in tests and benchmarks: scenarios are written per call
 * from the steps below (the meeting's code and passcode differ every run), then SIPp runs them.
 * The static scenario in test/sip/scenarios/dial-in.xml shows the same shape for manual runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PCAP_DIR = '/usr/share/sip-tester';
const KEY_PCAP: Record<string, string> = { '*': 'star', '#': 'pound' };

export type Step =
  /** Keys typed as RFC 2833 telephone-events (SIPp's dtmf_2833_*.pcap recordings). */
  | { keys: string }
  /** Keys sent as SIP INFO (application/dtmf-relay). */
  | { info: string }
  /** SIPp's G.711 A-law recording (7 s), played `times` times back to back. */
  | { speak: number }
  | { pause: number }
  /** The caller hangs up. */
  | { bye: true }
  /** The caller waits (up to `within` ms) for vconf to hang up, and answers its BYE. */
  | { awaitBye: number };

export interface CallOptions {
  /** The calling number (From's user part). */
  from: string;
  /** Where vconf should send the caller's audio (an SDP port of the test's own socket); default SIPp's media port. */
  mediaPort?: number;
  /** Offered formats (m= line) and rtpmaps; default PCMA + telephone-event 101. */
  sdpMedia?: string;
  extraInviteHeaders?: string[];
  steps: Step[];
}

const KEY_GAP_MS = 200;

function headers(): string {
  return `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[service]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:vconf@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]`;
}

export function scenarioXml(opts: CallOptions): string {
  const media = opts.sdpMedia ?? `m=audio ${opts.mediaPort ?? '[media_port]'} RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15`;
  let cseq = 1;
  const parts: string[] = [
    `<send retrans="500"><![CDATA[
      INVITE sip:vconf@[remote_ip]:[remote_port] SIP/2.0
      ${headers().replace('[peer_tag_param]', '')}
      CSeq: 1 INVITE
      Contact: <sip:[service]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Supported: timer${(opts.extraInviteHeaders ?? []).map((h) => `\n      ${h}`).join('')}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      ${media}
    ]]></send>`,
    `<recv response="100" optional="true"/>`,
    `<recv response="180" optional="true"/>`,
    `<recv response="200" rrs="true"/>`,
    `<send><![CDATA[
      ACK [next_url] SIP/2.0
      ${headers()}
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]></send>`,
  ];
  for (const step of opts.steps) {
    if ('keys' in step) {
      for (const key of step.keys) {
        parts.push(`<nop><action><exec play_pcap_audio="${PCAP_DIR}/dtmf_2833_${KEY_PCAP[key] ?? key}.pcap"/></action></nop>`, `<pause milliseconds="${KEY_GAP_MS}"/>`);
      }
    } else if ('info' in step) {
      for (const key of step.info) {
        cseq++;
        parts.push(
          `<send><![CDATA[
      INFO [next_url] SIP/2.0
      ${headers()}
      CSeq: ${cseq} INFO
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${key}
      Duration=160
    ]]></send>`,
          `<recv response="200"/>`,
        );
      }
    } else if ('speak' in step) {
      for (let i = 0; i < step.speak; i++) parts.push(`<nop><action><exec play_pcap_audio="${PCAP_DIR}/g711a.pcap"/></action></nop>`, `<pause milliseconds="7100"/>`);
    } else if ('pause' in step) {
      parts.push(`<pause milliseconds="${step.pause}"/>`);
    } else if ('bye' in step) {
      cseq++;
      parts.push(
        `<send><![CDATA[
      BYE [next_url] SIP/2.0
      ${headers()}
      CSeq: ${cseq} BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]></send>`,
        `<recv response="200"/>`,
      );
    } else {
      parts.push(
        `<recv request="BYE" timeout="${step.awaitBye}"/>`,
        `<send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]></send>`,
      );
    }
  }
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="vconf dial-in">\n  ${parts.join('\n  ')}\n</scenario>\n`;
}

export interface SippRun {
  code: number | null;
  /** SIPp's error log (unexpected messages, timeouts), without its warnings about a busy machine. */
  errors: string;
  stdout: string;
}

let nextPort = 30000 + Math.floor(Math.random() * 1200) * 8;

/**
 * Fresh local ports for one SIPp so parallel runs do not collide: signaling, then media (SIPp
 * takes the media port and the three above it: RTCP, video, video RTCP).
 */
function ports(): { sip: number; media: number } {
  nextPort += 8;
  if (nextPort > 39980) nextPort = 30000;
  return { sip: nextPort, media: nextPort + 2 };
}

/** Places one call with SIPp; resolves when SIPp exits (0 = the scenario ran as written). */
export function runSipp(target: string, xml: string, opts: { localIp?: string; service?: string; calls?: number; rate?: number; timeoutS?: number } = {}): Promise<SippRun> {
  const dir = mkdtempSync(join(tmpdir(), 'vconf-sipp-'));
  const file = join(dir, 'scenario.xml');
  writeFileSync(file, xml);
  const p = ports();
  const calls = opts.calls ?? 1;
  const args = [
    '-sf', file,
    '-m', String(calls),
    '-l', String(calls),
    '-r', String(opts.rate ?? 10),
    '-s', opts.service ?? '13812345678',
    '-i', opts.localIp ?? '127.0.0.1',
    '-p', String(p.sip),
    '-mp', String(p.media),
    '-t', 'u1',
    '-timeout', `${opts.timeoutS ?? 120}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file', join(dir, 'errors.log'),
    target,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-20_000)));
    child.stderr.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      let errors = '';
      try {
        errors = readFileSync(join(dir, 'errors.log'), 'utf8');
      } catch {
        // no errors logged
      }
      rmSync(dir, { recursive: true, force: true });
      // On a loaded machine SIPp notes its own scheduling delays; those are not the call's failures.
      errors = errors
        .split('\n')
        .filter((line) => line.trim() && !/watchdog timer|The following events occurred/.test(line))
        .join('\n');
      resolve({ code, errors, stdout });
    });
  });
}
