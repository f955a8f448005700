import type { Decoder } from '@evan/opus';
import { opus } from './opus.js';
import type { RtpPacket } from 'werift';
import type { SfuRoom } from '../rtc/sfu/room.js';
import { FRAME_SAMPLES, SAMPLE_RATE } from './g711.js';
import { FrameClock } from './frame-clock.js';
import { FrameQueue } from './sample-queue.js';

/** One phone caller as the mixer sees them. */
export interface MixedPhone {
  /** Their own voice (20 ms frames) while they are heard by the room; undefined while muted. */
  readonly voice: FrameQueue;
  /** Whether the room hears them (their frames count in everyone else's mix). */
  heard(): boolean;
  /** Gets the room minus their own voice, one 20 ms frame per tick. */
  hear(frame: Int16Array): void;
}

/**
 * The phone side of one meeting: browsers' Opus microphones are decoded once each (to 8 kHz,
 * the decoder resamples), phone callers' voices come in as PCM, and every 20 ms each caller gets
 * the sum of everyone minus themselves. Decoding is per source, not per caller, so the cost grows
 * with the number of speakers plus the number of callers, not their product.
 */
export class RoomMixer {
  private readonly browsers = new Map<string, { decoder: Decoder; queue: FrameQueue; lastAt: number }>();
  private ticks = 0;
  private readonly phones = new Set<MixedPhone>();
  private readonly clock = new FrameClock(() => this.tick());
  private readonly sum = new Int32Array(FRAME_SAMPLES);

  constructor(private readonly media: SfuRoom) {
    media.listenAudio((participantId, packet) => this.fromBrowser(participantId, packet));
  }

  get size(): number {
    return this.phones.size;
  }

  add(phone: MixedPhone): void {
    this.phones.add(phone);
    this.clock.start();
  }

  /** Removes a caller; true when none is left (the owner then closes the mixer). */
  remove(phone: MixedPhone): boolean {
    this.phones.delete(phone);
    return this.phones.size === 0;
  }

  close(): void {
    this.clock.stop();
    this.media.listenAudio(undefined);
    this.browsers.clear();
    this.phones.clear();
  }

  private fromBrowser(participantId: string, packet: RtpPacket): void {
    let source = this.browsers.get(participantId);
    if (!source) {
      source = { decoder: new (opus().Decoder)({ channels: 1, sample_rate: SAMPLE_RATE }), queue: new FrameQueue(), lastAt: 0 };
      this.browsers.set(participantId, source);
    }
    source.lastAt = this.ticks;
    if (packet.payload.length === 0) return;
    let pcm: Int16Array;
    try {
      const bytes = source.decoder.decode(packet.payload);
      pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    } catch {
      return;
    }
    for (let at = 0; at + FRAME_SAMPLES <= pcm.length; at += FRAME_SAMPLES) source.queue.push(pcm.subarray(at, at + FRAME_SAMPLES));
  }

  private tick(): void {
    // A browser silent for 10 s has left or stopped publishing: its decoder goes (a new one comes with its next packet).
    if (++this.ticks % 500 === 0) for (const [id, b] of this.browsers) if (this.ticks - b.lastAt > 500) this.browsers.delete(id);
    const sum = this.sum;
    sum.fill(0);
    for (const { queue } of this.browsers.values()) add(sum, queue.take());
    const own = new Map<MixedPhone, Int16Array | undefined>();
    for (const phone of this.phones) {
      const frame = phone.voice.take();
      if (!frame || !phone.heard()) continue;
      own.set(phone, frame);
      add(sum, frame);
    }
    for (const phone of this.phones) {
      const mine = own.get(phone);
      const out = new Int16Array(FRAME_SAMPLES);
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        const v = sum[i]! - (mine ? mine[i]! : 0);
        out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
      phone.hear(out);
    }
  }
}

function add(sum: Int32Array, frame: Int16Array | undefined): void {
  if (!frame) return;
  for (let i = 0; i < FRAME_SAMPLES; i++) sum[i]! += frame[i]!;
}
