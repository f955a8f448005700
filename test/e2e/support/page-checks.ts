import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { CATALOGUES, type Locale, type MessageKey } from '../../../web/src/i18n/catalogues.js';
import { translate } from '../../../web/src/i18n/i18n.js';

// axe-core's browser bundle, injected into pages (their contexts need bypassCSP: the pages allow no inline script).
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now ("rule: selectors"). */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    type Result = { violations: Array<{ id: string; impact?: string | null; nodes: Array<{ target: unknown[] }> }> };
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<Result> } }).axe;
    // A toast still fading in (notices.css, 0.2 s) is judged at its half-way opacity and failed
    // color-contrast once in CI: judge the page at rest (endless animations, such as spinners, aside).
    await Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined)));
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** Everything a person reads or hears on the page: its text and its labels. */
async function wording(page: Page): Promise<string> {
  return page.evaluate(() => {
    const labels = [...document.querySelectorAll('[aria-label],[title],[placeholder]')].flatMap((el) => ['aria-label', 'title', 'placeholder'].map((a) => el.getAttribute(a) ?? ''));
    return [document.title, document.body.innerText, ...labels].join('\n');
  });
}

const KEYS = Object.keys(CATALOGUES.en) as MessageKey[];

/**
 * The page speaks `locale`: <html lang>, the sentences of `keys` in that language (and, for Chinese,
 * not in English), no raw catalogue key anywhere, and no serious or critical axe-core violation.
 */
export async function expectPage(page: Page, locale: Locale, keys: MessageKey[], params: Record<string, string | number> = {}): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
  const text = await wording(page);
  for (const key of keys) {
    expect(text, `${locale} ${key}`).toContain(translate(locale, key, params));
    const english = translate('en', key, params);
    if (locale !== 'en' && english !== translate(locale, key, params)) expect(text, `English ${key} on a ${locale} page`).not.toContain(english);
  }
  const raw = KEYS.filter((key) => text.includes(key));
  expect(raw, 'raw catalogue keys on the page').toEqual([]);
  expect(await seriousViolations(page), `axe-core on ${page.url()} (${locale})`).toEqual([]);
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
