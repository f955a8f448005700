import type { ClientMessage, Source, TileView } from '../../../src/protocol/room.js';

const EVERY_MS = 1_000;
/** Sizes are rounded to this many device pixels, so a tile that moves a pixel does not cause a message. */
const STEP = 16;

export interface ShownVideo {
  participantId: string;
  source: Source;
  el: HTMLElement;
}

/**
 * Tells the server which remote videos this page shows and how big (device pixels), whenever that
 * changes: the SFU sends each the smallest simulcast layer that fills it, and the lowest to those not shown.
 */
export class ViewReport {
  private last = '';
  private readonly timer: number;

  constructor(
    private readonly send: (message: ClientMessage) => void,
    private readonly shown: () => ShownVideo[],
  ) {
    this.timer = window.setInterval(() => this.report(), EVERY_MS);
    window.addEventListener('resize', this.onResize);
    document.addEventListener('visibilitychange', this.onResize);
  }

  /** Sends the view if it changed since the last one sent. */
  report(): void {
    const dpr = window.devicePixelRatio || 1;
    const tiles: TileView[] = [];
    // A tab in the background shows nothing: every video drops to its lowest layer until it is back.
    for (const { participantId, source, el } of document.hidden ? [] : this.shown()) {
      if (!el.isConnected || !el.checkVisibility()) continue;
      const rect = el.getBoundingClientRect();
      const onScreen = rect.bottom > 0 && rect.right > 0 && rect.top < window.innerHeight && rect.left < window.innerWidth;
      if (!onScreen || rect.width <= 0 || rect.height <= 0) continue;
      const round = (px: number) => Math.min(16384, Math.round((px * dpr) / STEP) * STEP);
      tiles.push({ participantId, source, width: round(rect.width), height: round(rect.height) });
    }
    const key = JSON.stringify(tiles);
    if (key === this.last) return;
    this.last = key;
    this.send({ type: 'view', tiles });
  }

  /** A new connection (after `welcome`) has no view yet: the next report goes out whatever it is. */
  reset(): void {
    this.last = '';
    this.report();
  }

  dispose(): void {
    window.clearInterval(this.timer);
    window.removeEventListener('resize', this.onResize);
    document.removeEventListener('visibilitychange', this.onResize);
  }

  private readonly onResize = (): void => this.report();
}
