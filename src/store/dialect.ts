import { PostgresAdapter, type Kysely } from 'kysely';

/** Which SQL the database behind `db` speaks, for the few statements that differ (migrations, JSON). */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
