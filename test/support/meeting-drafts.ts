/** New meetings as MeetingRepository.create takes them: a meeting, two member records, its first two events. */
import { EventType, type NewEvent } from '../../src/domain/events.js';
import { AttendStatus, BizType, MeetingStatus, memberRecord, newConferenceId, type Meeting, type Member } from '../../src/domain/meeting.js';

let roomCodes = 10_000_000_000;
export function meeting(corpId = 'dingquiet', roomCode = String(roomCodes++)): { meeting: Meeting; members: Member[]; events: NewEvent[] } {
  const now = Date.now();
  const m: Meeting = {
    conferenceId: newConferenceId(now),
    corpId,
    title: 'Planning',
    status: MeetingStatus.initialised,
    bizType: BizType.instant,
    creatorUnionId: 'u-host',
    creatorNick: 'Host',
    roomCode,
    conferencePassword: '1234567890',
    hostPassword: '2345678901',
    joinToken: `token-${roomCode}`,
    inviteCaller: true,
    createdAt: now,
    startTime: null,
    endTime: null,
    scheduleConferenceId: null,
  };
  const members = [
    memberRecord({ conferenceId: m.conferenceId, memberId: 'a1', unionId: 'u-host', corpId, nick: 'Host', host: true, attendStatus: AttendStatus.calling }),
    memberRecord({ conferenceId: m.conferenceId, memberId: 'b2', unionId: 'u-guest', corpId, nick: 'Guest', attendStatus: AttendStatus.calling }),
  ];
  const event = (type: NewEvent['type'], changeScene: NewEvent['changeScene']): NewEvent => ({
    conferenceId: m.conferenceId,
    corpId,
    type,
    changeScene,
    eventTime: now,
    data: { probe: changeScene },
  });
  return { meeting: m, members, events: [event(EventType.meeting, 'conference_created'), event(EventType.member, 'user_invited')] };
}
