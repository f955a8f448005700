import type { Admission } from '../../src/protocol/room.js';

export type AdmitRequest = { roomCode: string; token: string } | { roomCode: string; passcode: string };

/** A refused admission: the server's code (the page words it, i18n/errors.ts) and its own message as the fallback. */
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

/** POST /api/admit. Resolves with the ticket, or throws AdmitError. */
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
    throw new AdmitError(0, 'network', '');
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
  const message = typeof body.message === 'string' ? body.message : '';
  const retry = typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : retryAfterHeader(response);
  throw new AdmitError(response.status, code, message, retry);
}

function retryAfterHeader(response: Response): number | undefined {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
