import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, startServer, type RunningServer } from '../../src/server.js';

/** A vconf on embedded SQLite in a fresh directory, its SFU on `host`, for a Chromium benchmark. */
export async function startBenchServer(name: string, opts: { host?: string; rtcPorts?: [number, number] } = {}): Promise<{ server: RunningServer; close(): Promise<void> }> {
  const host = opts.host ?? '127.0.0.1';
  const dataDir = mkdtempSync(join(tmpdir(), `vconf-bench-${name}-`));
  const server = await startServer(
    { port: 0, host, dataDir, directoryFile: undefined, publicUrl: undefined, phoneNumbers: [], qpsLimit: 1000, logLevel: 'warn', rtcListenIp: host, rtcAnnouncedIp: undefined, rtcPorts: opts.rtcPorts ?? [41000, 41999] },
    createLogger('warn'),
  );
  return {
    server,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a meeting as the demo organization's first user, through the Open API; returns its join link. */
export async function demoMeetingLink(server: RunningServer, title: string): Promise<string> {
  const demo = server.demo!;
  const post = async (path: string, body: object, token?: string) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { 'x-acs-dingtalk-access-token': token } : {}) },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, string>;
  };
  const { accessToken } = await post('/v1.0/oauth2/accessToken', { appKey: demo.appKey, appSecret: demo.appSecret });
  const meeting = await post('/v1.0/conference/videoConferences', { userId: demo.users[0]!.unionId, confTitle: title }, accessToken);
  return meeting.externalLinkUrl!;
}
