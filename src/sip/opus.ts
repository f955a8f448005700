import { createRequire } from 'node:module';
import type * as Opus from '@evan/opus';

let loaded: typeof Opus | undefined;

/**
 * The Opus codec, loaded on a phone call's first need rather than at start: a server without
 * dial-in never needs it, and its native binding crashes a worker thread that exits after loading
 * it (vitest's thread lane runs in-process servers in one).
 */
export function opus(): typeof Opus {
  loaded ??= createRequire(import.meta.url)('@evan/opus') as typeof Opus;
  return loaded;
}
