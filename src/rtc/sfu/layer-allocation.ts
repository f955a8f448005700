import { NO_LAYER } from './upstream-track.js';

/** One video a subscriber receives, as the allocation sees it. */
export interface VideoDemand {
  key: string;
  /** Lowest first: what each layer costs (bps) and how tall it is (px). A plain track has one. */
  layers: ReadonlyArray<{ bitrate: number; height: number }>;
  /** Device pixels the page renders it at; undefined until the page has said. */
  tileHeight: number | undefined;
  /** Higher goes first when there is not enough for everyone (a screen share, the biggest tile). */
  priority: number;
  /** The layer carried now (NO_LAYER: none), to hold an upgrade to a stricter budget than a keep. */
  current: number;
}

/** A tile is served by the smallest layer at least this share of its height (a little upscaling is invisible). */
const HEIGHT_SLACK = 0.9;
/** Going up must fit with this margin; staying only needs to fit. Keeps a slot from flapping at the edge. */
const UPGRADE_MARGIN = 1.15;
/** The share of its lowest layer's cost a flowing video must fit to keep flowing (it pauses below). */
const KEEP_LOWEST = 0.7;

/** The layer the tile's size asks for: the smallest at least as tall; the middle one when the size is unknown. */
export function layerForTile(layers: VideoDemand['layers'], tileHeight: number | undefined): number {
  if (layers.length <= 1) return 0;
  if (tileHeight === undefined) return Math.min(1, layers.length - 1);
  if (tileHeight <= 0) return 0;
  for (let i = 0; i < layers.length; i++) if (layers[i]!.height >= tileHeight * HEIGHT_SLACK) return i;
  return layers.length - 1;
}

/**
 * Splits a subscriber's video budget (bps, audio already taken off) over the videos it receives:
 * first everyone's lowest layer in priority order (a video that does not fit is paused: audio and the
 * others keep flowing), then upgrades toward what each tile's size asks for, best priority first.
 * Returns the layer per key (NO_LAYER = paused).
 */
export function allocateLayers(budget: number, demands: readonly VideoDemand[]): Map<string, number> {
  const result = new Map<string, number>();
  const order = [...demands].sort((a, b) => b.priority - a.priority);
  let left = budget;
  const cost = (d: VideoDemand, layer: number) => d.layers[layer]!.bitrate * (layer > d.current ? UPGRADE_MARGIN : 1);
  for (const d of order) {
    if (d.layers.length === 0) continue;
    // A video that flows keeps its lowest layer down to KEEP_LOWEST of its cost: a cut after a burst of
    // loss (a keyframe on a slow link) must not pause what the link carries; resuming needs the full cost.
    const c = d.current === NO_LAYER ? cost(d, 0) : d.layers[0]!.bitrate * KEEP_LOWEST;
    if (c <= left) {
      result.set(d.key, 0);
      left -= d.layers[0]!.bitrate;
    } else {
      result.set(d.key, NO_LAYER);
    }
  }
  for (const d of order) {
    let at = result.get(d.key);
    if (at === undefined || at === NO_LAYER) continue;
    const cap = layerForTile(d.layers, d.tileHeight);
    while (at < cap) {
      const extra = cost(d, at + 1) - d.layers[at]!.bitrate;
      if (extra > left) break;
      left -= d.layers[at + 1]!.bitrate - d.layers[at]!.bitrate;
      at++;
    }
    result.set(d.key, at);
  }
  return result;
}

/** The one layer a probe would add: the best-priority video below what its tile asks for. */
export function nextUpgrade(demands: readonly VideoDemand[], allocation: ReadonlyMap<string, number>): { key: string; layer: number; extra: number } | undefined {
  const order = [...demands].sort((a, b) => b.priority - a.priority);
  for (const d of order) {
    const at = allocation.get(d.key) ?? NO_LAYER;
    const cap = layerForTile(d.layers, d.tileHeight);
    if (at >= cap) continue;
    const next = at + 1;
    const extra = d.layers[next]!.bitrate - (at === NO_LAYER ? 0 : d.layers[at]!.bitrate);
    return { key: d.key, layer: next, extra };
  }
  return undefined;
}
