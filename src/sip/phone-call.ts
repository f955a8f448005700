import type { Logger } from 'pino';
import { DIAL_IN_TRIES, maskNumber, type DialInRefusal, type DialInService } from '../domain/dial-in.js';
import { Rejection } from '../domain/rejection.js';
import type { LiveRoom, Participant, Peer } from '../rtc/live-room.js';
import type { RoomHub } from '../rtc/room-hub.js';
import type { LocalPublisher } from '../rtc/sfu/local-voice.js';
import { pcmAudioLevel } from '../rtc/sfu/audio-level.js';
import type { Sfu } from '../rtc/sfu/sfu.js';
import { FRAME_SAMPLES } from './g711.js';
import { FrameClock } from './frame-clock.js';
import { OpusVoice } from './opus-voice.js';
import { PromptPlayer, type Prompts } from './prompts.js';
import type { PromptName } from './prompt-texts.js';
import { RoomMixer, type MixedPhone } from './room-mixer.js';
import type { TicketClaims } from '../domain/tickets.js';
import type { BridgeLink } from './phone-bridge.js';
import { FrameQueue } from './sample-queue.js';

/** Where a call's audio and keys come from and go to: its RTP leg, or a bridge socket on the host. */
export interface CallLeg {
  onFrame: (pcm: Int16Array) => void;
  onKey: (key: string) => void;
  send(pcm: Int16Array): void;
  close(): void;
}

/** What every call shares: the prompts, admission, the rooms and their mixers. */
export interface PhoneDeps {
  prompts: Prompts;
  dialIn: DialInService;
  rooms: RoomHub;
  sfu: Sfu;
  mixers: Map<string, RoomMixer>;
  log: Logger;
  /** How long the menu waits for a key before it gives up. */
  menuTimeoutMs?: number;
  /**
   * Where the meeting's room lives (several instances, docs/deploy.md): placed here when nobody
   * hosts it; another instance's id when it is live there. Default: always here.
   */
  placeRoom?: (conferenceId: string) => Promise<{ here: true } | { here: false; host: string; url: string }>;
  /** Opens the audio bridge to the instance hosting the room (phone-bridge.ts). */
  openBridge?: (url: string, claims: TicketClaims, caller: string | undefined) => Promise<BridgeLink>;
}

const MENU_TIMEOUT_MS = 60_000;
const MAX_DIGITS = 32;
/** `*` then `6` within this time toggles the caller's mute. */
const STAR_WINDOW_MS = 3000;

/** A refusal of the menu or the room, and the prompt that says it. */
const REFUSAL_PROMPTS: Record<DialInRefusal | 'full' | 'busy' | 'banned' | 'notFound', PromptName> = {
  wrong: 'wrong',
  blocked: 'blocked',
  notStarted: 'notStarted',
  ended: 'ended',
  locked: 'locked',
  internalOnly: 'internalOnly',
  removed: 'removed',
  banned: 'removed',
  full: 'full',
  busy: 'busy',
  notFound: 'ended',
};

type Stage = 'code' | 'passcode' | 'checking' | 'joining' | 'room' | 'bridged' | 'leaving' | 'over';

/**
 * One caller from answer to hang-up: the voice menu (meeting code, passcode, three tries), then a
 * participant of the live room whose voice the SFU forwards as Opus and who hears the room mixed
 * on the server. The SIP side (sip-endpoint.ts) owns the dialog; this owns what the call means.
 */
export class PhoneCall implements MixedPhone {
  readonly voice = new FrameQueue();
  private stage: Stage = 'code';
  private digits = '';
  private code = '';
  private tries = 0;
  private readonly player = new PromptPlayer();
  private readonly menuClock = new FrameClock(() => this.leg.send(this.player.next() ?? silence));
  private menuTimer: NodeJS.Timeout | undefined;
  private starAt = 0;
  private session: { room: LiveRoom; participantId: string; conferenceId: string; publisher: LocalPublisher | undefined; mixer: RoomMixer } | undefined;
  private readonly opus = new OpusVoice();
  private mic = true;
  /** The peer the room talks to; its identity guards leave() against a replaced connection. */
  /** The bridge to the room's host while this call's room is on another instance. */
  private bridge: BridgeLink | undefined;
  private readonly peer: Peer = { send: (m) => this.fromRoom(m as RoomMessage), close: () => this.roomClosed() };

  constructor(
    private readonly deps: PhoneDeps,
    readonly caller: string | undefined,
    private readonly leg: CallLeg,
    /** Ends the dialog from vconf's side (BYE); the endpoint then calls hungUp(). */
    private readonly hangUp: (why: string) => void,
  ) {
    // Keys are never logged: they are meeting codes and passcodes.
    leg.onKey = (key) => this.key(key);
    leg.onFrame = (pcm) => this.frame(pcm);
  }

  get participantId(): string | undefined {
    return this.session?.participantId;
  }

  get conferenceId(): string | undefined {
    return this.session?.conferenceId;
  }

  /** The call is answered: the menu greets the caller. */
  start(): void {
    this.menuClock.start();
    this.say('welcome');
    this.armMenuTimer();
  }

  /** A key from RFC 2833 events or SIP INFO. */
  key(key: string): void {
    if (this.stage === 'room') return this.roomKey(key);
    if (this.stage === 'bridged') return this.bridge?.key(key);
    if (this.stage !== 'code' && this.stage !== 'passcode') return;
    // Barge-in: a caller who knows what to type need not listen to the end.
    this.player.stop();
    this.armMenuTimer();
    if (key === '*') {
      this.digits = '';
      return;
    }
    if (key !== '#') {
      if (this.digits.length < MAX_DIGITS && /^[0-9]$/.test(key)) this.digits += key;
      return;
    }
    const entered = this.digits;
    this.digits = '';
    if (this.stage === 'code') {
      this.code = entered;
      this.stage = 'passcode';
      this.say('passcode');
      return;
    }
    void this.check(this.code, entered);
  }

  /** The caller hung up (BYE) or the dialog died: leave the room, free everything. */
  async hungUp(): Promise<void> {
    if (this.stage === 'over') return;
    this.stage = 'over';
    this.menuClock.stop();
    clearTimeout(this.menuTimer);
    this.leg.close();
    this.bridge?.close();
    this.bridge = undefined;
    await this.leaveRoom();
  }

  /**
   * On the room's host: a call answered by another instance, whose menu admitted it there, enters
   * the room at once. It is never bridged on again: a room not hosted here refuses it.
   */
  async enterBridged(claims: TicketClaims): Promise<void> {
    if (this.stage !== 'code') return;
    await this.join(claims, true);
  }

  // MixedPhone: the mixer's view of this caller.
  heard(): boolean {
    return this.mic && this.stage === 'room';
  }

  hear(frame: Int16Array): void {
    const prompt = this.player.next();
    if (prompt) for (let i = 0; i < FRAME_SAMPLES; i++) frame[i] = clamp(frame[i]! + prompt[i]!);
    this.leg.send(frame);
  }

  private async check(code: string, passcode: string): Promise<void> {
    this.stage = 'checking';
    clearTimeout(this.menuTimer);
    let result;
    try {
      result = await this.deps.dialIn.admit(this.caller, code, passcode);
    } catch (err) {
      this.deps.log.error({ err }, 'dial-in admission failed');
      return this.finish('busy');
    }
    if (this.stage !== 'checking') return;
    if (!result.ok) {
      if (result.reason !== 'wrong') return this.finish(REFUSAL_PROMPTS[result.reason]);
      this.tries++;
      if (this.tries >= DIAL_IN_TRIES) return this.finish('tooManyTries');
      this.stage = 'code';
      this.say('wrong');
      this.armMenuTimer();
      return;
    }
    await this.join(result.claims);
  }

  private async join(claims: TicketClaims, bridged = false): Promise<void> {
    this.stage = 'joining';
    const { conferenceId } = claims;
    const where = this.deps.placeRoom ? await this.deps.placeRoom(conferenceId) : { here: true as const };
    if (this.stage !== 'joining') return;
    if (!where.here) {
      if (bridged || !this.deps.openBridge) {
        this.deps.log.warn({ conferenceId, host: where.host }, 'phone caller refused: the meeting is hosted on another instance');
        return this.finish('busy');
      }
      return this.bridgeTo(where, claims);
    }
    let publisher: LocalPublisher | undefined;
    let mixer = this.deps.mixers.get(conferenceId);
    try {
      const entered = await this.deps.rooms.enterLocal(claims, maskNumber(this.caller), this.peer, 'phone', async (participantId) => {
        const media = this.deps.sfu.room(conferenceId);
        publisher = media.addLocalParticipant(participantId);
        if (!mixer) {
          mixer = new RoomMixer(media);
          this.deps.mixers.set(conferenceId, mixer);
        }
      });
      if (!mixer) throw new Error('no mixer');
      this.session = { ...entered, conferenceId, publisher, mixer };
    } catch (err) {
      if (err instanceof Rejection) return this.finish(REFUSAL_PROMPTS[err.reason as keyof typeof REFUSAL_PROMPTS] ?? 'busy');
      this.deps.log.error({ err }, 'phone caller could not enter the room');
      return this.finish('busy');
    }
    // Hung up while entering: leave at once.
    if (this.stage !== 'joining') return void this.leaveRoom();
    this.stage = 'room';
    this.mic = this.session.room.roster().find((p) => p.participantId === this.session?.participantId)?.mic ?? true;
    this.menuClock.stop();
    this.say(claims.role === 'host' ? 'joiningHost' : 'joining');
    mixer.add(this);
    this.deps.log.info({ conferenceId, participantId: this.session.participantId }, 'phone caller joined');
  }

  /** The room is on another instance: the caller's audio and keys go there, what they hear comes back. */
  private async bridgeTo(where: { host: string; url: string }, claims: TicketClaims): Promise<void> {
    let link: BridgeLink;
    try {
      link = await this.deps.openBridge!(where.url, claims, this.caller);
    } catch (err) {
      this.deps.log.warn({ err, conferenceId: claims.conferenceId, host: where.host }, 'phone caller refused: the meeting\'s host cannot be reached');
      return this.finish('busy');
    }
    if (this.stage !== 'joining') return link.close();
    this.stage = 'bridged';
    this.bridge = link;
    this.menuClock.stop();
    link.onFrame = (pcm) => this.leg.send(pcm);
    link.onEnd = (why) => {
      this.bridge = undefined;
      if (this.stage !== 'bridged') return;
      // The host played its last words and hung up; a bridge lost without them means the host is gone.
      if (why) {
        this.stage = 'leaving';
        this.hangUp(why);
      } else {
        this.deps.log.warn({ conferenceId: claims.conferenceId, host: where.host }, 'bridged phone call lost its host');
        void this.finish('busy');
      }
    };
    this.deps.log.info({ conferenceId: claims.conferenceId, host: where.host }, 'phone caller bridged to the meeting\'s host');
  }

  private frame(pcm: Int16Array): void {
    if (this.stage === 'bridged') return this.bridge?.frame(pcm);
    if (this.stage !== 'room' || !this.session) return;
    if (!this.mic) {
      this.opus.skip();
      return;
    }
    this.voice.push(pcm.slice());
    // The level goes with the packet: the room decides who speaks, as for a browser's microphone.
    this.session.publisher?.send(this.opus.packet(pcm), pcmAudioLevel(pcm));
  }

  private roomKey(key: string): void {
    const now = Date.now();
    if (key === '*') {
      this.starAt = now;
      return;
    }
    if (key === '6' && now - this.starAt < STAR_WINDOW_MS && this.session) {
      this.starAt = 0;
      this.session.room.updateMedia(this.session.participantId, { mic: !this.mic, camera: false, screen: false });
    }
  }

  /** What the room tells a participant's page, read for what matters on a telephone. */
  private fromRoom(m: RoomMessage): void {
    const me = this.session?.participantId;
    switch (m.type) {
      case 'participant-updated':
        if (!me || m.participant?.participantId !== me) return;
        if (m.participant.mic !== this.mic) {
          this.mic = m.participant.mic;
          this.say(this.mic ? 'unmuted' : 'muted');
        }
        return;
      case 'unmute-request':
        // A telephone has no button to accept with: the host's (or the API's) unmute takes effect.
        if (me) this.session?.room.updateMedia(me, { mic: true, camera: false, screen: false });
        return;
      case 'removed':
        this.closingPrompt = 'removed';
        return;
      case 'ended':
        this.closingPrompt = 'ended';
        return;
      default:
        return;
    }
  }

  private closingPrompt: PromptName | undefined;

  /** The room closed this participant (removed, the meeting ended, the server closing). */
  private roomClosed(): void {
    if (this.stage !== 'room') return;
    void this.finish(this.closingPrompt ?? 'busy', true);
  }

  /** Says a last prompt, then hangs up. */
  private async finish(prompt: PromptName, closedByRoom = false): Promise<void> {
    if (this.stage === 'over' || this.stage === 'leaving') return;
    this.stage = 'leaving';
    clearTimeout(this.menuTimer);
    this.bridge?.close();
    this.bridge = undefined;
    if (closedByRoom) this.detachFromRoom();
    else await this.leaveRoom();
    this.player.stop();
    this.player.play(this.deps.prompts[prompt], () => this.hangUp(prompt));
    this.menuClock.start();
  }

  private say(prompt: PromptName): void {
    this.player.play(this.deps.prompts[prompt]);
  }

  private armMenuTimer(): void {
    clearTimeout(this.menuTimer);
    this.menuTimer = setTimeout(() => void this.finish('noInput'), this.deps.menuTimeoutMs ?? MENU_TIMEOUT_MS);
    this.menuTimer.unref();
  }

  /** Off the mixer (closing it with the last caller of the room). */
  private detachFromRoom(): void {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    if (s.mixer.remove(this)) {
      s.mixer.close();
      if (this.deps.mixers.get(s.conferenceId) === s.mixer) this.deps.mixers.delete(s.conferenceId);
    }
  }

  private async leaveRoom(): Promise<void> {
    const s = this.session;
    this.detachFromRoom();
    if (!s) return;
    try {
      await s.room.leave(s.participantId, this.peer);
      this.deps.log.info({ conferenceId: s.conferenceId, participantId: s.participantId }, 'phone caller left');
    } catch (err) {
      this.deps.log.error({ err }, 'phone caller leaving failed');
    }
  }
}

interface RoomMessage {
  type: string;
  participant?: Participant;
}

const silence = new Int16Array(FRAME_SAMPLES);

function clamp(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
