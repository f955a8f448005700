import { CATALOGUES, type MessageKey } from './catalogues.js';
import { t } from './i18n.js';

/**
 * The page's sentence for a server error code (admission, sign-in, room `error` frames), or the
 * server's own message when the catalogue has none for the code; undefined when neither exists.
 */
export function errorText(code: string, serverMessage?: string): string | undefined {
  const key = `error.${code}`;
  if (key in CATALOGUES.en) return t(key as MessageKey & `error.${string}`);
  return serverMessage || undefined;
}
