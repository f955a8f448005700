import { Ajv, type ValidateFunction } from 'ajv';

/** Client → server frames of docs/room-protocol.md, each checked against its schema before use. */
export type Source = 'mic' | 'camera' | 'screen';

export type ClientMessage =
  | { type: 'hello'; ticket: string; name: string; mic: boolean; camera: boolean; participantId?: string; knock?: boolean }
  | { type: 'publish'; sdp: string; tracks: Array<{ mid: string; source: Source }> }
  | { type: 'subscribe-answer'; sdp: string }
  | { type: 'media'; mic: boolean; camera: boolean; screen: boolean }
  | { type: 'speaking'; speaking: boolean }
  | { type: 'chat'; text: string }
  | { type: 'mute'; participantId: string }
  | { type: 'remove'; participantId: string }
  | { type: 'end' }
  | { type: 'leave' }
  | { type: 'mute-all'; allowUnmuteSelf: boolean }
  | { type: 'unmute-all' }
  | { type: 'lock'; locked: boolean }
  | { type: 'waiting-room'; on: boolean }
  | { type: 'cohost'; participantId: string; on: boolean }
  | { type: 'spotlight'; participantId: string | null }
  | { type: 'admit'; knockId: string }
  | { type: 'deny'; knockId: string }
  | { type: 'hand'; raised: boolean }
  | { type: 'lower-hand'; participantId: string | null }
  | { type: 'reaction'; emoji: string };

const id = { type: 'string', minLength: 1, maxLength: 64 };
const sdp = { type: 'string', minLength: 1, maxLength: 200_000 };
const shapes: Record<ClientMessage['type'], { properties: Record<string, unknown>; required: string[] }> = {
  hello: {
    properties: { ticket: { type: 'string', maxLength: 4096 }, name: { type: 'string', maxLength: 256 }, mic: { type: 'boolean' }, camera: { type: 'boolean' }, participantId: id, knock: { type: 'boolean' } },
    required: ['ticket', 'name', 'mic', 'camera'],
  },
  publish: {
    properties: {
      sdp,
      tracks: {
        type: 'array',
        maxItems: 8,
        items: {
          type: 'object',
          properties: { mid: { type: 'string', minLength: 1, maxLength: 16 }, source: { enum: ['mic', 'camera', 'screen'] } },
          required: ['mid', 'source'],
        },
      },
    },
    required: ['sdp', 'tracks'],
  },
  'subscribe-answer': { properties: { sdp }, required: ['sdp'] },
  media: { properties: { mic: { type: 'boolean' }, camera: { type: 'boolean' }, screen: { type: 'boolean' } }, required: ['mic', 'camera', 'screen'] },
  speaking: { properties: { speaking: { type: 'boolean' } }, required: ['speaking'] },
  chat: { properties: { text: { type: 'string', minLength: 1, maxLength: 2000 } }, required: ['text'] },
  mute: { properties: { participantId: id }, required: ['participantId'] },
  remove: { properties: { participantId: id }, required: ['participantId'] },
  end: { properties: {}, required: [] },
  leave: { properties: {}, required: [] },
  'mute-all': { properties: { allowUnmuteSelf: { type: 'boolean' } }, required: ['allowUnmuteSelf'] },
  'unmute-all': { properties: {}, required: [] },
  lock: { properties: { locked: { type: 'boolean' } }, required: ['locked'] },
  'waiting-room': { properties: { on: { type: 'boolean' } }, required: ['on'] },
  cohost: { properties: { participantId: id, on: { type: 'boolean' } }, required: ['participantId', 'on'] },
  spotlight: { properties: { participantId: { anyOf: [id, { type: 'null' }] } }, required: ['participantId'] },
  admit: { properties: { knockId: id }, required: ['knockId'] },
  deny: { properties: { knockId: id }, required: ['knockId'] },
  hand: { properties: { raised: { type: 'boolean' } }, required: ['raised'] },
  'lower-hand': { properties: { participantId: { anyOf: [id, { type: 'null' }] } }, required: ['participantId'] },
  reaction: { properties: { emoji: { type: 'string', minLength: 1, maxLength: 16 } }, required: ['emoji'] },
};

const ajv = new Ajv({ strict: false });
const validators = new Map<string, ValidateFunction>(
  Object.entries(shapes).map(([type, s]) => [type, ajv.compile({ type: 'object', properties: { type: { const: type }, ...s.properties }, required: ['type', ...s.required] })]),
);

/** The message in a text frame, or undefined when it is not one the protocol knows. */
export function parseClientMessage(raw: string): ClientMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const type = (value as { type?: unknown } | null)?.type;
  const validate = typeof type === 'string' ? validators.get(type) : undefined;
  return validate && validate(value) ? (value as ClientMessage) : undefined;
}
