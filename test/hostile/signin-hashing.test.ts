/**
 * Finding 5: each sign-in stalled the server ~54 ms (scryptSync on the event loop, unknown users
 * too): /healthz median 188 ms during 4 parallel failing sign-ins. Hashing now runs off the loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { median } from './support.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { trustProxy: ['127.0.0.1'] } });
});
afterAll(async () => server.stop());

describe('hostile: sign-in hashing', () => {
  it('keeps /healthz median under 5 ms during 4 parallel streams of failing sign-ins', async () => {
    const until = Date.now() + 3000;
    let hashed = 0;
    let n = 0;
    const stream = async (s: number) => {
      while (Date.now() < until) {
        const i = n++;
        const res = await fetch(`${server.url}/api/signin`, {
          method: 'POST',
          // Every try from its own address, for an unknown user or a real one: no limit interferes.
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${s}.${(i >> 8) & 255}.${i & 255}` },
          body: JSON.stringify({ unionId: i % 2 ? `nobody-${i}` : 'uA1', password: `wrong-${i}` }),
        });
        await res.arrayBuffer();
        if (res.status === 401) hashed++;
      }
    };
    const streams = [0, 1, 2, 3].map(stream);
    const samples: number[] = [];
    await new Promise((r) => setTimeout(r, 200));
    while (Date.now() < until - 100) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/healthz`);
      await res.arrayBuffer();
      samples.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(streams);
    const mid = median(samples);
    console.log(`/healthz median ${mid.toFixed(2)} ms over ${samples.length} samples while ${hashed} failing sign-ins were hashed`);
    expect(hashed).toBeGreaterThan(20);
    expect(mid).toBeLessThan(5);
  });
});
