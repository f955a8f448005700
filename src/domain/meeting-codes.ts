import { randomDigits, randomDigitString, randomToken } from './secrets.js';

/** How many fresh room codes a create tries before giving up (a clash is one in ~10^8 per try). */
export const ROOM_CODE_ATTEMPTS = 8;
const ROOM_CODE_DIGITS = 11;
const PASSCODE_DIGITS = 10;
const JOIN_TOKEN_BYTES = 24;

/** What lets people in: the room code, the two passcodes and the join link's token. */
export interface MeetingCodes {
  roomCode: string;
  conferencePassword: string;
  hostPassword: string;
  joinToken: string;
}

/**
 * Fresh codes for an instant meeting or a booking, from the CSPRNG. The host passcode never
 * equals the participant passcode, or typing it could not tell a host from a guest.
 */
export function mintMeetingCodes(): MeetingCodes {
  const conferencePassword = randomDigitString(PASSCODE_DIGITS);
  let hostPassword = randomDigitString(PASSCODE_DIGITS);
  while (hostPassword === conferencePassword) hostPassword = randomDigitString(PASSCODE_DIGITS);
  return { roomCode: randomDigits(ROOM_CODE_DIGITS), conferencePassword, hostPassword, joinToken: randomToken(JOIN_TOKEN_BYTES) };
}
