import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parseDirectory } from '../../src/domain/directory.js';
import { Rejection } from '../../src/domain/rejection.js';
import { directory as fixtureDirectory } from '../support/fixtures.js';

const example = JSON.parse(readFileSync(new URL('../../examples/directory.json', import.meta.url), 'utf8')) as unknown;

const org = (extra: Record<string, unknown> = {}) => ({ corpId: 'dingx', name: 'X', ...extra });

/** The rejection parseDirectory throws; fails the test when the input is accepted. */
function rejection(input: unknown): Rejection {
  try {
    parseDirectory(input);
  } catch (err) {
    expect(err).toBeInstanceOf(Rejection);
    return err as Rejection;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseDirectory: accepted documents and defaults', () => {
  it('accepts an empty document as no orgs and no suites', () => {
    expect(parseDirectory({})).toEqual({ orgs: [], suites: [] });
  });

  it('fills every default of an org, user, app and suite', () => {
    const doc = parseDirectory({
      orgs: [org({ users: [{ unionId: 'u1', name: 'Una' }], apps: [{ appKey: 'k', appSecret: 's', scopes: [] }] })],
      suites: [{ suiteKey: 'su', suiteSecret: 'ss', suiteTicket: 't', scopes: ['A'] }],
    });
    expect(doc.orgs[0]).toEqual({
      corpId: 'dingx',
      name: 'X',
      disabled: false,
      limits: DEFAULT_LIMITS,
      users: [{ corpId: 'dingx', unionId: 'u1', userId: 'u1', name: 'Una', canCreateMeetings: true }],
      apps: [{ appKey: 'k', corpId: 'dingx', appSecret: 's', scopes: [] }],
    });
    expect(DEFAULT_LIMITS).toEqual({ maxParticipantsPerMeeting: 100, invitesPerMinute: 600, createsPerAppPerHour: 1000, createsPerAppPerDay: 10000 });
    expect(doc.suites).toEqual([{ suiteKey: 'su', suiteSecret: 'ss', suiteTicket: 't', scopes: ['A'], authorizedCorpIds: [] }]);
  });

  it('keeps given values and completes a partial limits object', () => {
    const doc = parseDirectory({
      orgs: [
        org({
          disabled: true,
          limits: { invitesPerMinute: 7 },
          users: [{ unionId: 'u1', userId: 'emp-1', name: 'Una', canCreateMeetings: false }],
        }),
      ],
    });
    const [o] = doc.orgs;
    expect(o?.disabled).toBe(true);
    expect(o?.limits).toEqual({ maxParticipantsPerMeeting: 100, invitesPerMinute: 7, createsPerAppPerHour: 1000, createsPerAppPerDay: 10000 });
    expect(o?.users[0]).toMatchObject({ userId: 'emp-1', canCreateMeetings: false });
  });

  it('lets one person (one unionId) belong to several organizations', () => {
    const doc = parseDirectory({
      orgs: [org({ users: [{ unionId: 'shared', name: 'Sam' }] }), { corpId: 'dingy', name: 'Y', users: [{ unionId: 'shared', name: 'Sam' }] }],
    });
    expect(doc.orgs.flatMap((o) => o.users.map((u) => `${u.corpId}/${u.unionId}`))).toEqual(['dingx/shared', 'dingy/shared']);
  });

  it('accepts a "$schema" reference, the shipped example and the test fixture', () => {
    expect(parseDirectory({ $schema: '../schemas/directory.schema.json' }).orgs).toEqual([]);
    const parsed = parseDirectory(example);
    expect(parsed.orgs.map((o) => o.corpId)).toEqual(['dingnorthwind', 'dingfabrikam', 'dingoldtrial']);
    expect(parsed.suites[0]?.authorizedCorpIds).toEqual(['dingnorthwind', 'dingfabrikam']);
    expect(parseDirectory(fixtureDirectory).orgs).toHaveLength(4);
  });
});

describe('parseDirectory: rejections', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'orgs'],
    ['orgs not an array', { orgs: {} }],
    ['an unknown top-level field', { orgz: [] }],
  ])('rejects %s', (_what, input) => {
    expect(rejection(input).reason).toBe('invalidParams');
  });

  it.each([
    ['an org without name', { orgs: [{ corpId: 'dingx' }] }, "must have required property 'name'"],
    ['an org without corpId', { orgs: [{ name: 'X' }] }, "must have required property 'corpId'"],
    ['a corpId with a space', { orgs: [org({ corpId: 'ding x' })] }, '/orgs/0/corpId must match pattern'],
    ['an empty corpId', { orgs: [org({ corpId: '' })] }, '/orgs/0/corpId'],
    ['an unknown org field', { orgs: [org({ admins: [] })] }, 'must NOT have additional properties'],
    ['disabled as a string', { orgs: [org({ disabled: 'yes' })] }, '/orgs/0/disabled must be boolean'],
    ['a zero participant limit', { orgs: [org({ limits: { maxParticipantsPerMeeting: 0 } })] }, 'maxParticipantsPerMeeting must be >= 1'],
    ['a fractional invite budget', { orgs: [org({ limits: { invitesPerMinute: 1.5 } })] }, 'invitesPerMinute must be integer'],
    ['a user without unionId', { orgs: [org({ users: [{ name: 'A' }] })] }, "must have required property 'unionId'"],
    ['a user with an empty name', { orgs: [org({ users: [{ unionId: 'u', name: '' }] })] }, '/orgs/0/users/0/name'],
    ['canCreateMeetings as a number', { orgs: [org({ users: [{ unionId: 'u', name: 'A', canCreateMeetings: 1 }] })] }, 'canCreateMeetings must be boolean'],
    ['an app without scopes', { orgs: [org({ apps: [{ appKey: 'k', appSecret: 's' }] })] }, "must have required property 'scopes'"],
    ['an app with an empty secret', { orgs: [org({ apps: [{ appKey: 'k', appSecret: '', scopes: [] }] })] }, '/orgs/0/apps/0/appSecret'],
    ['repeated scopes', { orgs: [org({ apps: [{ appKey: 'k', appSecret: 's', scopes: ['A', 'A'] }] })] }, 'duplicate items'],
    ['a suite without ticket', { suites: [{ suiteKey: 'k', suiteSecret: 's', scopes: [] }] }, "must have required property 'suiteTicket'"],
  ])('rejects %s, naming the problem', (_what, input, expected) => {
    const r = rejection(input);
    expect(r.reason).toBe('invalidParams');
    expect(r.detail).toContain(expected);
  });

  it('reports every schema problem at once', () => {
    const detail = rejection({ orgs: [{ corpId: 'dingx' }, { name: 'Y' }] }).detail;
    expect(detail).toContain("/orgs/0 must have required property 'name'");
    expect(detail).toContain("/orgs/1 must have required property 'corpId'");
  });

  it.each([
    ['corpId', { orgs: [org(), org()] }, 'duplicate corpId "dingx"'],
    ['appKey across orgs', { orgs: [org({ apps: [{ appKey: 'k', appSecret: 's', scopes: [] }] }), { corpId: 'dingy', name: 'Y', apps: [{ appKey: 'k', appSecret: 't', scopes: [] }] }] }, 'duplicate appKey "k"'],
    ['suiteKey', { suites: [1, 2].map(() => ({ suiteKey: 'su', suiteSecret: 's', suiteTicket: 't', scopes: [] })) }, 'duplicate suiteKey "su"'],
    ['unionId within one org', { orgs: [org({ users: [{ unionId: 'u', name: 'A' }, { unionId: 'u', name: 'B' }] })] }, 'duplicate unionId in dingx "u"'],
  ])('rejects a duplicate %s', (_what, input, expected) => {
    expect(rejection(input).detail).toBe(expected);
  });

  it('answers any JSON value with a document or a Rejection, never another error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseDirectory(value);
        } catch (err) {
          expect(err).toBeInstanceOf(Rejection);
        }
      }),
      { numRuns: 300 },
    );
  });
});
