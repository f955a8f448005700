/**
 * What the server's refusals mean, by their `code`: the admission answers of POST /api/admit and
 * sign-in, and the room's `error` frames. The page shows these instead of the server's English
 * `message` (which stays the fallback for a code not listed here).
 */
export const errors = {
  'error.badRequest': 'Enter the 11-digit room code and the passcode.',
  'error.badCredentials': 'The room code or passcode is incorrect.',
  'error.linkInvalid': 'This meeting link is invalid or has expired.',
  'error.meetingEnded': 'This meeting has ended.',
  'error.removed': 'You were removed from this meeting by the host.',
  'error.meetingLocked': 'This meeting is locked: nobody new can join. Ask the host to unlock it.',
  'error.internalOnly': 'This meeting is only open to members of the organization.',
  'error.meetingCancelled': 'This meeting was cancelled by its organizer.',
  'error.notOpenYet': 'This meeting has not opened yet: you can join from 15 minutes before its start.',
  'error.tooManyAttempts': 'Too many incorrect attempts. Try again later.',
  'error.network': 'Cannot reach the meeting server. Check your connection and try again.',
  'error.unknown': 'Something went wrong. Please try again.',
  'error.ticketInvalid': 'Your admission to this meeting is no longer valid. Join again.',
  'error.badName': 'Enter a name of 1 to 64 characters.',
  'error.meetingFull': 'This meeting is full. Try again when someone leaves.',
  'error.serverFull': 'The server is full right now. Try again in a few minutes.',
  'error.rateLimited': 'You are sending too fast; some of it was dropped.',
  'error.badMessage': 'That request was not understood.',
  'error.internal': 'Something went wrong; try again.',
  'error.serverClosing': 'The server is restarting. Rejoin in a moment.',
  'error.notHost': 'Only the host or a co-host can do that.',
} as const;
