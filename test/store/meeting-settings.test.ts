/** Meeting settings on a real database (SQLite, or PostgreSQL in the api-postgres project): concurrent changes to different fields all stay. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlMeetingRepository } from '../../src/store/meeting-repo.js';
import { SqlMeetingSettingsRepository } from '../../src/store/meeting-settings-repo.js';
import { meeting } from '../support/meeting-drafts.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

let opened: TestStore;

beforeAll(async () => {
  opened = await openTestStore('vconf-settings-');
});
afterAll(async () => {
  await opened.close();
});

describe('meeting settings', () => {
  it('keeps every one of many changes to different fields made at once (on PostgreSQL, by two instances)', async () => {
    const repo = new SqlMeetingRepository(opened.store.db, opened.store.meetingCreates);
    const mine = new SqlMeetingSettingsRepository(opened.store.db);
    // One SQLite file has one vconf instance; PostgreSQL may have several.
    const other = opened.store.dialect === 'postgres' ? new SqlMeetingSettingsRepository((await opened.another()).db) : mine;
    const instances = [mine, other];
    const drafts = Array.from({ length: 8 }, () => meeting());
    for (const d of drafts) await repo.create(d.meeting, d.members, d.events);
    const patches = [
      { locked: true },
      { muteAll: true },
      { allowUnmuteSelf: false },
      { forbiddenShareScreen: true },
      { onlyInternalEmployeesJoin: true },
      { autoTransferHost: true },
      { focus: 'a1' },
      { waitingRoom: true },
    ];
    await Promise.all(drafts.flatMap((d) => patches.map((p, i) => instances[i % 2]!.update(d.meeting.conferenceId, p))));
    for (const d of drafts) {
      expect(await instances[0]!.get(d.meeting.conferenceId)).toEqual({
        locked: true,
        muteAll: true,
        allowUnmuteSelf: false,
        forbiddenShareScreen: true,
        onlyInternalEmployeesJoin: true,
        autoTransferHost: true,
        focus: 'a1',
        waitingRoom: true,
      });
    }
  });
});
