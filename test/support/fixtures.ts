/** The directory most API tests run against. */
export const WRITE = 'VideoConference.Conference.Write';
export const READ = 'VideoConference.Conference.Read';

export const directory = {
  orgs: [
    {
      corpId: 'dingacme',
      name: 'Acme',
      disabled: false,
      limits: { maxParticipantsPerMeeting: 100, invitesPerMinute: 100000, createsPerAppPerHour: 1000000, createsPerAppPerDay: 1000000 },
      users: [
        { unionId: 'uA1', userId: 'alice', name: 'Alice', canCreateMeetings: true },
        { unionId: 'uA2', userId: 'bob', name: 'Bob' },
        { unionId: 'uA3', userId: 'carol', name: 'Carol' },
        { unionId: 'uA4', userId: 'dave', name: 'Dave', canCreateMeetings: false },
        { unionId: 'uShared', userId: 'sam', name: 'Sam (in Acme and Beta)' },
      ],
      apps: [
        { appKey: 'acme-app', appSecret: 's3cret', scopes: [WRITE, READ] },
        { appKey: 'acme-readonly', appSecret: 'r3ad', scopes: [READ] },
        { appKey: 'acme-none', appSecret: 'n0ne', scopes: [] },
      ],
    },
    {
      corpId: 'dingbeta',
      name: 'Beta',
      users: [
        { unionId: 'uB1', userId: 'bert', name: 'Bert' },
        { unionId: 'uShared', userId: 'sam', name: 'Sam (in Acme and Beta)' },
      ],
      apps: [{ appKey: 'beta-app', appSecret: 'b3ta', scopes: [WRITE, READ] }],
    },
    {
      corpId: 'dingoff',
      name: 'Disabled Corp',
      disabled: true,
      users: [{ unionId: 'uO1', name: 'Olga' }],
      apps: [{ appKey: 'off-app', appSecret: '0ff', scopes: [WRITE, READ] }],
    },
    {
      corpId: 'dingsmall',
      name: 'Small Corp',
      limits: { maxParticipantsPerMeeting: 3, invitesPerMinute: 5 },
      users: [
        { unionId: 'uS1', name: 'Sia' },
        { unionId: 'uS2', name: 'Sol' },
        { unionId: 'uS3', name: 'Sue' },
        { unionId: 'uS4', name: 'Sven' },
      ],
      apps: [{ appKey: 'small-app', appSecret: 'sm4ll', scopes: [WRITE, READ] }],
    },
  ],
  suites: [
    { suiteKey: 'isv-1', suiteSecret: 'isv-secret', suiteTicket: 'ticket-1', scopes: [WRITE], authorizedCorpIds: ['dingacme'] },
  ],
};
