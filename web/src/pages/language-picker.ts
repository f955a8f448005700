import { h } from '../dom';
import { locale, LOCALE_NAMES, LOCALES, setLocale, t, type Locale } from '../i18n/i18n.js';
import './language-picker.css';

/**
 * The language choice: a labelled <select> listing each language in its own name. `apply` is
 * what a choice does (default: switch now; the page re-renders itself through onLocaleChange).
 */
export function languagePicker(options: { id?: string; apply?: (locale: Locale) => void; compact?: boolean } = {}): HTMLElement {
  const id = options.id ?? 'language-select';
  const select = h(
    'select',
    { id, class: 'input select language-select', 'data-testid': 'language-select' },
    LOCALES.map((l) => h('option', { value: l, lang: l, selected: l === locale() }, LOCALE_NAMES[l])),
  );
  select.addEventListener('change', () => (options.apply ?? setLocale)(select.value as Locale));
  return h(
    'div',
    { class: options.compact ? 'language-picker is-compact' : 'language-picker field' },
    h('label', { for: id, class: options.compact ? 'visually-hidden' : undefined }, t('common.language')),
    select,
  );
}
