import { Ajv, type ValidateFunction } from 'ajv';
import { CLIENT_SCHEMAS, type ClientMessage } from '../protocol/room.js';

/** Client → server frames (src/protocol/room.ts), each checked against its schema before use. */
export type { ClientMessage, Source } from '../protocol/room.js';

const ajv = new Ajv({ strict: false });
const validators = new Map<string, ValidateFunction>(
  Object.entries(CLIENT_SCHEMAS).map(([type, s]) => [type, ajv.compile({ type: 'object', properties: { type: { const: type }, ...s.properties }, required: ['type', ...s.required] })]),
);

/** The message in a text frame, or undefined when it is not one the protocol knows. */
export function parseClientMessage(raw: string): ClientMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const type = (value as { type?: unknown } | null)?.type;
  const validate = typeof type === 'string' ? validators.get(type) : undefined;
  return validate && validate(value) ? (value as ClientMessage) : undefined;
}
