import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { MetaRepository } from '../domain/ports/index.js';

export class SqlMetaRepository implements MetaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async getOrCreate(name: string, make: () => string): Promise<string> {
    // Insert-if-absent then read: when several instances start at once, all read the first value.
    await this.db
      .insertInto('meta')
      .values({ name, value: make() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('meta').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return row.value;
  }
}
