import { Rejection } from './rejection.js';

/** Titles are counted in Unicode code points, so CJK text and emoji are never split. */
export const TITLE_KEPT = 50;
export const TITLE_MAX = 256;

/**
 * The seed page's rule: keep up to 50 characters, truncate longer titles to 50, refuse titles
 * over 256. A blank title is refused too.
 */
export function normalizeTitle(title: string): string {
  const chars = Array.from(title);
  if (chars.length > TITLE_MAX) {
    throw new Rejection('invalidTitle', `confTitle exceeds ${TITLE_MAX} characters`);
  }
  const kept = chars.length > TITLE_KEPT ? chars.slice(0, TITLE_KEPT).join('') : title;
  // Checked on the kept part: a title that would be stored blank is as useless as an empty one.
  if (kept.trim() === '') {
    throw new Rejection('invalidTitle', 'confTitle must not be blank');
  }
  return kept;
}
