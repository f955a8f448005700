import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { BlockList, isIP } from 'node:net';
import sip, { type NameAddr, type Remote, type SipMessage, type Stack } from 'sip';
import type { Logger } from 'pino';
import { infoKey } from './dtmf.js';
import { PhoneCall, type PhoneDeps } from './phone-call.js';
import { RtpLeg, RtpPorts } from './rtp-leg.js';
import { readOffer, writeAnswer, type AudioOffer } from './sdp.js';
import { expiryMs, MIN_SE, negotiateTimer, supports } from './session-timer.js';

export interface SipOptions {
  /** Address and port SIP listens on (UDP and TCP). */
  host: string;
  port: number;
  /** Address put into Contact and SDP (a public address in front of a NAT); default the listen address. */
  announcedIp?: string | undefined;
  /** Sources allowed to call (addresses or CIDRs of the trunk or proxy); empty = nobody. */
  trusted: string[];
  /** UDP ports of the calls' RTP, inclusive. */
  rtpPorts: [number, number];
  /** Calls answered at once at most; more get 503. */
  maxCalls?: number;
  /** Ringing before the answer (a pause a CANCEL can arrive in); default none. */
  ringMs?: number;
  /** A call whose caller sends no RTP for this long is ended (they vanished without a BYE). */
  mediaTimeoutMs?: number;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE';
const SUPPORTED = 'timer';
const T1 = 500;
const T2 = 4000;
const DEFAULT_MAX_CALLS = 200;
const DEFAULT_MEDIA_TIMEOUT_MS = 60_000;

interface Dialog {
  callId: string;
  localTag: string;
  /** The INVITE that made it (its headers build every response and our BYE). */
  invite: SipMessage;
  remote: Remote;
  leg: RtpLeg;
  call: PhoneCall;
  offer: AudioOffer;
  sessionId: string;
  version: number;
  localSeq: number;
  answered: boolean;
  acked: boolean;
  ended: boolean;
  retransmit?: NodeJS.Timeout;
  ringing?: NodeJS.Timeout;
  expiry?: NodeJS.Timeout;
  refresh?: NodeJS.Timeout;
  mediaWatch?: NodeJS.Timeout;
  lastPackets: number;
  /** The last 2xx to the INVITE, resent until the ACK comes. */
  ok?: SipMessage;
}

/**
 * vconf's SIP user agent (docs/dial-in.md): answers calls from the trusted trunk with G.711 and
 * telephone-events, keeps each dialog (re-INVITE, UPDATE, INFO, BYE, CANCEL, RFC 4028 session
 * timers) and refuses what it cannot do with the proper status. What a call means is PhoneCall's.
 */
export class SipEndpoint {
  private stack: Stack | undefined;
  private readonly dialogs = new Map<string, Dialog>();
  private readonly trusted = new BlockList();
  private readonly ports: RtpPorts;
  private readonly address: string;

  constructor(
    private readonly opts: SipOptions,
    private readonly deps: PhoneDeps,
    private readonly log: Logger,
  ) {
    for (const entry of opts.trusted) addTrusted(this.trusted, entry);
    this.address = opts.announcedIp ?? opts.host;
    this.ports = new RtpPorts(opts.rtpPorts, opts.host);
  }

  get calls(): number {
    return this.dialogs.size;
  }

  /** Whether a dialog (by Call-ID) is still up here. */
  hasCall(callId: string): boolean {
    return this.dialogs.has(callId);
  }

  /** Participants of a meeting who are on the telephone here. */
  callsIn(conferenceId: string): PhoneCall[] {
    return [...this.dialogs.values()].map((d) => d.call).filter((c) => c.conferenceId === conferenceId);
  }

  async start(): Promise<void> {
    // The sip package binds without reporting failures (an unhandled error event): check first.
    await portFree(this.opts.host, this.opts.port);
    this.stack = sip.create(
      {
        address: this.opts.host,
        port: this.opts.port,
        publicAddress: this.address,
        udp: true,
        tcp: true,
        logger: {
          error: (err) => this.log.warn({ err }, 'sip stack error'),
          send: (m, target) => this.log.trace({ to: target, line: m.method ?? m.status, callId: m.headers['call-id'] }, 'sip sent'),
        },
      },
      (request, remote) => {
        try {
          this.onRequest(request, remote);
        } catch (err) {
          this.log.error({ err, method: request.method }, 'sip request failed');
          if (request.method !== 'ACK') this.reply(request, 500, 'Server Internal Error');
        }
      },
    );
  }

  /** Hangs up every call (BYE) and stops listening. */
  async close(): Promise<void> {
    for (const dialog of [...this.dialogs.values()]) this.bye(dialog, 'server closing');
    // A moment for the BYEs to leave before the sockets close.
    if (this.dialogs.size > 0 || this.stack) await new Promise((r) => setTimeout(r, 50));
    this.stack?.destroy();
    this.stack = undefined;
  }

  private onRequest(rq: SipMessage, remote: Remote): void {
    if (!this.trusted.check(remote.address, isIP(remote.address) === 6 ? 'ipv6' : 'ipv4')) {
      this.log.warn({ from: remote.address, method: rq.method }, 'sip request from an untrusted source refused');
      if (rq.method !== 'ACK') this.reply(rq, 403, 'Forbidden');
      return;
    }
    const dialog = this.dialogs.get(rq.headers['call-id']);
    const inDialog = rq.headers.to.params.tag !== undefined;
    switch (rq.method) {
      case 'INVITE':
        if (!inDialog) return void this.invite(rq, remote);
        return dialog && dialog.localTag === rq.headers.to.params.tag ? this.reInvite(dialog, rq) : this.reply(rq, 481, 'Call/Transaction Does Not Exist');
      case 'ACK':
        if (dialog && !dialog.acked) {
          dialog.acked = true;
          clearTimeout(dialog.retransmit);
        }
        return;
      case 'CANCEL':
        return this.cancel(dialog, rq);
      case 'BYE':
        if (!dialog || !matches(dialog, rq)) return this.reply(rq, 481, 'Call/Transaction Does Not Exist');
        this.reply(rq, 200, 'OK');
        return this.end(dialog, 'caller hung up');
      case 'UPDATE':
        if (!dialog || !matches(dialog, rq)) return this.reply(rq, 481, 'Call/Transaction Does Not Exist');
        return this.reInvite(dialog, rq);
      case 'INFO':
        return this.info(dialog, rq);
      case 'OPTIONS':
        return this.reply(rq, 200, 'OK', { allow: ALLOW, accept: 'application/sdp', supported: SUPPORTED });
      default:
        return this.reply(rq, 405, 'Method Not Allowed', { allow: ALLOW });
    }
  }

  private async invite(rq: SipMessage, remote: Remote): Promise<void> {
    const callId = rq.headers['call-id'];
    if (this.dialogs.has(callId)) return; // a retransmission the transaction layer did not absorb
    const required = headerList(rq.headers.require).filter((o) => o !== 'timer');
    if (required.length > 0) return this.reply(rq, 420, 'Bad Extension', { unsupported: required.join(', ') });
    const type = (rq.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!rq.content) return this.reply(rq, 488, 'Not Acceptable Here', { warning: '399 vconf "an SDP offer is required in the INVITE"' });
    if (type !== 'application/sdp') return this.reply(rq, 415, 'Unsupported Media Type', { accept: 'application/sdp' });
    const verdict = readOffer(rq.content);
    if (!verdict.ok) return this.reply(rq, 488, 'Not Acceptable Here', { warning: `305 vconf "${verdict.why}"` });
    const timer = negotiateTimer(rq.headers);
    if (!timer.ok) return this.reply(rq, 422, 'Session Interval Too Small', { 'min-se': String(timer.minSe) });
    if (this.dialogs.size >= (this.opts.maxCalls ?? DEFAULT_MAX_CALLS)) return this.reply(rq, 503, 'Service Unavailable', { 'retry-after': '30' });
    this.reply(rq, 100, 'Trying');
    let socket;
    try {
      socket = await this.ports.open();
    } catch {
      this.log.warn('no RTP port left for a call');
      return this.reply(rq, 503, 'Service Unavailable', { 'retry-after': '30' });
    }
    const leg = new RtpLeg(socket, verdict.offer);
    const caller = callingNumber(rq);
    const dialog: Dialog = {
      callId,
      localTag: randomBytes(8).toString('hex'),
      invite: rq,
      remote,
      leg,
      offer: verdict.offer,
      call: undefined as unknown as PhoneCall,
      sessionId: String(Date.now()),
      version: 1,
      localSeq: 1,
      answered: false,
      acked: false,
      ended: false,
      lastPackets: 0,
    };
    dialog.call = new PhoneCall(this.deps, caller, leg, (why) => this.bye(dialog, why));
    this.dialogs.set(callId, dialog);
    this.log.info({ callId, from: remote.address, caller: caller ? `${caller.slice(0, 3)}…` : undefined, law: verdict.offer.law }, 'call arriving');
    const answer = () => {
      if (dialog.ended) return;
      const ok = this.response(rq, 200, 'OK', dialog, this.timerHeaders(timer), this.answerSdp(dialog));
      dialog.ok = ok;
      dialog.answered = true;
      this.stack?.send(ok);
      this.retransmitOk(dialog, T1);
      this.armTimer(dialog, timer);
      this.watchMedia(dialog);
      dialog.call.start();
    };
    const ring = this.opts.ringMs ?? 0;
    if (ring > 0) {
      this.stack?.send(this.response(rq, 180, 'Ringing', dialog));
      dialog.ringing = setTimeout(answer, ring);
    } else answer();
  }

  private reInvite(dialog: Dialog, rq: SipMessage): void {
    const timer = negotiateTimer(rq.headers);
    if (!timer.ok) return this.reply(rq, 422, 'Session Interval Too Small', { 'min-se': String(timer.minSe) });
    let sdp: string | undefined;
    if (rq.content) {
      const type = (rq.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/sdp') return this.reply(rq, 415, 'Unsupported Media Type', { accept: 'application/sdp' });
      const verdict = readOffer(rq.content);
      if (!verdict.ok) return this.reply(rq, 488, 'Not Acceptable Here', { warning: `305 vconf "${verdict.why}"` });
      // A new answer is a new version of vconf's session description (RFC 3264 §8).
      if (JSON.stringify(verdict.offer) !== JSON.stringify(dialog.offer)) dialog.version++;
      dialog.offer = verdict.offer;
      dialog.leg.update(verdict.offer);
      sdp = this.answerSdp(dialog);
    } else if (rq.method === 'INVITE') {
      sdp = this.answerSdp(dialog);
    }
    const ok = this.response(rq, 200, 'OK', dialog, this.timerHeaders(timer), sdp);
    this.stack?.send(ok);
    if (rq.method === 'INVITE') {
      dialog.ok = ok;
      dialog.acked = false;
      this.retransmitOk(dialog, T1);
    }
    this.armTimer(dialog, timer);
  }

  private cancel(dialog: Dialog | undefined, rq: SipMessage): void {
    if (!dialog || dialog.invite.headers.via[0]?.params.branch !== rq.headers.via[0]?.params.branch) return this.reply(rq, 481, 'Call/Transaction Does Not Exist');
    this.reply(rq, 200, 'OK');
    // Once answered, a CANCEL changes nothing (the caller sends BYE instead).
    if (dialog.answered) return;
    this.stack?.send(this.response(dialog.invite, 487, 'Request Terminated', dialog));
    this.end(dialog, 'cancelled');
  }

  private info(dialog: Dialog | undefined, rq: SipMessage): void {
    if (!dialog || !matches(dialog, rq)) return this.reply(rq, 481, 'Call/Transaction Does Not Exist');
    if (!rq.content) return this.reply(rq, 200, 'OK');
    const key = infoKey(rq.headers['content-type'], rq.content);
    if (key === undefined) return this.reply(rq, 415, 'Unsupported Media Type', { accept: 'application/dtmf-relay, application/dtmf' });
    this.reply(rq, 200, 'OK');
    dialog.call.key(key);
  }

  /** vconf hangs up: BYE once answered, otherwise a final refusal of the INVITE. */
  private bye(dialog: Dialog, why: string): void {
    if (dialog.ended) return;
    if (!dialog.answered) {
      this.stack?.send(this.response(dialog.invite, 480, 'Temporarily Unavailable', dialog));
      return this.end(dialog, why);
    }
    const request = this.inDialogRequest(dialog, 'BYE');
    this.stack?.send(request, () => undefined);
    this.end(dialog, why);
  }

  private end(dialog: Dialog, why: string): void {
    if (dialog.ended) return;
    dialog.ended = true;
    for (const t of [dialog.retransmit, dialog.ringing, dialog.expiry, dialog.refresh, dialog.mediaWatch]) clearTimeout(t);
    this.dialogs.delete(dialog.callId);
    this.log.info({ callId: dialog.callId, why }, 'call ended');
    dialog.call.hungUp().catch((err: unknown) => this.log.error({ err }, 'ending a call failed'));
  }

  /**
   * A request of vconf's within the dialog (BYE, UPDATE) to the caller's Contact, with its
   * Record-Route set, sent back the way the INVITE came (the trusted trunk: over its TCP connection,
   * or from the SIP socket to its address). A first Route naming that flow makes the stack do so;
   * the stack removes it before sending.
   */
  private inDialogRequest(dialog: Dialog, method: string, extra: Record<string, unknown> = {}): SipMessage {
    const invite = dialog.invite;
    const contact = Array.isArray(invite.headers.contact) ? invite.headers.contact[0] : undefined;
    const flow = this.stack ? [{ uri: sip.stringifyUri({ ...this.stack.encodeFlowUri(dialog.remote), params: { lr: null } }), params: {} }] : [];
    const routes = [...flow, ...(invite.headers['record-route'] ?? [])];
    return {
      method,
      uri: contact?.uri ?? invite.headers.from.uri,
      headers: {
        via: [],
        to: invite.headers.from,
        from: { ...invite.headers.to, params: { ...invite.headers.to.params, tag: dialog.localTag } },
        'call-id': dialog.callId,
        cseq: { seq: dialog.localSeq++, method },
        'max-forwards': '70',
        ...(routes && routes.length > 0 ? { route: routes } : {}),
        ...extra,
      },
    };
  }

  private response(rq: SipMessage, status: number, reason: string, dialog?: Dialog, headers: Record<string, unknown> = {}, sdp?: string): SipMessage {
    const to = dialog && status > 100 ? { ...rq.headers.to, params: { ...rq.headers.to.params, tag: dialog.localTag } } : rq.headers.to;
    const extension: { headers: Record<string, unknown>; content?: string } = {
      headers: {
        to,
        ...(rq.headers['record-route'] ? { 'record-route': rq.headers['record-route'] } : {}),
        ...(dialog && status < 300 && status > 100 ? { contact: [{ uri: `sip:vconf@${hostPart(this.address)}:${this.opts.port}`, params: {} }] } : {}),
        ...(status === 200 ? { allow: ALLOW, supported: SUPPORTED } : {}),
        'user-agent': 'vconf',
        ...headers,
      },
    };
    if (sdp) {
      extension.headers['content-type'] = 'application/sdp';
      extension.content = sdp;
    }
    return sip.makeResponse(rq, status, reason, extension);
  }

  private reply(rq: SipMessage, status: number, reason: string, headers: Record<string, unknown> = {}): void {
    this.stack?.send(this.response(rq, status, reason, undefined, { ...headers }));
  }

  private answerSdp(dialog: Dialog): string {
    return writeAnswer(dialog.offer, { address: this.address, port: dialog.leg.port, sessionId: dialog.sessionId, version: dialog.version });
  }

  /** Over UDP the 2xx to an INVITE is resent (T1, doubling to T2) until the ACK; no ACK within 64·T1 ends the call. */
  private retransmitOk(dialog: Dialog, wait: number, elapsed = 0): void {
    clearTimeout(dialog.retransmit);
    if (dialog.remote.protocol.toUpperCase() !== 'UDP') return;
    dialog.retransmit = setTimeout(() => {
      if (dialog.acked || dialog.ended || !dialog.ok) return;
      if (elapsed + wait >= 64 * T1) return this.bye(dialog, 'no ACK');
      this.stack?.send(dialog.ok);
      this.retransmitOk(dialog, Math.min(wait * 2, T2), elapsed + wait);
    }, wait);
  }

  private timerHeaders(timer: ReturnType<typeof negotiateTimer>): Record<string, string> {
    if (!timer.ok || timer.interval === undefined) return {};
    return { 'session-expires': `${timer.interval};refresher=${timer.refresher}`, ...(timer.require ? { require: 'timer' } : {}), 'min-se': String(MIN_SE) };
  }

  /** RFC 4028: the refresher re-INVITEs or UPDATEs before the interval ends; vconf refreshes when it is the refresher. */
  private armTimer(dialog: Dialog, timer: ReturnType<typeof negotiateTimer>): void {
    clearTimeout(dialog.expiry);
    clearTimeout(dialog.refresh);
    if (!timer.ok || timer.interval === undefined) return;
    const interval = timer.interval;
    if (timer.refresher === 'uac') {
      dialog.expiry = setTimeout(() => this.bye(dialog, 'session timer expired'), expiryMs(interval));
      return;
    }
    dialog.refresh = setTimeout(() => {
      const update = this.inDialogRequest(dialog, 'UPDATE', { 'session-expires': `${interval};refresher=uas`, supported: SUPPORTED });
      this.stack?.send(update, (rs) => {
        if ((rs.status ?? 0) >= 300 && rs.status !== 491) this.bye(dialog, `session refresh refused (${rs.status})`);
      });
      this.armTimer(dialog, timer);
    }, (interval * 1000) / 2);
  }

  /** A caller who vanished (no BYE, no RTP) is hung up after the media timeout. */
  private watchMedia(dialog: Dialog): void {
    const every = this.opts.mediaTimeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS;
    dialog.mediaWatch = setTimeout(() => {
      const now = dialog.leg.packetsIn;
      const held = dialog.offer.direction === 'inactive' || dialog.offer.direction === 'recvonly';
      if (now === dialog.lastPackets && !held) return this.bye(dialog, 'no media');
      dialog.lastPackets = now;
      this.watchMedia(dialog);
    }, every);
  }
}

function matches(dialog: Dialog, rq: SipMessage): boolean {
  return rq.headers.to.params.tag === dialog.localTag;
}

function headerList(value: unknown): string[] {
  return typeof value === 'string' ? value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : [];
}

/** The calling number: the user part of P-Asserted-Identity, else of From; undefined when withheld. */
export function callingNumber(rq: SipMessage): string | undefined {
  const asserted = typeof rq.headers['p-asserted-identity'] === 'string' ? /<?(?:sips?|tel):\+?([^@;>]+)/.exec(rq.headers['p-asserted-identity'])?.[1] : undefined;
  const from = /^(?:sips?|tel):([^@;]+)/.exec(rq.headers.from.uri)?.[1];
  const number = (asserted ?? from ?? '').replace(/[^0-9+]/g, '');
  if (!/[0-9]{3,}/.test(number) || /anonymous/i.test(rq.headers.from.uri)) return undefined;
  return number;
}

function addTrusted(list: BlockList, entry: string): void {
  const [address, bits] = entry.split('/');
  const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
  if (!address || !isIP(address)) throw new RangeError(`trusted SIP source must be an address or CIDR, got "${entry}"`);
  if (bits === undefined) list.addAddress(address, family);
  else list.addSubnet(address, Number(bits), family);
}

function hostPart(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** Fails when the SIP port is taken on UDP or TCP. */
async function portFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', (err) => reject(new Error(`SIP port ${host}:${port}/udp: ${err.message}`)));
    s.bind(port, host, () => s.close(() => resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (err) => reject(new Error(`SIP port ${host}:${port}/tcp: ${err.message}`)));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

export type { NameAddr };
