/** The rolling-window budgets behind the QPS limit and the invitations-per-minute budget. */
import { describe, expect, it } from 'vitest';
import { MemoryRateCounter } from '../../src/store/memory-rate-counter.js';

/** A counter on a clock the test moves by hand. */
function counterAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, counter: new MemoryRateCounter(() => clock.now) };
}

describe('MemoryRateCounter', () => {
  it('grants up to the limit and refuses without spending', async () => {
    const { counter } = counterAt();
    expect(await counter.take('k', 3, 5, 60_000)).toBe(true);
    expect(await counter.take('k', 3, 5, 60_000)).toBe(false);
    expect(await counter.take('k', 2, 5, 60_000)).toBe(true);
    expect(await counter.take('k', 1, 5, 60_000)).toBe(false);
  });

  it('refuses an amount larger than the limit outright', async () => {
    const { counter } = counterAt();
    expect(await counter.take('k', 6, 5, 60_000)).toBe(false);
    expect(await counter.take('k', 5, 5, 60_000)).toBe(true);
  });

  it('forgets expired keys once it holds many, so per-address keys cannot grow without bound', async () => {
    const { clock, counter } = counterAt();
    for (let i = 0; i < 10_000; i++) await counter.take(`join:10.0.${i}`, 1, 10, 60_000);
    expect(counter.size).toBe(10_000);
    clock.now += 61_000;
    await counter.take('join:fresh', 1, 10, 60_000);
    expect(counter.size).toBe(1);
  });

  it('keeps keys apart', async () => {
    const { counter } = counterAt();
    expect(await counter.take('a', 1, 1, 1000)).toBe(true);
    expect(await counter.take('b', 1, 1, 1000)).toBe(true);
    expect(await counter.take('a', 1, 1, 1000)).toBe(false);
  });

  it('counts a grant for at least 9/10 of the window and frees it by the end of the window', async () => {
    const { clock, counter } = counterAt(1_000_050);
    expect(await counter.take('k', 1, 1, 1000)).toBe(true);
    clock.now += 899;
    expect(await counter.take('k', 1, 1, 1000)).toBe(false);
    clock.now = 1_000_050 + 1000;
    expect(await counter.take('k', 1, 1, 1000)).toBe(true);
  });

  it('rolls: a burst at the end of one window still counts early in the next', async () => {
    const { clock, counter } = counterAt(2_000_000);
    clock.now += 950;
    expect(await counter.take('k', 3, 3, 1000)).toBe(true);
    clock.now += 100; // a fixed one-second window would have reset here
    expect(await counter.take('k', 1, 3, 1000)).toBe(false);
  });

  it('takes back what a failed operation gave', async () => {
    const { counter } = counterAt();
    expect(await counter.take('k', 4, 5, 60_000)).toBe(true);
    await counter.giveBack('k', 4);
    expect(await counter.take('k', 5, 5, 60_000)).toBe(true);
  });

  it('gives back to a key it never granted without effect', async () => {
    const { counter } = counterAt();
    await counter.giveBack('unknown', 3);
    expect(await counter.take('unknown', 1, 1, 1000)).toBe(true);
    expect(await counter.take('unknown', 1, 1, 1000)).toBe(false);
  });
});
