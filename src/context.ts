import type { Logger } from 'pino';
import type { Config } from './config.js';
import { AdmissionService, DEFAULT_JOIN_LIMITS } from './domain/admission.js';
import { ControlService } from './domain/conference-controls.js';
import { EntryPolicy } from './domain/entry-policy.js';
import { EventRecorder } from './domain/events.js';
import { EventDispatcher } from './events/dispatcher.js';
import { perKeyAtMost, StreamGateway } from './events/stream-gateway.js';
import { SqlStreamTickets } from './store/stream-ticket-repo.js';
import { SqlConferenceExtras } from './store/extras-repo.js';
import { MeetingQueries } from './domain/meeting-queries.js';
import { StatisticsService } from './domain/statistics.js';
import { SqlStatisticsStore } from './store/statistics-repo.js';
import { DEFAULT_STATS_INTERVAL_MS } from './rtc/stats/room-stats.js';
import { MeetingService } from './domain/meetings.js';
import { PresenceService } from './domain/presence.js';
import { RoomModeration } from './domain/room-moderation.js';
import { ScheduleService } from './domain/schedule.js';
import { randomHex } from './domain/secrets.js';
import { TicketSigner } from './domain/tickets.js';
import { DeviceIds } from './domain/devices.js';
import { MeetingExpiry } from './domain/meeting-expiry.js';
import { SessionSigner } from './domain/sessions.js';
import { SignInService } from './domain/sign-in.js';
import { Ringer } from './domain/user-meetings.js';
import { UserHub } from './rtc/user-hub.js';
import { SqlCredentialRepository } from './store/user-auth-repo.js';
import { SqlUserMeetings } from './store/user-meetings-repo.js';
import { TokenService } from './domain/tokens.js';
import { OAuthService } from './domain/oauth.js';
import { RoomControls } from './rtc/room-controls.js';
import { RoomHub } from './rtc/room-hub.js';
import { Sfu } from './rtc/sfu/sfu.js';
import { DEFAULT_CLAIM_TTL_MS, DeliveryClaims } from './store/delivery-claims.js';
import { clientIceFor } from './rtc/ice-servers.js';
import { SqlDirectoryRepository } from './store/directory-repo.js';
import { SqlEventStore } from './store/event-repo.js';
import { SqlMeetingRepository } from './store/meeting-repo.js';
import { SqlMeetingSettingsRepository } from './store/meeting-settings-repo.js';
import { SqlMetaRepository } from './store/meta-repo.js';
import { SqlBookingRepository } from './store/schedule-repo.js';
import { MemoryRateCounter } from './store/memory-rate-counter.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { databasePing, type Readiness } from './metrics/readiness.js';
import { openStore, type Store } from './store/open-store.js';
import { SqlGrantRepository, SqlTokenRepository } from './store/token-repo.js';
import { ClusterControls, applyControl } from './cluster/cluster-controls.js';
import { ClusterRecordings, applyMediaOp, type RecordingControls } from './cluster/cluster-recordings.js';
import { ClusterRingTarget } from './cluster/cluster-ring-target.js';
import { guardDatabase, type DatabaseGuard } from './cluster/database-guard.js';
import { localCluster } from './cluster/local.js';
import { ClusterNode, DEFAULT_HEARTBEAT_MS, DEFAULT_TTL_MS } from './cluster/node.js';
import { openRedisCluster } from './cluster/redis-cluster.js';
import { RoomRouter, relayProof } from './cluster/room-router.js';
import type { ClusterSignal, ClusterState } from './domain/ports/cluster.js';
import { join } from 'node:path';
import { CloudRecordService } from './domain/cloud-records.js';
import { LocalMediaEngine } from './media/media-engine.js';
import { probeMediaTools } from './media/media-tools.js';
import { SqlCloudRecords } from './store/cloud-record-repo.js';
import { roomView } from './rtc/room-media-view.js';
import { DialInService } from './domain/dial-in.js';
import { SipEndpoint } from './sip/sip-endpoint.js';
import { loadPrompts, type Prompts } from './sip/prompts.js';
import type { RoomMixer } from './sip/room-mixer.js';
import { PhoneBridgeHost, openBridge } from './sip/phone-bridge.js';
import type { PhoneDeps } from './sip/phone-call.js';
import type { ConferenceExtrasStore, DirectoryRepository, RateCounter, StreamTicketStore, UserMeetingsStore } from './domain/ports/index.js';

/** Everything a running vconf needs, wired once: storage, counters, domain services and rooms. */
export interface Context {
  config: Config;
  directory: DirectoryRepository;
  tokens: TokenService;
  /** Suite tokens, authorization info, JSAPI tickets, user OAuth and admin SSO (docs/sign-in.md). */
  oauth: OAuthService;
  /** UpdateVideoConferenceExtInfo's ext info and CreateCustomShortLink's links. */
  extras: ConferenceExtrasStore;
  meetings: MeetingService;
  admission: AdmissionService;
  presence: PresenceService;
  rooms: RoomHub;
  /** The forwarding server under the rooms (its meetings' tracks, layers and counters). */
  sfu: Sfu;
  /** The in-meeting controls of the Open API (close, kick, mute, lock, co-hosts, focus, settings). */
  controls: ControlService;
  /** The read operations of the Open API over meetings and member records. */
  queries: MeetingQueries;
  /** Media-quality samples from the rooms and the statistics operations over them (docs/statistics.md). */
  statistics: StatisticsService;
  /** Booked meetings (CreateScheduleConference and friends) and the instances their links start. */
  schedule: ScheduleService;
  rates: RateCounter;
  /** Device ids (the vconf_device cookie) and whether failure limits vouch for a browser (docs/security.md). */
  devices: DeviceIds;
  /** Ends ad-hoc meetings nobody joined in time (--unused-meeting-ttl); startServer runs it. */
  expiry: MeetingExpiry;
  /** This instance among the deployment's: shared state, its membership, and where sockets go. */
  cluster: { state: ClusterState; node: ClusterNode; router: RoomRouter; onSignal(signal: ClusterSignal): Promise<unknown> };
  /** Base of join links; startServer fills it in from the listen address when not configured. */
  links: { base: string };
  /** The conference event outbox and its delivery worker (started by startServer). */
  events: { dispatcher: EventDispatcher; stream: StreamGateway; tickets: StreamTicketStore };
  /** Signed-in directory users of the web app: sessions, their meetings, ringing (docs/sign-in.md). */
  accounts: { sessions: SessionSigner; signIn: SignInService; meetings: UserMeetingsStore; pages: UserHub; ringer: Ringer };
  /** Cloud recording and stream-out (docs/recording.md): the rules, the files' directory, the deployment key that signs their links. */
  recordings: CloudRecordService;
  /** Start/stop of recording and stream-out, run on the instance hosting the meeting's room. */
  recordingControls: RecordingControls;
  media: { engine: LocalMediaEngine; recordingsDir: string; linkKey: Buffer };
  /** This instance's Prometheus registry and the metrics the HTTP layer feeds (docs/observability.md). */
  metrics: Metrics;
  /** What GET /readyz checks. */
  readiness: Readiness;
  /** Dial-in by telephone (--sip-listen); startServer starts it. */
  sip: SipEndpoint | undefined;
  /** The host's end of phone calls answered by another instance of the deployment (docs/dial-in.md). */
  phoneBridge: PhoneBridgeHost;
  close(): Promise<void>;
}

/** At most one cluster broadcast per app and this long about its Stream-mode events. */
const STREAM_NUDGE_MS = 250;

/** Largest signaling frame a browser may send (the relay holds hosts to the same). */
export const MAX_SIGNALING_PAYLOAD = 512 * 1024;

/**
 * Wires one implementation of every port. The context holds only ports and services; the store
 * underneath is returned beside it for the process that owns it (server.ts) and for tools.
 */
export async function createContext(config: Config, logger: Logger): Promise<{ ctx: Context; store: Store }> {
  // Before anything is written: two instances on one database without Redis would split its state.
  const guard: DatabaseGuard | undefined = config.database ? await guardDatabase(config.database, config.redis !== undefined) : undefined;
  // Opened with its schema up to date.
  const store = await openStore(config).catch(async (err: unknown) => {
    await guard?.release();
    throw err;
  });
  const { db } = store;
  let cluster: (ClusterState & { rates: RateCounter }) | undefined;
  try {
    const directory = new SqlDirectoryRepository(db);
    const meetingRepo = new SqlMeetingRepository(db, store.meetingCreates);
    // One key per deployment, kept in the database so every instance derives the same tokens and tickets.
    const key = Buffer.from(await new SqlMetaRepository(db).getOrCreate('token_key', () => randomHex(32)), 'hex');
    const clusterLog = logger.child({ component: 'cluster' });
    // Redis errors are counted once the registry exists (it needs the rooms made below).
    let metrics: Metrics | undefined;
    cluster = config.redis
      ? await openRedisCluster(
          config.redis,
          await new SqlMetaRepository(db).getOrCreate('deployment_id', () => randomHex(8)),
          (err) => {
            metrics?.redisErrors.inc();
            clusterLog.warn({ err: err.message }, 'redis error');
          },
          (err) => clusterLog.error({ err }, 'cluster signal failed'),
        )
      : { ...localCluster(), rates: new MemoryRateCounter() };
    const rates = cluster.rates;
    const links = { base: config.publicUrl ?? '' };
    const signer = new TicketSigner(key);
    const settings = new SqlMeetingSettingsRepository(db);
    const entry = new EntryPolicy(settings);
    const instanceId = config.instanceId ?? randomHex(6);
    const claimTtlMs = config.eventClaimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
    const eventStore = new SqlEventStore(db);
    const streamNudge = perKeyAtMost(STREAM_NUDGE_MS, (appKey) =>
      cluster?.bus.broadcast({ kind: 'streamEvents', appKey }).catch((err: unknown) => clusterLog.warn({ err }, 'telling other instances about stream events failed')),
    );
    // DingTalk's Stream mode: the clients connected here get their apps' events from this instance.
    const stream = new StreamGateway({
      logger: logger.child({ component: 'stream' }),
      connected: () => dispatcher.resweep(),
      ...(config.eventStreamPingMs ? { pingMs: config.eventStreamPingMs } : {}),
      ...(config.eventStreamAckMs ? { ackTimeoutMs: config.eventStreamAckMs } : {}),
    });
    const dispatcher = new EventDispatcher(eventStore, logger.child({ component: 'events' }), {
      ...(config.eventRetryScheduleMs ? { retryScheduleMs: config.eventRetryScheduleMs } : {}),
      ...(config.eventPollMs ? { pollMs: config.eventPollMs } : {}),
      stream,
      // Several instances: the one holding the app's connection is told at once, not at its next poll.
      streamElsewhere: streamNudge,
      // On PostgreSQL other instances may deliver from the same outbox.
      // An attempt ends well before its claim does, so no other instance starts the same delivery meanwhile.
      ...(store.dialect === 'postgres' ? { claims: new DeliveryClaims(db, instanceId, claimTtlMs), timeoutMs: Math.min(10_000, claimTtlMs / 2) } : {}),
    });
    const recorder = new EventRecorder(eventStore, meetingRepo, links, () => dispatcher.wake());
    const presence = new PresenceService(meetingRepo, undefined, entry, recorder);
    const sfu = new Sfu({
      listenIp: config.rtcListenIp,
      ...(config.rtcAnnouncedIp ? { announcedIp: config.rtcAnnouncedIp } : {}),
      portRange: config.rtcPorts,
      tcp: config.rtcTcp !== false,
      clientIce: clientIceFor(config.turn, config.iceTransportPolicy ?? 'all'),
      logger: logger.child({ component: 'sfu' }),
    });
    const schedule = new ScheduleService({
      directory,
      budget: rates,
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
    const statistics = new StatisticsService({
      meetings: meetingRepo,
      directory,
      store: new SqlStatisticsStore(db),
      ...(config.statsRetentionMs ? { retentionMs: config.statsRetentionMs } : {}),
    });
    const statsLog = logger.child({ component: 'statistics' });
    rooms.stats = {
      intervalMs: config.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS,
      sink: {
        record: (samples) => statistics.record(samples),
        failed: (err, conferenceId) => statsLog.warn({ err, conferenceId }, 'storing media statistics failed'),
      },
    };
    const state = cluster;
    const node = new ClusterNode(
      state,
      { roomIds: () => rooms.roomIds(), participants: () => rooms.liveParticipants, userPages: () => userPages.listeners, moveRoom: (id) => rooms.move(id) },
      { id: instanceId, heartbeatMs: DEFAULT_HEARTBEAT_MS, ttlMs: DEFAULT_TTL_MS },
      clusterLog,
    );
    rooms.hooks = {
      // A room opening here may have been live on an instance that vanished: close the visits it left open.
      async beforeOpen(conferenceId) {
        const from = await state.rooms.takeOverFrom(conferenceId);
        const at = (from && (await state.registry.lastSeen(from))) || Date.now();
        const closed = await presence.interrupted(conferenceId, at);
        if (closed > 0) clusterLog.info({ conferenceId, from, closed, lastSeen: at }, 'visits closed at the lost host\'s last heartbeat');
      },
      closed(conferenceId) {
        // A room that closes here (everyone left, the meeting ended) takes its recording and pushes with it.
        mediaEngine.endMeeting(conferenceId).catch((err: unknown) => mediaLog.warn({ err, conferenceId }, 'stopping recording failed'));
        node.released(conferenceId).catch((err: unknown) => clusterLog.warn({ err, conferenceId }, 'releasing a room failed'));
      },
    };
    // Admission counts live people: the organization's maxParticipantsPerMeeting holds in the room.
    rooms.capacity = async (conferenceId) => {
      const meeting = await meetingRepo.find(conferenceId);
      const org = meeting && (await directory.findOrg(meeting.corpId));
      return org?.limits.maxParticipantsPerMeeting ?? Number.POSITIVE_INFINITY;
    };
    const roomControls = new RoomControls(rooms);
    // Recording and stream-out: ffmpeg, found at start; without it the operations say why they are not available.
    const recordingsDir = config.recordingsDir ?? join(config.dataDir, 'recordings');
    const mediaLog = logger.child({ component: 'media' });
    const mediaProbe = await probeMediaTools(config.ffmpegPath ?? 'ffmpeg');
    if (mediaProbe.ok) mediaLog.info({ ffmpeg: mediaProbe.tools.ffmpeg, version: mediaProbe.tools.version, recordingsDir }, 'recording and stream-out available');
    else mediaLog.warn({ reason: mediaProbe.reason }, 'recording and stream-out are not available');
    const mediaEngine = new LocalMediaEngine(mediaProbe, recordingsDir, sfu, roomView(rooms), mediaLog, config.streamOutcomeWaitMs);
    const recordings = new CloudRecordService({ meetings: meetingRepo, directory, records: new SqlCloudRecords(db), engine: mediaEngine, events: recorder, log: mediaLog });
    mediaEngine.observer = recordings;
    const router = new RoomRouter(rooms, node, signer, MAX_SIGNALING_PAYLOAD, relayProof(key), clusterLog);
    const tokens = new TokenService(new SqlTokenRepository(db), directory, key, undefined, rates);
    const controls = new ControlService({
      meetings: meetingRepo,
      directory,
      settings,
      presence,
      live: new ClusterControls(node.id, state.rooms, state.bus, roomControls, clusterLog),
      events: recorder,
    });
    // The host's tools in the room run the API's operations: one state for both.
    rooms.moderation = new RoomModeration(meetingRepo, controls);
    rooms.links = links;
    metrics = createMetrics({ rooms, sfu, outbox: eventStore, pool: store, stream });
    const admission = new AdmissionService(meetingRepo, rates, signer, DEFAULT_JOIN_LIMITS, undefined, entry, schedule);
    // Phone callers: answered here with --sip-listen, or bridged here from the instance that answered
    // (src/sip/phone-bridge.ts). Both kinds share the rooms' mixers; the prompts load at start with
    // --sip-listen (a build without them refuses to start), else with the first bridged call.
    let prompts: Prompts | undefined = config.sip ? loadPrompts() : undefined;
    const proof = relayProof(key);
    const sipLog = logger.child({ component: 'sip' });
    const phoneDeps: PhoneDeps = {
      get prompts() {
        return (prompts ??= loadPrompts());
      },
      dialIn: new DialInService(admission),
      rooms,
      sfu,
      mixers: new Map<string, RoomMixer>(),
      log: sipLog,
      ...(config.sip?.menuTimeoutMs ? { menuTimeoutMs: config.sip.menuTimeoutMs } : {}),
      // Several instances: the room comes here unless it is live on another instance already.
      placeRoom: async (conferenceId) => {
        if (!state.shared) return { here: true };
        const where = await node.hostFor(conferenceId, true);
        return where.local ? { here: true } : { here: false, host: where.host.id, url: where.host.url };
      },
      openBridge: (url, claims, caller) => openBridge(url, proof, signer.sign(claims), caller),
    };
    const sipEndpoint = config.sip ? new SipEndpoint(config.sip, phoneDeps, sipLog) : undefined;
    const phoneBridge = new PhoneBridgeHost(
      () => {
        prompts ??= loadPrompts();
        return phoneDeps;
      },
      signer,
      proof,
      sipLog,
    );
    const ctx: Context = {
      config,
      directory,
      rates,
      devices: new DeviceIds(key, rates),
      expiry: new MeetingExpiry(meetingRepo, presence, config.unusedMeetingTtlMs ?? 0),
      links,
      events: { dispatcher, stream, tickets: new SqlStreamTickets(db) },
      metrics,
      readiness: {
        checks: [databasePing(db), ...(state.shared ? [{ name: 'redis', check: () => state.ping() }] : [])],
        draining: () => node.isDraining,
      },
      tokens,
      oauth: new OAuthService(tokens, directory, new SqlGrantRepository(db), key),
      extras: new SqlConferenceExtras(db),
      meetings: new MeetingService({ directory, meetings: meetingRepo, budget: rates, links, phoneNumbers: config.phoneNumbers, events: recorder }),
      admission,
      sip: sipEndpoint,
      phoneBridge,
      presence,
      rooms,
      sfu,
      statistics,
      schedule,
      recordings,
      recordingControls: new ClusterRecordings(node.id, state.rooms, state.bus, recordings),
      media: { engine: mediaEngine, recordingsDir, linkKey: key },
      queries: new MeetingQueries({
        meetings: meetingRepo,
        directory,
        // Mic and camera as each page in the live room reports them; participantId is the memberId.
        media: (id) => {
          const room = rooms.live(id);
          return room && new Map(room.roster().map((p) => [p.participantId, p]));
        },
      }),
      controls,
      cluster: {
        state,
        node,
        router,
        async onSignal(signal) {
          if (signal.kind === 'control') await applyControl(roomControls, signal.op);
          else if (signal.kind === 'media') return applyMediaOp(recordings, signal.op);
          else if (signal.kind === 'streamEvents') {
            if (stream.holdsApp(signal.appKey)) dispatcher.resweep();
          } else userPages.push(signal.corpId, signal.unionId, signal.message);
          return undefined;
        },
      },
      accounts: {
        sessions,
        signIn: new SignInService(new SqlCredentialRepository(db), rates, sessions),
        meetings: userMeetings,
        pages: userPages,
        ringer: new Ringer(
          userMeetings,
          new ClusterRingTarget(
            userPages,
            state.bus,
            () => node.others().reduce((n, p) => n + p.userPages, 0),
            (err) => clusterLog.warn({ err }, 'ringing other instances failed'),
          ),
        ),
      },
      async close() {
        // Callers hear a BYE before their rooms close.
        await sipEndpoint?.close();
        userPages.close();
        await rooms.close();
        await mediaEngine.close();
        // Rooms closing may still record leaves; the worker stops before the database closes.
        await dispatcher.stop();
        await sfu.close();
        await node.stop();
        await state.close();
        await store.close();
        await guard?.release();
      },
    };
    return { ctx, store };
  } catch (err) {
    await cluster?.close();
    await store.close();
    await guard?.release();
    throw err;
  }
}
