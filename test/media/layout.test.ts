/** The composite's layouts (src/media/layout.ts) and the push URL rules, as pure functions. */
import { describe, expect, it } from 'vitest';
import { compositeGraph, layoutTiles } from '../../src/media/layout.js';
import { rtmpProblem } from '../../src/domain/cloud-records.js';

const canvas = { width: 1280, height: 720 };
const inside = (t: { x: number; y: number; w: number; h: number }) => t.x >= 0 && t.y >= 0 && t.x + t.w <= 1280 && t.y + t.h <= 720;

describe('layoutTiles', () => {
  it('grid: two side by side, four in 2×2, at most nine (3×3), all inside the canvas and not overlapping', () => {
    expect(layoutTiles(2, 'grid', 'relative_right', canvas)).toEqual([
      { x: 0, y: 0, w: 640, h: 720 },
      { x: 640, y: 0, w: 640, h: 720 },
    ]);
    expect(layoutTiles(4, 'grid', 'relative_right', canvas).map((t) => [t.x, t.y])).toEqual([[0, 0], [640, 0], [0, 360], [640, 360]]);
    const twelve = layoutTiles(12, 'grid', 'relative_right', canvas);
    expect(twelve).toHaveLength(9);
    expect(twelve.every(inside)).toBe(true);
    for (const a of twelve) for (const b of twelve) if (a !== b) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
  });

  it('speech: the main picture large; relative_right puts up to four small ones in a column beside it, the floating ones over it', () => {
    const beside = layoutTiles(6, 'speech', 'relative_right', canvas);
    expect(beside).toHaveLength(5);
    expect(beside[0]).toEqual({ x: 0, y: 0, w: 960, h: 720 });
    expect(beside.slice(1).every((t) => t.x === 960 && t.w === 320)).toBe(true);
    const right = layoutTiles(3, 'speech', 'float_right', canvas);
    expect(right[0]).toEqual({ x: 0, y: 0, w: 1280, h: 720 });
    expect(right.slice(1).every((t) => t.x > 640 && inside(t))).toBe(true);
    const bottom = layoutTiles(3, 'speech', 'float_bottom', canvas);
    expect(bottom.slice(1).every((t) => t.y > 360 && inside(t))).toBe(true);
  });

  it('full_screen: one picture on the whole canvas, whoever else is there', () => {
    expect(layoutTiles(5, 'full_screen', 'float_right', canvas)).toEqual([{ x: 0, y: 0, w: 1280, h: 720 }]);
    expect(layoutTiles(0, 'grid', 'relative_right', canvas)).toEqual([]);
  });
});

describe('compositeGraph', () => {
  it('overlays each video on a black canvas and mixes every audio', () => {
    const g = compositeGraph({ canvas, fps: 15, mode: 'grid', position: 'relative_right', videos: [{ stream: '0:0' }, { stream: '0:1' }], audios: ['0:2', '0:3'] });
    expect(g).toContain('color=c=black:s=1280x720:r=15[base0]');
    expect(g).toContain('[base1][tile1]overlay=x=640:y=0');
    expect(g).toContain('[0:2][0:3]amix=inputs=2');
    expect(g).toMatch(/\[v\]/);
    expect(g).toMatch(/\[a\]$/);
  });

  it('paces a composite without live sources in real time (nothing else would)', () => {
    const g = compositeGraph({ canvas, fps: 15, mode: 'grid', position: 'relative_right', videos: [], audios: [] });
    expect(g).toContain(',realtime[base0]');
    expect(g).toContain('anullsrc=r=48000:cl=stereo,arealtime');
  });
});

describe('rtmpProblem', () => {
  it('takes rtmp:// and rtmps:// URLs with a host, and says what is wrong with others', () => {
    expect(rtmpProblem('rtmp://live.example.com/app/key')).toBeUndefined();
    expect(rtmpProblem('rtmps://live.example.com:443/app/key')).toBeUndefined();
    expect(rtmpProblem('http://live.example.com/app')).toMatch(/rtmp/);
    expect(rtmpProblem('rtmp:///nohost')).toBeDefined();
    expect(rtmpProblem('rtmp://host/app key')).toBeDefined();
  });
});
