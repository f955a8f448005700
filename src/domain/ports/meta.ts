/** Deployment-wide values kept in the database (keys, ids). */

export interface MetaRepository {
  /** Returns the stored value, creating it with `make()` the first time (first writer wins). */
  getOrCreate(name: string, make: () => string): Promise<string>;
}
