// Run only by test/support/requirements.test.ts, in its own vitest process.
import { describe, expect, it } from 'vitest';
import { requires } from '../requirements.js';

const ready = await requires(import.meta.url, 'tool:definitely-not-installed');

describe.skipIf(!ready)('needs a tool no machine has', () => {
  it('runs only where the tool exists', () => {
    expect(ready).toBe(true);
  });
});

describe('needs nothing', () => {
  it('runs everywhere', () => {
    expect(1 + 1).toBe(2);
  });
});
