import type { ApiError } from './errors.js';
import type { Principal } from '../domain/tokens.js';

/** Which part of a request failed its schema, and where. */
export interface InvalidInput {
  part: 'body' | 'querystring' | 'params' | 'headers' | 'malformed';
  /** The field that failed, when known ("confTitle"), else "". */
  field: string;
  problem: string;
}

export type InvalidMapper = (invalid: InvalidInput) => ApiError;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The DingTalk action name; also the unit of the per-app QPS limit. */
    action?: string;
    /** Scope the token must carry; routes without one are anonymous. */
    scope?: string;
    /** A request without a JSON body is answered with Missingbody. */
    bodyRequired?: boolean;
    /** How this operation reports input that fails its schema. */
    onInvalid?: InvalidMapper;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}
