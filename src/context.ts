import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { AdmissionService } from './domain/admission.js';
import { MeetingService } from './domain/meetings.js';
import type { DirectoryRepository, RateCounter } from './domain/ports.js';
import { PresenceService } from './domain/presence.js';
import { randomHex } from './domain/secrets.js';
import { TicketSigner } from './domain/tickets.js';
import { TokenService } from './domain/tokens.js';
import { RoomHub } from './rtc/room-hub.js';
import { Sfu } from './rtc/sfu/sfu.js';
import { SqlDirectoryRepository } from './store/directory-repo.js';
import { SqlMeetingRepository } from './store/meeting-repo.js';
import { SqlMetaRepository } from './store/meta-repo.js';
import { MemoryRateCounter } from './store/memory-rate-counter.js';
import { migrateToLatest } from './store/migrate.js';
import type { Database } from './store/schema.js';
import { openSqlite } from './store/sqlite.js';
import { SqlTokenRepository } from './store/token-repo.js';

/** Everything a running vconf needs, wired once: storage, counters, domain services and rooms. */
export interface Context {
  config: Config;
  db: Kysely<Database>;
  directory: DirectoryRepository;
  tokens: TokenService;
  meetings: MeetingService;
  admission: AdmissionService;
  presence: PresenceService;
  rooms: RoomHub;
  rates: RateCounter;
  /** Base of join links; startServer fills it in from the listen address when not configured. */
  links: { base: string };
  close(): Promise<void>;
}

export async function createContext(config: Config, logger: Logger): Promise<Context> {
  const db = openSqlite(config.dataDir);
  try {
    await migrateToLatest(db);
    const directory = new SqlDirectoryRepository(db);
    const meetingRepo = new SqlMeetingRepository(db);
    // One key per deployment, kept in the database so every instance derives the same tokens and tickets.
    const key = Buffer.from(await new SqlMetaRepository(db).getOrCreate('token_key', () => randomHex(32)), 'hex');
    const rates = new MemoryRateCounter();
    const links = { base: config.publicUrl ?? '' };
    const signer = new TicketSigner(key);
    const presence = new PresenceService(meetingRepo);
    const sfu = new Sfu({
      listenIp: config.rtcListenIp,
      ...(config.rtcAnnouncedIp ? { announcedIp: config.rtcAnnouncedIp } : {}),
      portRange: config.rtcPorts,
      logger: logger.child({ component: 'sfu' }),
    });
    const rooms = new RoomHub(sfu, presence, signer, logger.child({ component: 'rooms' }));
    return {
      config,
      db,
      directory,
      rates,
      links,
      tokens: new TokenService(new SqlTokenRepository(db), directory, key),
      meetings: new MeetingService({ directory, meetings: meetingRepo, budget: rates, links, phoneNumbers: config.phoneNumbers }),
      admission: new AdmissionService(meetingRepo, rates, signer),
      presence,
      rooms,
      async close() {
        await rooms.close();
        await sfu.close();
        await db.destroy();
      },
    };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
