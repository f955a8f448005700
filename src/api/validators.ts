import { Ajv, type AnySchema } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Bodies are validated strictly — `"inviteCaller": "yes"` is an error, never coerced — while path
 * and query values, which are always text on the wire, are coerced to their declared types.
 */
export function installValidators(app: FastifyInstance): void {
  const common = { allErrors: false, strict: false, removeAdditional: false, useDefaults: false } as const;
  const strict = new Ajv({ ...common, coerceTypes: false });
  const coercing = new Ajv({ ...common, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as AnySchema));
}
