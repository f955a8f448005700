/**
 * Finding 9: every bad frame logged a stack trace (5,000 frames → 3.9 MB of log in 1.5 s).
 * Client-caused log lines are now rate-limited and carry no stack.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { acmeToken, admitRaw, createMeeting } from './support.js';

let server: TestServer;
let logged = '';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logged += String(chunk);
      done();
    },
  });
  server = await startTestServer({ logger: pino({ level: 'info' }, sink) });
});
afterAll(async () => server.stop());

describe('hostile: logs', () => {
  it('5,000 bad frames and 500 bad requests leave a few short lines and no stack', async () => {
    const m = await createMeeting(server, await acmeToken(server));
    const start = logged.length;
    let frames = 0;
    // The attacker reconnects whenever it is dropped, until 5,000 bad frames are out.
    while (frames < 5000) {
      const a = await admitRaw(server, { roomCode: m.roomCode, passcode: m.conferencePassword });
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/rtc/ws`, { headers: { cookie: a.device } });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.on('error', () => undefined);
      ws.send(JSON.stringify({ type: 'hello', ticket: a.body.ticket, name: 'Bad', mic: false, camera: false }));
      await new Promise<void>((resolve) => ws.once('message', () => resolve()));
      const bad = [
        JSON.stringify({ type: 'publish', sdp: 'v=0\r\nthis is not sdp', tracks: [{ mid: '0', source: 'mic' }] }),
        JSON.stringify({ type: 'subscribe-answer', sdp: 'garbage' }),
        '{not json',
      ];
      for (let i = 0; i < 500 && ws.readyState === WebSocket.OPEN; i++, frames++) {
        ws.send(bad[i % bad.length]!);
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 50));
      ws.terminate();
    }
    for (let i = 0; i < 500; i++) {
      await fetch(`${server.url}/api/admit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"roomCode": [' });
    }
    await new Promise((r) => setTimeout(r, 300));
    const out = logged.slice(start);
    const lines = out.split('\n').filter(Boolean);
    console.log(`logs: ${frames} bad frames + 500 bad requests → ${lines.length} lines, ${out.length} bytes`);
    expect(out).not.toMatch(/"stack"/);
    expect(out).not.toMatch(/\\n\s+at /);
    expect(out.length).toBeLessThan(20_000);
  });
});
