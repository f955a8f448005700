/**
 * Where each participant's video goes in the composite of a recording or a live stream, in the
 * layout `mode` names of StartCloudRecord / StartStreamOut (spec §e.1):
 * - `grid`: everyone in equal tiles, up to 3×3 (the first nine by the layout's order);
 * - `speech`: one main speaker large and up to four others small, placed by `smallWindowPosition`
 *   (`relative_right`: a column beside the main picture, which shrinks to make room;
 *   `float_right`: floating over the right edge of the full picture; `float_bottom`: floating
 *   along its bottom edge);
 * - `full_screen`: the main speaker alone on the whole canvas (everyone is still heard).
 */
export type LayoutMode = 'grid' | 'speech' | 'full_screen';
export type SmallWindowPosition = 'relative_right' | 'float_right' | 'float_bottom';

export const LAYOUT_MODES: readonly LayoutMode[] = ['grid', 'speech', 'full_screen'];
export const SMALL_WINDOW_POSITIONS: readonly SmallWindowPosition[] = ['relative_right', 'float_right', 'float_bottom'];

export interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Canvas {
  width: number;
  height: number;
}

const GRID_MAX = 9;
const SMALL_MAX = 4;

const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/** Tiles for `count` videos, the first being the main one; fewer tiles than videos when the layout shows fewer. */
export function layoutTiles(count: number, mode: LayoutMode, position: SmallWindowPosition, canvas: Canvas): Tile[] {
  const { width: W, height: H } = canvas;
  if (count === 0) return [];
  if (mode === 'full_screen') return [{ x: 0, y: 0, w: W, h: H }];
  if (mode === 'grid' || count === 1) {
    const n = Math.min(count, GRID_MAX);
    const cols = Math.ceil(Math.sqrt(n));
    const rows = Math.ceil(n / cols);
    const w = even(W / cols);
    const h = even(H / rows);
    return Array.from({ length: n }, (_, i) => ({ x: (i % cols) * w, y: Math.floor(i / cols) * h, w, h }));
  }
  const small = Math.min(count - 1, SMALL_MAX);
  if (position === 'relative_right') {
    const sw = even(W / 4);
    const sh = even(H / SMALL_MAX);
    const main = { x: 0, y: 0, w: W - sw, h: H };
    return [main, ...Array.from({ length: small }, (_, i) => ({ x: W - sw, y: i * sh, w: sw, h: sh }))];
  }
  const margin = even(H / 40);
  const sw = even(W / 5);
  const sh = even((sw * 9) / 16);
  const main = { x: 0, y: 0, w: W, h: H };
  if (position === 'float_right') {
    return [main, ...Array.from({ length: small }, (_, i) => ({ x: W - sw - margin, y: margin + i * (sh + margin), w: sw, h: sh }))];
  }
  return [main, ...Array.from({ length: small }, (_, i) => ({ x: margin + i * (sw + margin), y: H - sh - margin, w: sw, h: sh }))];
}

/** A video in the composite: the ffmpeg stream specifier it comes from. */
export interface VideoInput {
  stream: string;
}

export interface CompositeSpec {
  canvas: Canvas;
  fps: number;
  mode: LayoutMode;
  position: SmallWindowPosition;
  /** Videos in layout order (main first). */
  videos: readonly VideoInput[];
  /** Audio stream specifiers to mix. */
  audios: readonly string[];
}

/**
 * The ffmpeg -filter_complex graph of a composite: a black canvas, each video scaled to fit its
 * tile (letterboxed, aspect kept) and overlaid on it, everyone's audio mixed at full level. Outputs
 * `[v]` and `[a]`. Without any live video or audio the canvas or the silence is paced in real time,
 * since nothing else would pace it.
 */
export function compositeGraph(spec: CompositeSpec): string {
  const { canvas, fps } = spec;
  const tiles = layoutTiles(spec.videos.length, spec.mode, spec.position, canvas);
  const parts: string[] = [];
  parts.push(`color=c=black:s=${canvas.width}x${canvas.height}:r=${fps}${tiles.length === 0 ? ',realtime' : ''}[base0]`);
  tiles.forEach((t, i) => {
    const src = spec.videos[i]!.stream;
    parts.push(
      `[${src}]fps=${fps},scale=${t.w}:${t.h}:force_original_aspect_ratio=decrease,` +
        `pad=${t.w}:${t.h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p[tile${i}]`,
    );
    parts.push(`[base${i}][tile${i}]overlay=x=${t.x}:y=${t.y}:eof_action=pass:repeatlast=1[base${i + 1}]`);
  });
  parts.push(`[base${tiles.length}]format=yuv420p[v]`);
  const audio = 'aresample=async=1000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo[a]';
  if (spec.audios.length === 0) parts.push(`anullsrc=r=48000:cl=stereo,arealtime,${audio}`);
  else if (spec.audios.length === 1) parts.push(`[${spec.audios[0]}]${audio}`);
  else parts.push(`${spec.audios.map((a) => `[${a}]`).join('')}amix=inputs=${spec.audios.length}:duration=longest:dropout_transition=0:normalize=0,${audio}`);
  return parts.join(';');
}
