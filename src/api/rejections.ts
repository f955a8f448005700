import { Rejection, type RejectionReason } from '../domain/rejection.js';
import { ApiError, type CatalogueKey } from './errors.js';
import type { InvalidMapper } from './route-config.js';

/**
 * Runs a domain call and translates its rejections into this operation's wire errors.
 * A reason the operation does not list is a bug, so it surfaces as systemError.
 */
export async function mapRejections<T>(map: Partial<Record<RejectionReason, CatalogueKey>>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof Rejection)) throw err;
    const key = map[err.reason];
    if (!key) throw new Error(`unmapped rejection ${err.reason}`, { cause: err });
    throw new ApiError(key, err.detail);
  }
}

/** The gateway's convention for operations without their own parameter codes: Missing<field>. */
export const gatewayInvalid: InvalidMapper = (invalid) =>
  invalid.problem === `${invalid.field} is required` && invalid.field
    ? new ApiError('missingParameter', invalid.field)
    : new ApiError('invalidParameter', invalid.problem);
