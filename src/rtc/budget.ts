import type { ClientMessage } from './messages.js';

/** What one room socket may send, per second (docs/security.md): sustained rate and burst. */
export interface Rate {
  perSecond: number;
  burst: number;
}

export interface SocketLimits {
  /** Bytes queued towards a browser (socket.bufferedAmount) beyond which it is a slow consumer and is closed. */
  maxBacklogBytes: number;
  /** Every frame, whatever it is. */
  frames: Rate;
  /** Per kind of message; kinds not listed share `other`. */
  chat: Rate;
  media: Rate;
  speaking: Rate;
  negotiation: Rate;
  other: Rate;
  /** Frames dropped within one second beyond which the socket is closed (1008). */
  maxDroppedPerSecond: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxBacklogBytes: 1024 * 1024,
  frames: { perSecond: 50, burst: 100 },
  chat: { perSecond: 5, burst: 20 },
  media: { perSecond: 10, burst: 20 },
  speaking: { perSecond: 20, burst: 40 },
  negotiation: { perSecond: 5, burst: 10 },
  other: { perSecond: 10, burst: 20 },
  maxDroppedPerSecond: 50,
};

class Bucket {
  private tokens: number;
  private at: number;

  constructor(private readonly rate: Rate, now: number) {
    this.tokens = rate.burst;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.at) / 1000) * this.rate.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

type Kind = 'chat' | 'media' | 'speaking' | 'negotiation' | 'other';

function kindOf(type: ClientMessage['type'] | undefined): Kind {
  switch (type) {
    case 'chat':
    case 'reaction':
      return 'chat';
    case 'media':
      return 'media';
    case 'speaking':
      return 'speaking';
    case 'publish':
    case 'subscribe-answer':
      return 'negotiation';
    default:
      return 'other';
  }
}

export type BudgetVerdict = 'ok' | 'drop' | 'close';

/** Token buckets of one room socket: a frame over budget is dropped; a flood closes the socket. */
export class MessageBudget {
  private readonly all: Bucket;
  private readonly kinds: Record<Kind, Bucket>;
  private droppedSecond = 0;
  private droppedInSecond = 0;
  /** When the sender was last told it is over budget (at most once a second). */
  private toldAt = -Infinity;

  constructor(
    private readonly limits: SocketLimits = DEFAULT_SOCKET_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    const t = now();
    this.all = new Bucket(limits.frames, t);
    this.kinds = {
      chat: new Bucket(limits.chat, t),
      media: new Bucket(limits.media, t),
      speaking: new Bucket(limits.speaking, t),
      negotiation: new Bucket(limits.negotiation, t),
      other: new Bucket(limits.other, t),
    };
  }

  /** `type`: the message's type, undefined for a frame that is no message at all. */
  admit(type: ClientMessage['type'] | undefined): BudgetVerdict {
    const t = this.now();
    if (this.all.take(t) && this.kinds[kindOf(type)].take(t)) return 'ok';
    const second = Math.floor(t / 1000);
    if (second !== this.droppedSecond) {
      this.droppedSecond = second;
      this.droppedInSecond = 0;
    }
    this.droppedInSecond++;
    return this.droppedInSecond > this.limits.maxDroppedPerSecond ? 'close' : 'drop';
  }

  /** Whether to tell the sender about a drop now (once a second at most). */
  shouldTell(): boolean {
    const t = this.now();
    if (t - this.toldAt < 1000) return false;
    this.toldAt = t;
    return true;
  }
}
