import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import { MeetingService } from './domain/meetings.js';
import { randomHex } from './domain/secrets.js';
import { TokenService } from './domain/tokens.js';
import type { DirectoryRepository, RateCounter } from './domain/ports.js';
import { SqlDirectoryRepository } from './store/directory-repo.js';
import { SqlMeetingRepository } from './store/meeting-repo.js';
import { SqlMetaRepository } from './store/meta-repo.js';
import { MemoryRateCounter } from './store/memory-rate-counter.js';
import { migrateToLatest } from './store/migrate.js';
import type { Database } from './store/schema.js';
import { openSqlite } from './store/sqlite.js';
import { SqlTokenRepository } from './store/token-repo.js';

/** Everything a running vconf needs, wired once: storage, counters and the domain services. */
export interface Context {
  config: Config;
  db: Kysely<Database>;
  directory: DirectoryRepository;
  tokens: TokenService;
  meetings: MeetingService;
  rates: RateCounter;
  /** Base of join links; startServer fills it in from the listen address when not configured. */
  links: { base: string };
  close(): Promise<void>;
}

export async function createContext(config: Config): Promise<Context> {
  const db = openSqlite(config.dataDir);
  try {
    await migrateToLatest(db);
    const directory = new SqlDirectoryRepository(db);
    // One key per deployment, kept in the database so every instance derives the same tokens.
    const tokenKey = Buffer.from(await new SqlMetaRepository(db).getOrCreate('token_key', () => randomHex(32)), 'hex');
    const rates = new MemoryRateCounter();
    const links = { base: config.publicUrl ?? '' };
    return {
      links,
      config,
      db,
      directory,
      rates,
      tokens: new TokenService(new SqlTokenRepository(db), directory, tokenKey),
      meetings: new MeetingService({
        directory,
        meetings: new SqlMeetingRepository(db),
        budget: rates,
        links,
        phoneNumbers: config.phoneNumbers,
      }),
      close: () => db.destroy(),
    };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
