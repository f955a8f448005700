/** The signature format of docs/events.md, checked against a value computed outside vconf (openssl). */
import { describe, expect, it } from 'vitest';
import { signEvent, verifyEvent } from '../../src/events/signature.js';

// printf '%s' $'1700000000000\n{"a":1}' | openssl dgst -sha256 -hmac 'example-secret-123456'
const KNOWN = 'sha256=4e6982e75375f434d6c36351c4759d81ca5fb25f60e30fd01be61f44108617ee';

describe('event signatures', () => {
  it('is the hex HMAC-SHA256 of timestamp, newline, body', () => {
    expect(signEvent('example-secret-123456', '1700000000000', '{"a":1}')).toBe(KNOWN);
    expect(verifyEvent('example-secret-123456', '1700000000000', '{"a":1}', KNOWN)).toBe(true);
  });

  it('rejects another secret, timestamp or body, and malformed signatures', () => {
    expect(verifyEvent('other-secret-1234567', '1700000000000', '{"a":1}', KNOWN)).toBe(false);
    expect(verifyEvent('example-secret-123456', '1700000000001', '{"a":1}', KNOWN)).toBe(false);
    expect(verifyEvent('example-secret-123456', '1700000000000', '{"a":2}', KNOWN)).toBe(false);
    expect(verifyEvent('example-secret-123456', '1700000000000', '{"a":1}', 'sha256=00')).toBe(false);
  });
});
