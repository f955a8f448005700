/** The p-th percentile of ascending `sorted` (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Prints a markdown table of latencies (ms): count, p50, p95, min and max per measure. */
export function printLatencyTable(rows: Array<[name: string, values: number[]]>): void {
  console.log('| measure (ms) | joins | p50 | p95 | min | max |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, values] of rows) {
    const s = [...values].sort((a, b) => a - b);
    console.log(`| ${name} | ${s.length} | ${percentile(s, 50).toFixed(0)} | ${percentile(s, 95).toFixed(0)} | ${s[0]!.toFixed(0)} | ${s[s.length - 1]!.toFixed(0)} |`);
  }
}
