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

/** What to tell the person about a refused admission (join page and status pages). */
export function admitErrorText(error: { code: string; message: string; retryAfterSeconds?: number | undefined }): string {
  if (error.code === 'tooManyAttempts' && error.retryAfterSeconds) return t('join.tooManyAttempts', { count: Math.ceil(error.retryAfterSeconds / 60) });
  return errorText(error.code, error.message) ?? t('error.unknown');
}

/** What to tell the person about a refused sign-in: the same codes mean other things there. */
export function signInErrorText(error: { code: string; message: string; retryAfterSeconds?: number | undefined }): string {
  if (error.code === 'tooManyAttempts' && error.retryAfterSeconds) return t('signin.tooManyAttempts', { count: Math.ceil(error.retryAfterSeconds / 60) });
  if (error.code === 'network') return t('signin.network');
  const key = `signin.error.${error.code}`;
  if (key in CATALOGUES.en) return t(key as MessageKey & `signin.error.${string}`);
  return error.message || t('signin.failed');
}
