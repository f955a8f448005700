/** Delivery claims on PostgreSQL: who may attempt a delivery, and the claims of a round taken by one statement. */
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/domain/directory.js';
import { EventType } from '../../src/domain/events.js';
import { DeliveryClaims } from '../../src/store/delivery-claims.js';
import { SqlDirectoryRepository } from '../../src/store/directory-repo.js';
import { SqlEventStore, type PendingDelivery } from '../../src/store/event-repo.js';
import { openPostgres, type PostgresStore } from '../../src/store/postgres.js';
import type { Database } from '../../src/store/schema.js';
import { createTestDatabase, type TestDatabase } from '../support/pg-databases.js';
import { requires } from '../support/requirements.js';

const ready = await requires(import.meta.url, 'postgres');

let database: TestDatabase;
let pg: PostgresStore;
let outbox: SqlEventStore;
let statements = 0;
/** The same pool, counting the statements run through it. */
let counted: Kysely<Database>;

describe.skipIf(!ready)('delivery claims', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    pg = openPostgres(database.url, { poolSize: 4 });
    counted = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pg.pool }), log: () => void statements++ });
    await new SqlDirectoryRepository(pg.db).apply(
      parseDirectory({
        orgs: [{ corpId: 'dingc', name: 'C', apps: [{ appKey: 'app', appSecret: 'x', scopes: [], eventCallback: { url: 'http://127.0.0.1:9/e', secret: 'claims-secret-0123456789' } }] }],
      }),
    );
    outbox = new SqlEventStore(pg.db);
  });
  afterAll(async () => {
    await pg.db.destroy();
    await database.drop();
  });

  async function heads(n: number): Promise<PendingDelivery[]> {
    const ids = Array.from({ length: n }, () => `m-${Math.random().toString(36).slice(2)}`);
    for (const id of ids) await outbox.append({ conferenceId: id, corpId: 'dingc', type: EventType.member, changeScene: 'user_join', eventTime: 1, data: {} });
    return (await Promise.all(ids.map((id) => outbox.lineOf('app', id, 1)))).flat();
  }

  it('lets one instance at a time hold a delivery, until its claim expires', async () => {
    const [d] = await heads(1);
    const a = new DeliveryClaims(pg.db, 'a', 1_000);
    const b = new DeliveryClaims(pg.db, 'b', 1_000);
    expect(await a.take(d!, 10_000)).toBe(true);
    expect(await b.take(d!, 10_500)).toBe(false);
    // A holder may take its own claim again (a retry of its own).
    expect(await a.take(d!, 10_600)).toBe(true);
    expect(await b.take(d!, 11_599)).toBe(false);
    expect(await b.take(d!, 11_600)).toBe(true);
    expect(await a.take(d!, 11_700)).toBe(false);
  });

  it('refuses a delivery that moved on since it was read, and frees it when the outcome is recorded or the claim released', async () => {
    const [d] = await heads(1);
    const a = new DeliveryClaims(pg.db, 'a', 60_000);
    const b = new DeliveryClaims(pg.db, 'b', 60_000);
    expect(await a.take(d!, 1)).toBe(true);
    await outbox.recordAttempts([{ eventId: d!.event.eventId, appKey: 'app', attempt: 1, outcome: { statusCode: 500, error: 'HTTP 500', at: 2 }, state: 'pending', nextAttemptAt: 3 }]);
    // Read before the attempt: one attempt behind.
    expect(await b.take(d!, 4)).toBe(false);
    const [again] = await outbox.lineOf('app', d!.event.conferenceId, 1);
    expect(again!.attempts).toBe(1);
    expect(await b.take(again!, 4)).toBe(true);
    await b.release([again!]);
    expect(await a.take(again!, 5)).toBe(true);
  });

  it('takes the claims asked for together in one statement', async () => {
    const ds = await heads(12);
    const claims = new DeliveryClaims(counted, 'c', 60_000);
    const before = statements;
    const held = await Promise.all(ds.map((d) => claims.take(d, 100)));
    expect(held.every(Boolean)).toBe(true);
    expect(statements - before).toBe(1);
  });
});
