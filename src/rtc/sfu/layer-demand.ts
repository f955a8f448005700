import type { UpstreamTrack } from './upstream-track.js';

/** A layer nobody has wanted for this long is paused at the publisher (a brief dip does not cost a restart). */
const PAUSE_AFTER_MS = 3_000;

/**
 * Which simulcast layers each publisher should encode: those some subscriber (or a recording) wants,
 * and always the lowest, which every subscriber can fall back to at once. Layers nobody watches cost
 * the publisher's CPU and uplink for nothing, so they are paused; wanting one again resumes it.
 */
export class LayerDemand {
  private readonly state = new WeakMap<UpstreamTrack, { sent: boolean[]; unwantedSince: number[] }>();

  /** The layers to encode when that differs from what the publisher was last told, else undefined. */
  update(track: UpstreamTrack, now: number): boolean[] | undefined {
    const wanted = track.demand();
    wanted[0] = true;
    let state = this.state.get(track);
    if (!state) {
      // A new transceiver encodes every layer until told otherwise.
      state = { sent: wanted.map(() => true), unwantedSince: wanted.map(() => Infinity) };
      this.state.set(track, state);
    }
    const { sent, unwantedSince } = state;
    const next = wanted.map((want, i) => {
      if (want) {
        unwantedSince[i] = Infinity;
        return true;
      }
      if (unwantedSince[i] === Infinity) unwantedSince[i] = now;
      return now - unwantedSince[i]! < PAUSE_AFTER_MS ? sent[i]! : false;
    });
    if (next.every((on, i) => on === sent[i])) return undefined;
    state.sent = next;
    return next;
  }
}
