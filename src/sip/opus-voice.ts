import { randomInt } from 'node:crypto';
import { opus } from './opus.js';
import { RtpHeader, RtpPacket } from 'werift';
import { SAMPLE_RATE } from './g711.js';

import { LOCAL_OPUS_PT as OPUS_PT } from '../rtc/sfu/local-voice.js';
/** 20 ms at Opus's 48 kHz RTP clock, whatever the input rate. */
const OPUS_FRAME_TICKS = 960;

/**
 * A caller's voice as an Opus stream for the SFU: 20 ms frames of 8 kHz PCM encoded directly (Opus
 * takes narrowband input; the RTP clock stays 48 kHz), packetized with their own SSRC and numbering.
 */
export class OpusVoice {
  private readonly encoder = new (opus().Encoder)({ channels: 1, sample_rate: SAMPLE_RATE, application: 'voip' });
  private readonly ssrc = randomInt(1, 0xffffffff);
  private seq = randomInt(0, 0xffff);
  private ts = randomInt(0, 0xffffffff);
  private marker = true;

  constructor() {
    this.encoder.bitrate = 24_000;
  }

  packet(pcm: Int16Array): RtpPacket {
    const payload = Buffer.from(this.encoder.encode(pcm));
    const header = new RtpHeader({ payloadType: OPUS_PT, sequenceNumber: this.seq, timestamp: this.ts, ssrc: this.ssrc, marker: this.marker });
    this.marker = false;
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + OPUS_FRAME_TICKS) >>> 0;
    return new RtpPacket(header, payload);
  }

  /** A pause (mute): the clock keeps running so the timestamps stay true to time. */
  skip(): void {
    this.ts = (this.ts + OPUS_FRAME_TICKS) >>> 0;
    this.marker = true;
  }
}
