import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { AdmissionService, DEFAULT_JOIN_LIMITS } from './domain/admission.js';
import { ControlService } from './domain/conference-controls.js';
import { EntryPolicy } from './domain/entry-policy.js';
import { MeetingQueries } from './domain/meeting-queries.js';
import { MeetingService } from './domain/meetings.js';
import type { DirectoryRepository, RateCounter } from './domain/ports.js';
import { PresenceService } from './domain/presence.js';
import { randomHex } from './domain/secrets.js';
import { TicketSigner } from './domain/tickets.js';
import { TokenService } from './domain/tokens.js';
import { RoomControls } from './rtc/room-controls.js';
import { RoomHub } from './rtc/room-hub.js';
import { Sfu } from './rtc/sfu/sfu.js';
import { SqlDirectoryRepository } from './store/directory-repo.js';
import { SqlMeetingRepository } from './store/meeting-repo.js';
import { SqlMeetingSettingsRepository } from './store/meeting-settings-repo.js';
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
  /** The in-meeting controls of the Open API (close, kick, mute, lock, co-hosts, focus, settings). */
  controls: ControlService;
  /** The read operations of the Open API over meetings and member records. */
  queries: MeetingQueries;
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
    const settings = new SqlMeetingSettingsRepository(db);
    const entry = new EntryPolicy(settings);
    const presence = new PresenceService(meetingRepo, undefined, entry);
    const sfu = new Sfu({
      listenIp: config.rtcListenIp,
      ...(config.rtcAnnouncedIp ? { announcedIp: config.rtcAnnouncedIp } : {}),
      portRange: config.rtcPorts,
      logger: logger.child({ component: 'sfu' }),
    });
    const rooms = new RoomHub(sfu, presence, signer, logger.child({ component: 'rooms' }), settings);
    return {
      config,
      db,
      directory,
      rates,
      links,
      tokens: new TokenService(new SqlTokenRepository(db), directory, key),
      meetings: new MeetingService({ directory, meetings: meetingRepo, budget: rates, links, phoneNumbers: config.phoneNumbers }),
      admission: new AdmissionService(meetingRepo, rates, signer, DEFAULT_JOIN_LIMITS, undefined, entry),
      presence,
      rooms,
      queries: new MeetingQueries({
        meetings: meetingRepo,
        directory,
        // Mic and camera as each page in the live room reports them; participantId is the memberId.
        media: (id) => {
          const room = rooms.live(id);
          return room && new Map(room.roster().map((p) => [p.participantId, p]));
        },
      }),
      controls: new ControlService({ meetings: meetingRepo, directory, settings, presence, live: new RoomControls(rooms) }),
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
