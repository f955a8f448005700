import type { Admission } from '../../src/protocol/room.js';

export type AdmitRequest = { roomCode: string; token: string } | { roomCode: string; passcode: string };

/** A refused admission, with the server's code and the message meant for the person. */
export class AdmitError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const FALLBACK_MESSAGES: Record<string, string> = {
  badRequest: 'Enter the 11-digit room code and the passcode.',
  badCredentials: 'The room code or passcode is incorrect.',
  linkInvalid: 'This meeting link is invalid or has expired.',
  meetingEnded: 'This meeting has ended.',
  removed: 'You were removed from this meeting by the host.',
  meetingLocked: 'This meeting is locked: nobody new can join. Ask the host to unlock it.',
  internalOnly: 'This meeting is only open to members of the organization.',
  meetingCancelled: 'This meeting was cancelled by its organizer.',
  notOpenYet: 'This meeting has not opened yet: you can join from 15 minutes before its start.',
  tooManyAttempts: 'Too many incorrect attempts. Try again later.',
};

/** POST /api/admit. Resolves with the ticket, or throws AdmitError with the text to show. */
export async function admit(request: AdmitRequest): Promise<Admission> {
  let response: Response;
  try {
    response = await fetch('/api/admit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(request),
    });
  } catch {
    throw new AdmitError(0, 'network', 'Cannot reach the meeting server. Check your connection and try again.');
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok && typeof body.ticket === 'string' && typeof body.conferenceId === 'string') {
    return {
      ticket: body.ticket,
      conferenceId: body.conferenceId,
      title: typeof body.title === 'string' ? body.title : '',
      role: body.role === 'host' ? 'host' : 'participant',
    };
  }
  const code = typeof body.code === 'string' ? body.code : `http${response.status}`;
  const message =
    typeof body.message === 'string' && body.message
      ? body.message
      : (FALLBACK_MESSAGES[code] ?? 'Something went wrong. Please try again.');
  const retry = typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : retryAfterHeader(response);
  throw new AdmitError(response.status, code, message, retry);
}

function retryAfterHeader(response: Response): number | undefined {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
