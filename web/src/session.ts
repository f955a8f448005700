import type { Role } from '../../src/protocol/room.js';

// What survives a reload (sessionStorage, per tab) and what is remembered across visits (localStorage).

export interface StoredSession {
  ticket: string;
  conferenceId: string;
  roomCode: string;
  title: string;
  role: Role;
  /** The join token when admitted by link, so the link can be shown again after leaving. */
  token?: string;
  name?: string;
  /** From the server's `welcome`: every later `hello` resumes this participant (one member record). */
  participantId?: string;
  /** In the room right now: a reload goes straight back in without the pre-join screen. */
  inRoom?: boolean;
  mic?: boolean;
  camera?: boolean;
}

const SESSION_PREFIX = 'vconf.session.';
const ROOM_PREFIX = 'vconf.room.';

function read<T>(storage: Storage, key: string): T | undefined {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

function write(storage: Storage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): the meeting still works, only reload-resume is lost.
  }
}

export function saveSession(session: StoredSession): void {
  write(sessionStorage, SESSION_PREFIX + session.conferenceId, session);
  write(sessionStorage, ROOM_PREFIX + session.roomCode, session.conferenceId);
}

export function updateSession(conferenceId: string, patch: Partial<StoredSession>): void {
  const current = loadSession(conferenceId);
  if (current) saveSession({ ...current, ...patch });
}

export function loadSession(conferenceId: string): StoredSession | undefined {
  return read<StoredSession>(sessionStorage, SESSION_PREFIX + conferenceId);
}

/** The session this tab holds for a room code, if any. */
export function sessionForRoom(roomCode: string): StoredSession | undefined {
  const conferenceId = read<string>(sessionStorage, ROOM_PREFIX + roomCode);
  return conferenceId ? loadSession(conferenceId) : undefined;
}

export function forgetSession(session: Pick<StoredSession, 'conferenceId' | 'roomCode'>): void {
  try {
    sessionStorage.removeItem(SESSION_PREFIX + session.conferenceId);
    sessionStorage.removeItem(ROOM_PREFIX + session.roomCode);
  } catch {
    // ignore: storage disabled
  }
}

export interface Preferences {
  name: string;
  micDeviceId?: string;
  cameraDeviceId?: string;
  speakerDeviceId?: string;
}

const PREFS_KEY = 'vconf.prefs';

export function loadPreferences(): Preferences {
  return { name: '', ...read<Partial<Preferences>>(localStorage, PREFS_KEY) };
}

export function savePreferences(patch: Partial<Preferences>): void {
  write(localStorage, PREFS_KEY, { ...loadPreferences(), ...patch });
}
