import type { Kysely } from 'kysely';
import type { App, DirectoryDocument, DirectoryUser, Org, OrgSso, Suite } from '../domain/directory.js';
import { prepareListQuery, prepareQuery } from './prepared.js';
import type { Database } from './schema.js';
import type { DirectoryRepository, ImportSummary } from '../domain/ports/index.js';

export class SqlDirectoryRepository implements DirectoryRepository {
  // Every create reads the organization and the people; these two are compiled once.
  private readonly orgById;
  private readonly usersByUnionId;

  constructor(private readonly db: Kysely<Database>) {
    this.orgById = prepareQuery(db, 1, (corpId) => db.selectFrom('orgs').selectAll().where('corp_id', '=', corpId));
    this.usersByUnionId = prepareListQuery(db, 32, (...unionIds) =>
      db.selectFrom('users').select(['corp_id', 'union_id', 'user_id', 'name', 'can_create_meetings']).where('union_id', 'in', unionIds),
    );
  }

  async findOrg(corpId: string): Promise<Org | undefined> {
    const [row] = await this.orgById.execute(corpId);
    if (!row) return undefined;
    return {
      corpId: row.corp_id,
      name: row.name,
      disabled: Boolean(row.disabled),
      limits: {
        maxParticipantsPerMeeting: row.max_participants,
        invitesPerMinute: row.invites_per_minute,
        createsPerAppPerHour: row.creates_per_app_per_hour,
        createsPerAppPerDay: row.creates_per_app_per_day,
      },
    };
  }

  async findUsers(unionIds: readonly string[]): Promise<DirectoryUser[]> {
    if (unionIds.length === 0) return [];
    const rows = await this.usersByUnionId.execute(...unionIds);
    return rows.map((r) => ({
      corpId: r.corp_id,
      unionId: r.union_id,
      userId: r.user_id,
      name: r.name,
      canCreateMeetings: Boolean(r.can_create_meetings),
    }));
  }

  async findApp(appKey: string): Promise<App | undefined> {
    const row = await this.db.selectFrom('apps').selectAll().where('app_key', '=', appKey).executeTakeFirst();
    if (!row) return undefined;
    const events = row.event_types ? (JSON.parse(row.event_types) as string[]) : undefined;
    return {
      appKey: row.app_key,
      corpId: row.corp_id,
      appSecret: row.app_secret,
      scopes: JSON.parse(row.scopes) as string[],
      ...(row.event_mode === 'stream' ? { eventStream: events ? { events } : {} } : {}),
      ...(row.event_mode === 'callback' && row.event_url
        ? {
            eventCallback: {
              url: row.event_url,
              ...(row.event_secret ? { secret: row.event_secret } : {}),
              ...(row.event_aes_key ? { aesKey: row.event_aes_key } : {}),
              ...(row.event_token ? { token: row.event_token } : {}),
              ...(events ? { events } : {}),
            },
          }
        : {}),
      ...(row.redirect_uris ? { redirectUris: JSON.parse(row.redirect_uris) as string[] } : {}),
    };
  }

  /** A user of one organization, with the flags sign-in and SSO read. */
  async findUser(corpId: string, unionId: string): Promise<DirectoryUser | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('corp_id', '=', corpId).where('union_id', '=', unionId).executeTakeFirst();
    if (!r) return undefined;
    return { corpId: r.corp_id, unionId: r.union_id, userId: r.user_id, name: r.name, canCreateMeetings: Boolean(r.can_create_meetings), admin: Boolean(r.admin) };
  }

  /** An organization's admin SSO settings, if it has any. */
  async findSso(corpId: string): Promise<OrgSso | undefined> {
    const r = await this.db.selectFrom('orgs').select(['sso_secret', 'sso_redirect_uris']).where('corp_id', '=', corpId).executeTakeFirst();
    if (!r?.sso_secret) return undefined;
    return { secret: r.sso_secret, redirectUris: JSON.parse(r.sso_redirect_uris ?? '[]') as string[] };
  }

  /** The userIds of an organization's administrators. */
  async adminUserIds(corpId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('users').select('user_id').where('corp_id', '=', corpId).where('admin', '=', 1 as never).execute();
    return rows.map((r) => r.user_id);
  }

  async findSuite(suiteKey: string): Promise<Suite | undefined> {
    const row = await this.db.selectFrom('suites').selectAll().where('suite_key', '=', suiteKey).executeTakeFirst();
    if (!row) return undefined;
    const auths = await this.db.selectFrom('suite_authorizations').select('corp_id').where('suite_key', '=', suiteKey).execute();
    return {
      suiteKey: row.suite_key,
      suiteSecret: row.suite_secret,
      suiteTicket: row.suite_ticket,
      scopes: JSON.parse(row.scopes) as string[],
      authorizedCorpIds: auths.map((a) => a.corp_id),
    };
  }

  async countOrgs(): Promise<number> {
    const row = await this.db.selectFrom('orgs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async apply(doc: DirectoryDocument): Promise<ImportSummary> {
    return this.db.transaction().execute(async (tx) => {
      const summary: ImportSummary = { orgs: 0, users: 0, apps: 0, suites: 0 };
      for (const org of doc.orgs) {
        const orgRow = {
          corp_id: org.corpId,
          name: org.name,
          disabled: org.disabled ? 1 : 0,
          max_participants: org.limits.maxParticipantsPerMeeting,
          invites_per_minute: org.limits.invitesPerMinute,
          creates_per_app_per_hour: org.limits.createsPerAppPerHour,
          creates_per_app_per_day: org.limits.createsPerAppPerDay,
          sso_secret: org.sso?.secret ?? null,
          sso_redirect_uris: org.sso ? JSON.stringify(org.sso.redirectUris) : null,
        };
        await tx.insertInto('orgs').values(orgRow).onConflict((oc) => oc.column('corp_id').doUpdateSet(orgRow)).execute();
        summary.orgs++;
        for (const u of org.users) {
          const userRow = {
            corp_id: u.corpId,
            union_id: u.unionId,
            user_id: u.userId,
            name: u.name,
            can_create_meetings: u.canCreateMeetings ? 1 : 0,
            // Re-applying a file without passwordHash turns password sign-in off for the user.
            password_hash: u.passwordHash ?? null,
            admin: u.admin ? 1 : 0,
          };
          await tx
            .insertInto('users')
            .values(userRow)
            .onConflict((oc) => oc.columns(['corp_id', 'union_id']).doUpdateSet(userRow))
            .execute();
          summary.users++;
        }
        for (const a of org.apps) {
          const appRow = {
            app_key: a.appKey,
            corp_id: a.corpId,
            app_secret: a.appSecret,
            scopes: JSON.stringify(a.scopes),
            // Re-applying a file without eventCallback (or eventStream) unsubscribes the app.
            event_url: a.eventCallback?.url ?? null,
            event_secret: a.eventCallback?.secret ?? null,
            event_aes_key: a.eventCallback?.aesKey ?? null,
            event_token: a.eventCallback?.token ?? null,
            event_mode: a.eventStream ? 'stream' : a.eventCallback ? 'callback' : null,
            event_types: eventTypes(a.eventCallback?.events ?? a.eventStream?.events),
            redirect_uris: a.redirectUris ? JSON.stringify(a.redirectUris) : null,
          };
          await tx.insertInto('apps').values(appRow).onConflict((oc) => oc.column('app_key').doUpdateSet(appRow)).execute();
          summary.apps++;
        }
      }
      for (const s of doc.suites) {
        const suiteRow = {
          suite_key: s.suiteKey,
          suite_secret: s.suiteSecret,
          suite_ticket: s.suiteTicket,
          scopes: JSON.stringify(s.scopes),
        };
        await tx.insertInto('suites').values(suiteRow).onConflict((oc) => oc.column('suite_key').doUpdateSet(suiteRow)).execute();
        for (const corpId of s.authorizedCorpIds) {
          await tx
            .insertInto('suite_authorizations')
            .values({ suite_key: s.suiteKey, corp_id: corpId })
            .onConflict((oc) => oc.columns(['suite_key', 'corp_id']).doNothing())
            .execute();
        }
        summary.suites++;
      }
      return summary;
    });
  }
}

function eventTypes(events: string[] | undefined): string | null {
  return events ? JSON.stringify(events) : null;
}
