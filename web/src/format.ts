// Pure text helpers (no DOM), shared by the pages and unit-tested in test/web/.

/** "68550708396" → "685 5070 8396", the way room codes are read out. */
export function formatRoomCode(code: string): string {
  return /^\d{11}$/.test(code) ? `${code.slice(0, 3)} ${code.slice(3, 7)} ${code.slice(7)}` : code;
}

/** People paste codes with spaces, dashes or dots: keep what is left. */
export function normalizeDigits(value: string): string {
  return value.replace(/[\s\-.\u00a0]/g, '');
}

export const ROOM_CODE_PATTERN = /^\d{11}$/;
