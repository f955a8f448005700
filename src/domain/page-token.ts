import { Rejection } from './rejection.js';

/**
 * Paging for the list operations: `maxResults` and an opaque `nextToken` cursor (docs/api-parity.md).
 *
 * A cursor is the base64url text of `["p1", <listing>, ...key]`, where the key names the last item of
 * the previous page. It is URL-safe, carries no secret, and a cursor of one listing is refused by
 * another. Paging by key rather than offset means records that change or end while a client pages
 * are neither repeated nor skipped.
 */
export interface PageRequest {
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}

export interface PageSize {
  /** When the client sends no maxResults. */
  readonly fallback: number;
  /** Larger requests are served in pages of this size (the client follows nextToken). */
  readonly max: number;
}

export interface Page<T> {
  items: T[];
  /** Undefined on the last page. */
  nextToken: string | undefined;
  totalCount: number;
}

type KeyPart = 'string' | 'number';
const VERSION = 'p1';
const MAX_TOKEN_LENGTH = 512;

export function encodePageToken(listing: string, key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify([VERSION, listing, ...key])).toString('base64url');
}

/**
 * The key inside a cursor of `listing`, or null for the first page (no token, "" or "0", as the
 * DingTalk docs describe). Anything else — a foreign or altered cursor — is invalidParams.
 */
export function decodePageToken(listing: string, token: string | undefined, shape: readonly KeyPart[]): Array<string | number> | null {
  if (token === undefined || token === '' || token === '0') return null;
  const bad = new Rejection('invalidParams', 'nextToken is not a cursor of this listing');
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (!Array.isArray(value) || value[0] !== VERSION || value[1] !== listing || value.length !== shape.length + 2) throw bad;
  const key = value.slice(2) as unknown[];
  if (!key.every((part, i) => (shape[i] === 'number' ? Number.isSafeInteger(part) : typeof part === 'string'))) throw bad;
  return key as Array<string | number>;
}

/** The page size to serve: the fallback when absent, at most `max`; zero, negative or fractional sizes are refused. */
export function pageSize(maxResults: number | undefined, size: PageSize): number {
  if (maxResults === undefined) return size.fallback;
  if (!Number.isInteger(maxResults) || maxResults < 1) throw new Rejection('invalidParams', 'maxResults must be a positive integer');
  return Math.min(maxResults, size.max);
}
