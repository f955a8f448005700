import { AttendStatus, MeetingStatus, memberRecord, type Meeting, type Member } from './meeting.js';
import { randomHex } from './secrets.js';
import type { MeetingSettings, SettingsPatch } from './meeting-settings.js';
import type { PresenceService } from './presence.js';
import { Rejection } from './rejection.js';
import type { EventRecorder } from './events.js';
import type { DirectoryRepository, LiveControls, MeetingRepository, MeetingSettingsStore } from './ports/index.js';

/** One entry of a userList: a unionId, a participantId (one member record), or both. */
export interface MemberRef {
  unionId?: string | undefined;
  participantId?: string | undefined;
}

/** The booleans of UpdateVideoConferenceSetting, as the API names them. */
export interface SettingsRequest {
  allowUnmuteSelf?: boolean | undefined;
  autoTransferHost?: boolean | undefined;
  forbiddenShareScreen?: boolean | undefined;
  lockConference?: boolean | undefined;
  muteAll?: boolean | undefined;
  onlyInternalEmployeesJoin?: boolean | undefined;
}

export interface ControlDeps {
  meetings: MeetingRepository;
  directory: DirectoryRepository;
  settings: MeetingSettingsStore;
  presence: PresenceService;
  live: LiveControls;
  /** Writes user_invited for InviteUsers to the event outbox (docs/events.md). */
  events?: EventRecorder;
}

/**
 * The in-meeting controls of the Open API (docs/conference-controls.md). Each call checks
 * everything first, then writes the records and settings, then acts on the live room — so a
 * refused call changes nothing. The app's token is the authority: only CloseVideoConference
 * names an operator, who must be a host.
 */
export class ControlService {
  constructor(private readonly deps: ControlDeps) {}

  /** CloseVideoConference: the organizer or a host member ends the meeting for everyone. */
  async close(corpId: string, conferenceId: string, operatorUnionId: string): Promise<void> {
    if (!operatorUnionId.trim()) throw new Rejection('invalidParams', 'unionId is required');
    const { meeting, members } = await this.running(corpId, conferenceId);
    const host = meeting.creatorUnionId === operatorUnionId || members.some((m) => m.host && m.unionId === operatorUnionId);
    if (!host) {
      const known = (await this.deps.directory.findUsers([operatorUnionId])).length > 0;
      if (!known) throw new Rejection('unknownUser');
      throw new Rejection('notAllowed', 'only a host may close the meeting');
    }
    // The domain records the end (everyone's visit closes, events); the room only closes its pages.
    await this.deps.presence.end(conferenceId);
    await this.deps.live.end(conferenceId);
  }

  /** KickMembers: the members leave; with `forbiddenRejoin` their browsers cannot come back. */
  async kick(corpId: string, conferenceId: string, userList: readonly MemberRef[], forbiddenRejoin: boolean): Promise<void> {
    if (userList.length === 0) throw new Rejection('invalidParams', 'userList is empty');
    const { members } = await this.running(corpId, conferenceId);
    const targets = unique(userList.flatMap((ref) => resolve(members, ref)));
    for (const t of targets) {
      await this.deps.presence.kick(conferenceId, t.memberId, forbiddenRejoin);
      await this.deps.live.eject(conferenceId, t.memberId, forbiddenRejoin);
    }
  }

  /** MuteMembers: exactly one member; un_mute lets them speak again (vconf never opens a microphone itself). */
  async mute(corpId: string, conferenceId: string, action: string, userList: readonly MemberRef[]): Promise<void> {
    const mute = parseAction(action, 'mute', 'un_mute');
    if (userList.length !== 1) throw new Rejection('invalidParams', 'userList must hold exactly one member');
    const { members } = await this.running(corpId, conferenceId);
    for (const t of resolve(members, userList[0]!)) {
      if (mute) this.deps.live.mute(conferenceId, t.memberId);
      else this.deps.live.allowUnmute(conferenceId, t.memberId);
    }
  }

  /** MuteAll: everyone but hosts and co-hosts is muted now and on entry; `forceMute` stops self-unmuting. */
  async muteAll(corpId: string, conferenceId: string, action: string, forceMute: boolean): Promise<void> {
    const mute = parseAction(action, 'mute', 'un_mute');
    await this.running(corpId, conferenceId);
    await this.setMuteAll(conferenceId, mute, forceMute);
  }

  // The operations below change a running meeting whose caller was checked (the API's app, or a
  // host in the room through RoomModeration): both paths share them, so they share one state.

  /** Mute all on (everyone but hosts and co-hosts, now and on entry) or off (lifting a forced mute too). */
  async setMuteAll(conferenceId: string, mute: boolean, forceMute: boolean): Promise<void> {
    const patch: SettingsPatch = mute ? { muteAll: true, allowUnmuteSelf: !forceMute } : { muteAll: false, allowUnmuteSelf: true };
    const next = await this.deps.settings.update(conferenceId, patch);
    this.deps.live.settingsChanged(conferenceId, next);
    if (mute) this.deps.live.muteEveryone(conferenceId);
  }

  /** Records a settings change and tells the live room. */
  async setSettings(conferenceId: string, patch: SettingsPatch): Promise<MeetingSettings> {
    const next = await this.deps.settings.update(conferenceId, patch);
    this.deps.live.settingsChanged(conferenceId, next);
    return next;
  }

  /** Gives or takes the co-host role of one member, in the records and live. */
  async setCohost(conferenceId: string, member: Member, add: boolean): Promise<void> {
    await this.deps.presence.setRoles(conferenceId, member.memberId, { coHost: add });
    this.deps.live.roleChanged(conferenceId, member.memberId, member.host ? 'host' : add ? 'cohost' : 'participant');
  }

  /** LockConference: while locked nobody new may enter; people inside stay. */
  async lock(corpId: string, conferenceId: string, action: string): Promise<void> {
    const locked = parseAction(action, 'lock', 'unlock');
    await this.running(corpId, conferenceId);
    await this.setSettings(conferenceId, { locked });
  }

  /** Cohosts: add or remove the co-host role of members. */
  async cohosts(corpId: string, conferenceId: string, action: string, userList: readonly MemberRef[]): Promise<void> {
    const add = parseAction(action, 'add', 'remove');
    if (userList.length === 0) throw new Rejection('invalidParams', 'userList is empty');
    const { members } = await this.running(corpId, conferenceId);
    const targets = unique(userList.flatMap((ref) => resolve(members, { unionId: ref.unionId })));
    for (const t of targets) await this.setCohost(conferenceId, t, add);
  }

  /** Focus: every page spotlights the member (focus) or nobody (un_focus). */
  async focus(corpId: string, conferenceId: string, action: string, unionId: string | undefined): Promise<void> {
    const on = parseAction(action, 'focus', 'un_focus');
    const { members } = await this.running(corpId, conferenceId);
    if (on) resolve(members, { unionId });
    await this.setSettings(conferenceId, { focus: on ? unionId! : null });
  }

  /** UpdateVideoConferenceSetting: the given booleans change; muteAll true also mutes everyone now. */
  async updateSettings(corpId: string, conferenceId: string, req: SettingsRequest): Promise<void> {
    await this.running(corpId, conferenceId);
    const patch: SettingsPatch = {};
    if (req.lockConference !== undefined) patch.locked = req.lockConference;
    if (req.muteAll !== undefined) patch.muteAll = req.muteAll;
    if (req.allowUnmuteSelf !== undefined) patch.allowUnmuteSelf = req.allowUnmuteSelf;
    // Lifting mute all lifts its hold on self-unmuting too (as MuteAll un_mute does), unless the
    // same call says otherwise: a room's "mute all" and the API's "muteAll: false" are one switch.
    else if (req.muteAll === false) patch.allowUnmuteSelf = true;
    if (req.forbiddenShareScreen !== undefined) patch.forbiddenShareScreen = req.forbiddenShareScreen;
    if (req.onlyInternalEmployeesJoin !== undefined) patch.onlyInternalEmployeesJoin = req.onlyInternalEmployeesJoin;
    if (req.autoTransferHost !== undefined) patch.autoTransferHost = req.autoTransferHost;
    if (Object.keys(patch).length === 0) return;
    await this.setSettings(conferenceId, patch);
    if (req.muteAll === true) this.deps.live.muteEveryone(conferenceId);
  }

  /**
   * InviteUsers: colleagues of the meeting's organization become invited (calling) members, and
   * members who left or declined are called again. Phone invitations need a PSTN gateway, which
   * this deployment does not have, so they are refused rather than pretended.
   */
  async invite(corpId: string, conferenceId: string, invitees: readonly { unionId?: string | undefined }[], phoneInvitees: number, now: number = Date.now()): Promise<void> {
    if (phoneInvitees > 0) throw new Rejection('invalidParams', 'phone invitations are not available in this deployment');
    const ids = [...new Set(invitees.map((i) => i.unionId ?? ''))];
    if (ids.length === 0) throw new Rejection('invalidParams', 'inviteeList is empty');
    if (ids.some((id) => !id.trim())) throw new Rejection('invalidParams', 'every invitee needs a unionId');
    const { members } = await this.running(corpId, conferenceId);
    const people = await this.deps.directory.findUsers(ids);
    for (const id of ids) {
      if (!people.some((p) => p.unionId === id)) throw new Rejection('unknownUser');
      if (!people.some((p) => p.unionId === id && p.corpId === corpId)) throw new Rejection('orgForbidden');
    }
    const rung: string[] = [];
    for (const id of ids) {
      const existing = members.find((m) => m.unionId === id);
      if (existing?.attendStatus === AttendStatus.active) continue;
      if (existing) {
        await this.deps.meetings.updateMember(conferenceId, existing.memberId, { attendStatus: AttendStatus.calling, invitedAt: now });
        rung.push(existing.memberId);
        continue;
      }
      const user = people.find((p) => p.unionId === id && p.corpId === corpId)!;
      const added = memberRecord({ conferenceId, memberId: randomHex(8), unionId: id, corpId, nick: user.name, attendStatus: AttendStatus.calling, invitedAt: now });
      await this.deps.meetings.insertMember(added);
      rung.push(added.memberId);
    }
    await this.deps.events?.members(conferenceId, 'user_invited', rung);
  }

  /** The meeting, if it belongs to the caller's organization and has not ended. */
  private async running(corpId: string, conferenceId: string): Promise<{ meeting: Meeting; members: Member[] }> {
    const meeting = await this.deps.meetings.find(conferenceId);
    if (!meeting) throw new Rejection('notFound', `conference ${conferenceId} does not exist`);
    if (meeting.corpId !== corpId) throw new Rejection('orgForbidden');
    if (meeting.status === MeetingStatus.ended) throw new Rejection('ended');
    return { meeting, members: await this.deps.meetings.members(conferenceId) };
  }
}

/** true for the first word, false for the second; anything else is a bad command. */
function parseAction(action: string, yes: string, no: string): boolean {
  if (action === yes) return true;
  if (action === no) return false;
  throw new Rejection('badCommand', `action must be ${yes} or ${no}`);
}

/**
 * The member records a userList entry names. A participantId names one record (its unionId, when
 * both are given, must agree); a unionId names all of that user's records. Guests have no unionId,
 * so for them the unionId field may carry their participantId (docs/conference-controls.md).
 */
function resolve(members: readonly Member[], ref: MemberRef): Member[] {
  const unionId = ref.unionId?.trim() || undefined;
  const participantId = ref.participantId?.trim() || undefined;
  if (!unionId && !participantId) throw new Rejection('invalidParams', 'each userList entry needs a unionId or a participantId');
  const named = (m: Member) => m.unionId === unionId || (m.unionId === null && m.memberId === unionId);
  if (participantId) {
    const m = members.find((x) => x.memberId === participantId);
    if (!m || (unionId && !named(m))) throw new Rejection('unknownUser', `no member ${participantId}`);
    return [m];
  }
  const found = members.filter(named);
  if (found.length === 0) throw new Rejection('unknownUser', `${unionId} is not a member of this meeting`);
  return found;
}

function unique(members: Member[]): Member[] {
  return [...new Map(members.map((m) => [m.memberId, m])).values()];
}
