/** The page's message catalogues (web/src/i18n): every language has every key, with the same {params}. */
import { describe, expect, it } from 'vitest';
import { CATALOGUES, LOCALES } from '../../web/src/i18n/catalogues.js';
import { formatTime, pickLocale, translate } from '../../web/src/i18n/i18n.js';
import type { Text } from '../../web/src/i18n/types.js';

function params(text: Text): string[] {
  const forms = typeof text === 'string' ? [text] : [text.other, ...(text.one === undefined ? [] : [text.one])];
  return [...new Set(forms.flatMap((form) => [...form.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)))].sort();
}

describe('message catalogues', () => {
  const en = CATALOGUES.en;

  it('give every language exactly the English keys, each with the same {params}', () => {
    for (const locale of LOCALES) {
      const catalogue = CATALOGUES[locale];
      expect(Object.keys(catalogue).sort(), `${locale}: keys`).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        const other = catalogue[key as keyof typeof en];
        expect(params(other), `${locale}: params of ${key}`).toEqual(params(text));
      }
    }
  });

  it('have no empty sentence, and Chinese sentences are Chinese', () => {
    for (const locale of LOCALES) {
      for (const [key, text] of Object.entries(CATALOGUES[locale])) {
        const forms = typeof text === 'string' ? [text] : [text.other, text.one ?? 'x'];
        for (const form of forms) expect(form.trim(), `${locale}: ${key}`).not.toBe('');
      }
    }
    // Sentences that are the same in both languages: the brand, number templates.
    const same = new Set(['room.documentTitle', 'devices.numbered']);
    for (const [key, text] of Object.entries(CATALOGUES['zh-CN'])) {
      if (same.has(key)) continue;
      const form = typeof text === 'string' ? text : text.other;
      expect(/[\u4e00-\u9fff]/.test(form), `zh-CN ${key}: ${form}`).toBe(true);
    }
  });

  it('compose sentences per language, with plurals and the language’s numbers', () => {
    expect(translate('en', 'room.notice.joined', { name: '李娜' })).toBe('李娜 joined');
    expect(translate('zh-CN', 'room.notice.joined', { name: '李娜' })).toBe('李娜 加入了会议');
    expect(translate('en', 'room.header.people', { count: 1 })).toBe('1 person');
    expect(translate('en', 'room.header.people', { count: 1200 })).toBe('1,200 people');
    expect(translate('zh-CN', 'room.header.people', { count: 3 })).toBe('3 人');
    expect(formatTime(Date.UTC(2026, 0, 1, 14, 5), 'zh-CN')).toMatch(/\d{2}:05/);
  });

  it('choose the language from the browser’s list: any Chinese reads zh-CN, otherwise English', () => {
    expect(pickLocale(['zh-CN', 'en'])).toBe('zh-CN');
    expect(pickLocale(['zh-TW'])).toBe('zh-CN');
    expect(pickLocale(['fr-FR', 'en-GB', 'zh'])).toBe('en');
    expect(pickLocale(['fr-FR'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});
