// Fits n tiles of one aspect ratio into a box as large as possible: the grid of a meeting.

export interface GridFit {
  cols: number;
  rows: number;
  width: number;
  height: number;
}

export function fitGrid(count: number, boxWidth: number, boxHeight: number, aspect = 16 / 9, gap = 8): GridFit {
  const n = Math.max(1, count);
  let best: GridFit = { cols: 1, rows: n, width: 0, height: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const cellW = (boxWidth - gap * (cols - 1)) / cols;
    const cellH = (boxHeight - gap * (rows - 1)) / rows;
    if (cellW <= 0 || cellH <= 0) continue;
    const width = Math.min(cellW, cellH * aspect);
    if (width > best.width) best = { cols, rows, width, height: width / aspect };
  }
  return { ...best, width: Math.floor(best.width), height: Math.floor(best.height) };
}

/**
 * The grid for a meeting: 16:9 tiles unless a squarer (or, in a portrait box, an upright) shape makes
 * tiles clearly larger; video is letterboxed in its tile (never cropped), so a modest win is not worth
 * the bars.
 */
export function chooseGrid(count: number, boxWidth: number, boxHeight: number, gap = 8): GridFit {
  const wide = fitGrid(count, boxWidth, boxHeight, 16 / 9, gap);
  const shapes = boxHeight > boxWidth ? [4 / 3, 3 / 4] : [4 / 3];
  let best = wide;
  for (const aspect of shapes) {
    const fit = fitGrid(count, boxWidth, boxHeight, aspect, gap);
    if (area(fit) > area(best) * 1.25) best = fit;
  }
  return best;
}

function area(fit: GridFit): number {
  return fit.width * fit.height;
}
