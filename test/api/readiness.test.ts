/**
 * Issue 8: GET /healthz says the process is alive; GET /readyz says whether to send it work —
 * 200 while the database answers and the instance is not draining, else 503 with a catalogued
 * error body naming what is not ready.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown>; requestId: string | null }> {
  const res = await fetch(`${server!.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, requestId: res.headers.get('x-acs-request-id') };
}

function expectNotReady(answer: Awaited<ReturnType<typeof get>>, what: string): void {
  expect(answer.status).toBe(503);
  expect(answer.body).toEqual({ code: 'notReady', requestid: answer.requestId, message: `This instance is not ready: ${what}.` });
}

describe('GET /readyz', () => {
  it('is ready while the database answers', async () => {
    server = await startTestServer();
    expect(await get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect(await get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('is not ready once the database is closed, while /healthz still answers', async () => {
    server = await startTestServer();
    await server.db.destroy();
    expectNotReady(await get('/readyz'), 'database');
    expect(await get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('is not ready while draining, nor when another check fails or hangs, naming each', async () => {
    server = await startTestServer();
    const readiness = server.running.ctx.readiness;
    readiness.draining = () => true;
    expectNotReady(await get('/readyz'), 'draining');
    readiness.draining = () => false;

    readiness.checks.push({ name: 'redis', check: () => Promise.reject(new Error('connection refused')) });
    expectNotReady(await get('/readyz'), 'redis');
    readiness.checks.pop();

    // A check that never answers fails at the timeout instead of holding the probe.
    readiness.checks.push({ name: 'stuck', check: () => new Promise<void>(() => undefined) });
    const started = Date.now();
    expectNotReady(await get('/readyz'), 'stuck');
    expect(Date.now() - started).toBeLessThan(5000);
    readiness.checks.pop();

    expect(await get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});
