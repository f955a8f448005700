import { en } from './en/index.js';
import { zhCN } from './zh-CN/index.js';
import type { ParamNames, ParamValue, Text } from './types.js';

/** Languages the page speaks; the first is the fallback. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export type Messages = typeof en;
export type MessageKey = keyof Messages;

/** The params object t() takes for a key: none for a plain sentence. */
export type ParamsOf<K extends MessageKey> = [ParamNames<Messages[K]>] extends [never] ? [] : [Record<ParamNames<Messages[K]>, ParamValue>];

export const CATALOGUES: Record<Locale, Record<MessageKey, Text>> = { en, 'zh-CN': zhCN };

/** Each language's own name, shown in the language picker in that language. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };
