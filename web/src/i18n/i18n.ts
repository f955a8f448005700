// The page's words: t(key, params) picks the sentence for the current language from the message
// catalogues (web/src/i18n/<locale>/<area>.ts) and fills its {params}. Numbers and times are
// written the language's way through Intl. The language comes from a remembered choice, else the
// browser's languages; <html lang> follows it.

import { CATALOGUES, LOCALES, type Locale, type MessageKey, type ParamsOf } from './catalogues.js';
import type { ParamValue, Plural, Text } from './types.js';

export { LOCALES, LOCALE_NAMES, type Locale, type MessageKey } from './catalogues.js';

const STORAGE_KEY = 'vconf.lang';

/** The best language for a list of BCP 47 tags (navigator.languages): any Chinese reads zh-CN. */
export function pickLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return 'en';
}

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

function remembered(): Locale | undefined {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function browserLanguages(): readonly string[] {
  const nav = globalThis.navigator as Navigator | undefined;
  return nav?.languages?.length ? nav.languages : nav?.language ? [nav.language] : [];
}

let current: Locale = remembered() ?? pickLocale(browserLanguages());
const listeners = new Set<(locale: Locale) => void>();
applyToDocument();

export function locale(): Locale {
  return current;
}

/** Remembers a language for later visits (and the next load of this page) without switching now. */
export function rememberLocale(next: Locale): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}

/** Switches language, remembers the choice for later visits, and tells whoever re-renders. */
export function setLocale(next: Locale): void {
  rememberLocale(next);
  if (next === current) return;
  current = next;
  applyToDocument();
  for (const listener of listeners) listener(next);
}

export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function applyToDocument(): void {
  if (typeof document !== 'undefined') document.documentElement.lang = current;
}

/** The sentence for `key` in the current language (English if a translation were missing). */
export function t<K extends MessageKey>(key: K, ...args: ParamsOf<K>): string {
  return translate(current, key, (args[0] ?? {}) as Record<string, ParamValue>);
}

/** t() for a given language (tests, and pages that show both). */
export function translate(lang: Locale, key: MessageKey, params: Record<string, ParamValue> = {}): string {
  const text: Text | undefined = CATALOGUES[lang][key] ?? CATALOGUES.en[key];
  if (text === undefined) return String(key);
  const template = typeof text === 'string' ? text : choosePlural(lang, text, params.count);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value, lang) : value;
  });
}

function choosePlural(lang: Locale, text: Plural, count: ParamValue | undefined): string {
  if (typeof count !== 'number') return text.other;
  return new Intl.PluralRules(lang).select(count) === 'one' && text.one !== undefined ? text.one : text.other;
}

export function formatNumber(value: number, lang: Locale = current): string {
  return new Intl.NumberFormat(lang).format(value);
}

/** "14:32" (hours and minutes, the language's way). */
export function formatTime(at: Date | number, lang: Locale = current): string {
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(at);
}

/** A day and time, e.g. a booked meeting's start. */
export function formatDateTime(at: Date | number, lang: Locale = current): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}
