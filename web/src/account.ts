// The signed-in directory user (docs/sign-in.md): sign-in calls, "my meetings", and the call socket.

export interface Me {
  unionId: string;
  name: string;
  corpId: string;
  meetings: { ongoing: OngoingMeeting[]; booked?: BookedMeeting[] };
}

export interface OngoingMeeting {
  conferenceId: string;
  title: string;
  status: number;
  roomCode: string;
  joinPath: string;
  organizer: string;
  isOrganizer: boolean;
  attendStatus: number | null;
}

export interface BookedMeeting {
  scheduleConferenceId: string;
  title: string;
  startTime: number;
  endTime: number;
  roomCode: string;
  joinPath: string;
  organizer: string;
}

export interface Ring {
  type: 'ring';
  conferenceId: string;
  title: string;
  inviter: string;
  joinPath: string;
}

/** A refused sign-in: the server's code (worded by the page) and its message as the fallback. */
export class SignInError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, credentials: 'same-origin', body: JSON.stringify(body) });
}

export async function signIn(fields: { corpId?: string; unionId: string; password: string }): Promise<void> {
  let res: Response;
  try {
    res = await post('/api/signin', fields);
  } catch {
    throw new SignInError(0, 'network', '');
  }
  if (res.ok) return;
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string; retryAfterSeconds?: number };
  throw new SignInError(res.status, body.code ?? `http${res.status}`, body.message ?? '', body.retryAfterSeconds);
}

export async function signOut(): Promise<void> {
  await post('/api/signout', {}).catch(() => undefined);
}

/** The signed-in user, or undefined when nobody is signed in. */
export async function fetchMe(): Promise<Me | undefined> {
  const res = await fetch('/api/me', { credentials: 'same-origin' }).catch(() => undefined);
  if (!res?.ok) return undefined;
  return (await res.json()) as Me;
}

export async function declineCall(conferenceId: string): Promise<void> {
  await post('/api/calls/decline', { conferenceId }).catch(() => undefined);
}

/**
 * Keeps the user's call socket open while the page is: rings arrive here. Reconnects after drops;
 * stops for good when the server says the session is gone (4401).
 */
export function listenForCalls(onRing: (ring: Ring) => void, onRingEnd: (conferenceId: string) => void): () => void {
  let socket: WebSocket | undefined;
  let stopped = false;
  let delay = 1000;
  const connect = () => {
    if (stopped) return;
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rtc/user-ws`);
    socket.onopen = () => (delay = 1000);
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as { type?: string; conferenceId?: string };
      if (message.type === 'ring') onRing(message as Ring);
      if (message.type === 'ringEnd' && message.conferenceId) onRingEnd(message.conferenceId);
    };
    socket.onclose = (event) => {
      if (stopped || event.code === 4401) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    };
  };
  connect();
  return () => {
    stopped = true;
    socket?.close();
  };
}
