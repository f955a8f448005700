import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { AdmissionService, DEFAULT_JOIN_LIMITS } from './domain/admission.js';
import { ControlService } from './domain/conference-controls.js';
import { EntryPolicy } from './domain/entry-policy.js';
import { EventRecorder } from './domain/events.js';
import { EventDispatcher } from './events/dispatcher.js';
import { MeetingQueries } from './domain/meeting-queries.js';
import { MeetingService } from './domain/meetings.js';
import type { DirectoryRepository, RateCounter } from './domain/ports.js';
import { PresenceService } from './domain/presence.js';
import { ScheduleService } from './domain/schedule.js';
import { randomHex } from './domain/secrets.js';
import { TicketSigner } from './domain/tickets.js';
import { SessionSigner } from './domain/sessions.js';
import { SignInService } from './domain/sign-in.js';
import { Ringer } from './domain/user-meetings.js';
import { UserHub } from './rtc/user-hub.js';
import { SqlCredentialRepository } from './store/user-auth-repo.js';
import { SqlUserMeetings } from './store/user-meetings-repo.js';
import { TokenService } from './domain/tokens.js';
import { RoomControls } from './rtc/room-controls.js';
import { RoomHub } from './rtc/room-hub.js';
import { Sfu } from './rtc/sfu/sfu.js';
import { DEFAULT_CLAIM_TTL_MS, DeliveryClaims } from './store/delivery-claims.js';
import { SqlDirectoryRepository } from './store/directory-repo.js';
import { SqlEventStore } from './store/event-repo.js';
import { SqlMeetingRepository } from './store/meeting-repo.js';
import { SqlMeetingSettingsRepository } from './store/meeting-settings-repo.js';
import { SqlMetaRepository } from './store/meta-repo.js';
import { SqlBookingRepository } from './store/schedule-repo.js';
import { MemoryRateCounter } from './store/memory-rate-counter.js';
import type { Database } from './store/schema.js';
import { openStore, type Store } from './store/open-store.js';
import { SqlTokenRepository } from './store/token-repo.js';

/** Everything a running vconf needs, wired once: storage, counters, domain services and rooms. */
export interface Context {
  config: Config;
  db: Kysely<Database>;
  /** The database (SQLite or PostgreSQL): readiness, pool pressure. */
  store: Store;
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
  /** Booked meetings (CreateScheduleConference and friends) and the instances their links start. */
  schedule: ScheduleService;
  rates: RateCounter;
  /** Base of join links; startServer fills it in from the listen address when not configured. */
  links: { base: string };
  /** The conference event outbox and its delivery worker (started by startServer). */
  events: { store: SqlEventStore; dispatcher: EventDispatcher };
  /** Signed-in directory users of the web app: sessions, their meetings, ringing (docs/sign-in.md). */
  accounts: { sessions: SessionSigner; signIn: SignInService; meetings: SqlUserMeetings; pages: UserHub; ringer: Ringer };
  close(): Promise<void>;
}

export async function createContext(config: Config, logger: Logger): Promise<Context> {
  // Opened with its schema up to date.
  const store = await openStore(config);
  const { db } = store;
  try {
    const directory = new SqlDirectoryRepository(db);
    const meetingRepo = new SqlMeetingRepository(db, store.meetingCreates);
    // One key per deployment, kept in the database so every instance derives the same tokens and tickets.
    const key = Buffer.from(await new SqlMetaRepository(db).getOrCreate('token_key', () => randomHex(32)), 'hex');
    const rates = new MemoryRateCounter();
    const links = { base: config.publicUrl ?? '' };
    const signer = new TicketSigner(key);
    const settings = new SqlMeetingSettingsRepository(db);
    const entry = new EntryPolicy(settings);
    const eventStore = new SqlEventStore(db);
    const dispatcher = new EventDispatcher(eventStore, logger.child({ component: 'events' }), {
      ...(config.eventRetryScheduleMs ? { retryScheduleMs: config.eventRetryScheduleMs } : {}),
      ...(config.eventPollMs ? { pollMs: config.eventPollMs } : {}),
      // On PostgreSQL other instances may deliver from the same outbox.
      ...(store.dialect === 'postgres' ? { claims: new DeliveryClaims(db, randomHex(8), DEFAULT_CLAIM_TTL_MS) } : {}),
    });
    const recorder = new EventRecorder(eventStore, meetingRepo, links, () => dispatcher.wake());
    const presence = new PresenceService(meetingRepo, undefined, entry, recorder);
    const sfu = new Sfu({
      listenIp: config.rtcListenIp,
      ...(config.rtcAnnouncedIp ? { announcedIp: config.rtcAnnouncedIp } : {}),
      portRange: config.rtcPorts,
      logger: logger.child({ component: 'sfu' }),
    });
    const schedule = new ScheduleService({
      directory,
      bookings: new SqlBookingRepository(db),
      meetings: meetingRepo,
      settings,
      links,
      phoneNumbers: config.phoneNumbers,
      events: recorder,
    });
    const sessions = new SessionSigner(key);
    const userMeetings = new SqlUserMeetings(db);
    const userPages = new UserHub();
    const rooms = new RoomHub(sfu, presence, signer, logger.child({ component: 'rooms' }), settings);
    return {
      config,
      db,
      store,
      directory,
      rates,
      links,
      events: { store: eventStore, dispatcher },
      tokens: new TokenService(new SqlTokenRepository(db), directory, key),
      meetings: new MeetingService({ directory, meetings: meetingRepo, budget: rates, links, phoneNumbers: config.phoneNumbers, events: recorder }),
      admission: new AdmissionService(meetingRepo, rates, signer, DEFAULT_JOIN_LIMITS, undefined, entry, schedule),
      presence,
      rooms,
      schedule,
      queries: new MeetingQueries({
        meetings: meetingRepo,
        directory,
        // Mic and camera as each page in the live room reports them; participantId is the memberId.
        media: (id) => {
          const room = rooms.live(id);
          return room && new Map(room.roster().map((p) => [p.participantId, p]));
        },
      }),
      controls: new ControlService({ meetings: meetingRepo, directory, settings, presence, live: new RoomControls(rooms), events: recorder }),
      accounts: {
        sessions,
        signIn: new SignInService(new SqlCredentialRepository(db), rates, sessions),
        meetings: userMeetings,
        pages: userPages,
        ringer: new Ringer(userMeetings, userPages),
      },
      async close() {
        userPages.close();
        await rooms.close();
        // Rooms closing may still record leaves; the worker stops before the database closes.
        await dispatcher.stop();
        await sfu.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
