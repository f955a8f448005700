import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/store/sqlite.js';
import { $conference, $oauth2, appToken, conferenceClient, confHeaders, oauthClient, runtime, sdkError } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { REPO_ROOT, runCli, tempDir } from './run-cli.js';

interface ExampleOrg {
  corpId: string;
  name: string;
  limits?: Record<string, number>;
  users: Array<{ unionId: string; name: string }>;
  apps: Array<{ appKey: string; appSecret: string; scopes: string[] }>;
}
interface Example {
  orgs: ExampleOrg[];
  suites: Array<{ authorizedCorpIds: string[] }>;
}

const EXAMPLE = 'examples/directory.json';
const example = JSON.parse(readFileSync(join(REPO_ROOT, EXAMPLE), 'utf8')) as Example;
/** A deep copy of the example to edit. */
const exampleCopy = () => structuredClone(example);

const DIRECTORY_TABLES = ['orgs', 'users', 'apps', 'suites', 'suite_authorizations'] as const;

/** Every row of the given tables, in a stable order, read straight from the SQLite file. */
function dump(dataDir: string, tables: readonly string[] = DIRECTORY_TABLES): Record<string, unknown[]> {
  const db = new SqliteDatabase(join(dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

const counts = (d: Record<string, unknown[]>) => Object.fromEntries(Object.entries(d).map(([t, rows]) => [t, rows.length]));

const scratch: Array<{ remove(): void }> = [];
function scratchDir(): string {
  const t = tempDir('vconf-import-');
  scratch.push(t);
  return t.dir;
}
afterAll(() => scratch.forEach((t) => t.remove()));

function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

async function importFile(file: string, dataDir: string) {
  const res = await runCli(['directory', 'import', file, '--data', dataDir]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return res.stdout;
}

describe('vconf directory import', () => {
  it('applies the example and prints a summary', async () => {
    const data = scratchDir();
    const stdout = await importFile(EXAMPLE, data);
    const users = example.orgs.reduce((n, o) => n + o.users.length, 0);
    const apps = example.orgs.reduce((n, o) => n + o.apps.length, 0);
    expect(stdout).toBe(`applied ${EXAMPLE}: ${example.orgs.length} orgs, ${users} users, ${apps} apps, ${example.suites.length} suites\n`);
    expect(counts(dump(data))).toEqual({
      orgs: example.orgs.length,
      users,
      apps,
      suites: example.suites.length,
      suite_authorizations: example.suites.reduce((n, s) => n + s.authorizedCorpIds.length, 0),
    });
  });

  it('is idempotent: a second run changes no row', async () => {
    const data = scratchDir();
    const first = await importFile(EXAMPLE, data);
    const before = dump(data);
    expect(await importFile(EXAMPLE, data)).toBe(first);
    expect(dump(data)).toEqual(before);
  });

  it('refuses a missing FILE argument with the usage', async () => {
    const res = await runCli(['directory', 'import']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('usage: vconf directory import FILE [--data DIR | --database URL]');
  });
});

describe('vconf directory import of an invalid file', () => {
  let data: string;
  let before: Record<string, unknown[]>;
  beforeEach(async () => {
    data = scratchDir();
    await importFile(EXAMPLE, data);
    before = dump(data);
  });

  /** The example with one valid change, so a partial write would show. */
  const renamed = () => {
    const doc = exampleCopy();
    doc.orgs[0]!.name = 'Renamed by a bad file';
    return doc;
  };

  const cases: Array<[string, (dir: string) => string, RegExp]> = [
    [
      'a schema error',
      (dir) => {
        const doc = renamed() as unknown as { orgs: Array<Record<string, unknown>> };
        delete doc.orgs[1]!.name;
        return writeJson(dir, 'schema.json', doc);
      },
      /schema\.json: \/orgs\/1 must have required property 'name'/,
    ],
    [
      'a duplicate unionId',
      (dir) => {
        const doc = renamed();
        doc.orgs[1]!.users.push({ unionId: 'fb-tom-berg', name: 'Tom again' });
        return writeJson(dir, 'dup.json', doc);
      },
      /dup\.json: duplicate unionId in dingfabrikam "fb-tom-berg"/,
    ],
    [
      'bad JSON',
      (dir) => {
        const file = join(dir, 'broken.json');
        writeFileSync(file, JSON.stringify(renamed()).slice(0, -10));
        return file;
      },
      /broken\.json is not valid JSON/,
    ],
    ['a missing file', (dir) => join(dir, 'nowhere.json'), /ENOENT.*nowhere\.json/],
  ];

  it.each(cases)('exits 2 on %s, names the problem and writes nothing', async (_what, makeFile, message) => {
    const res = await runCli(['directory', 'import', makeFile(scratchDir()), '--data', data]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(res.stdout).toBe('');
    expect(dump(data)).toEqual(before);
  });

  it('does not even create the data directory', async () => {
    const fresh = join(scratchDir(), 'data');
    const file = writeJson(scratchDir(), 'bad.json', { orgs: [{ corpId: 'dingx' }] });
    const res = await runCli(['directory', 'import', file, '--data', fresh]);
    expect(res.code).toBe(2);
    expect(existsSync(fresh)).toBe(false);
  });
});

describe('vconf directory import against a running server', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ directory: example });
  });
  afterEach(async () => server.stop());

  const create = (token: string, userId: string, inviteUserIds: string[] = []) =>
    conferenceClient(server.endpoint).createVideoConferenceWithOptions(
      new $conference.CreateVideoConferenceRequest({ userId, confTitle: 'Import check', inviteUserIds }),
      confHeaders(token),
      runtime(),
    );

  it('applies changed names, secrets and limits without a restart', async () => {
    const token = await appToken(server.endpoint, 'northwind-meetings', 'change-me-northwind-meetings-0b1f7c');
    await create(token, 'nw-li-wei', ['nw-zhang-min']);

    const doc = exampleCopy();
    const northwind = doc.orgs[0]!;
    northwind.name = 'Northwind Traders Ltd.';
    northwind.limits = { maxParticipantsPerMeeting: 1, invitesPerMinute: 1200 };
    northwind.users[0]!.name = 'Li Wei (CEO)';
    northwind.apps[0]!.appSecret = 'rotated-secret';
    await importFile(writeJson(scratchDir(), 'updated.json', doc), server.dataDir);

    const rows = dump(server.dataDir, ['orgs']).orgs as Array<{ corp_id: string; name: string; max_participants: number }>;
    expect(rows.find((r) => r.corp_id === 'dingnorthwind')).toMatchObject({ name: 'Northwind Traders Ltd.', max_participants: 1 });

    const oldSecret = await sdkError(
      oauthClient(server.endpoint).getAccessToken(
        new $oauth2.GetAccessTokenRequest({ appKey: 'northwind-meetings', appSecret: 'change-me-northwind-meetings-0b1f7c' }),
      ),
    );
    expect([oldSecret.statusCode, oldSecret.code]).toEqual([400, 'invalidClientIdOrSecret']);
    const fresh = await appToken(server.endpoint, 'northwind-meetings', 'rotated-secret');

    const overLimit = await sdkError(create(fresh, 'nw-li-wei', ['nw-zhang-min']));
    expect([overLimit.statusCode, overLimit.code]).toEqual([404, 'waterLimitError']);

    const alone = await create(fresh, 'nw-li-wei');
    const info = await conferenceClient(server.endpoint).queryConferenceInfoWithOptions(
      alone.body!.conferenceId!,
      new $conference.QueryConferenceInfoHeaders({ xAcsDingtalkAccessToken: fresh }),
      runtime(),
    );
    expect(info.body?.confInfo?.creatorNick).toBe('Li Wei (CEO)');
  });

  it('gives the next token request the scopes the file now grants', async () => {
    const before = await appToken(server.endpoint, 'northwind-meetings', 'change-me-northwind-meetings-0b1f7c');
    const doc = exampleCopy();
    doc.orgs[0]!.apps[0]!.scopes = ['VideoConference.Conference.Read'];
    await importFile(writeJson(scratchDir(), 'read-only.json', doc), server.dataDir);

    const after = await appToken(server.endpoint, 'northwind-meetings', 'change-me-northwind-meetings-0b1f7c');
    expect(after).not.toBe(before);
    const denied = await sdkError(create(after, 'nw-li-wei'));
    expect([denied.statusCode, denied.code]).toEqual([403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied']);
    expect(denied.accessDeniedDetail?.requiredScopes).toEqual(['VideoConference.Conference.Write']);
  });

  it('never deletes meetings, users or apps missing from the file', async () => {
    const token = await appToken(server.endpoint, 'northwind-meetings', 'change-me-northwind-meetings-0b1f7c');
    const created = await create(token, 'nw-li-wei', ['nw-zhang-min']);
    const before = dump(server.dataDir, ['meetings', 'meeting_members', 'users', 'apps']);
    expect(counts(before)).toMatchObject({ meetings: 1, meeting_members: 2 });

    const without = { orgs: [{ corpId: 'dingnorthwind', name: 'Northwind Traders', users: [{ unionId: 'nw-new-hire', name: 'New Hire' }] }] };
    expect(await importFile(writeJson(scratchDir(), 'without.json', without), server.dataDir)).toContain('1 orgs, 1 users, 0 apps, 0 suites');

    const after = dump(server.dataDir, ['meetings', 'meeting_members', 'users', 'apps']);
    expect(after.meetings).toEqual(before.meetings);
    expect(after.meeting_members).toEqual(before.meeting_members);
    expect(after.apps).toEqual(before.apps);
    expect(after.users).toHaveLength(before.users!.length + 1);

    const info = await conferenceClient(server.endpoint).queryConferenceInfoWithOptions(
      created.body!.conferenceId!,
      new $conference.QueryConferenceInfoHeaders({ xAcsDingtalkAccessToken: token }),
      runtime(),
    );
    expect(info.body?.confInfo).toMatchObject({ title: 'Import check', creatorId: 'nw-li-wei' });
    // The organizer left out of the file is still a member of the directory.
    await create(token, 'nw-li-wei');
  });
});
