/** Small builders for the JSON schemas of route bodies and responses (also the OpenAPI document). */

type Prim = 'string' | 'number' | 'integer' | 'boolean';
export type FieldSchema = { type: Prim; [k: string]: unknown } | { type: 'array'; items: unknown } | { type: 'object'; [k: string]: unknown };

export function object(properties: Record<string, FieldSchema>, required: string[] = []) {
  return { type: 'object', properties, required } as const;
}

export const str = { type: 'string' } as const;
export const num = { type: 'number' } as const;
export const bool = { type: 'boolean' } as const;
export const strArray = { type: 'array', items: { type: 'string' } } as const;

/** Response map for a route: its success body plus the catalogued error body for 4xx/5xx. */
export function responses(ok: ReturnType<typeof object>) {
  return { 200: ok, '4xx': { $ref: 'ErrorBody#' }, '5xx': { $ref: 'ErrorBody#' } };
}
