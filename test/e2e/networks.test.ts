/**
 * Real networks, in namespaces this test builds (docs/deploy.md, "NAT, firewalls and TURN"):
 *
 *   ns "udp": 10.123.k.2 ── veth ── 10.123.k.1 (this namespace: vconf HTTP + SFU)
 *             nftables drops every UDP datagram in and out: media must use ICE-TCP.
 *   ns "lan": 10.123.k+2.2 ── ns "nat" (masquerade) 10.123.k+1.2 ── 10.123.k+1.1 (this namespace: coturn)
 *             relay-only ICE: media must go through coturn, with the TURN REST credentials vconf handed out.
 *
 * Chromium runs inside each namespace (`ip netns exec`); both people are in one meeting and each must
 * receive the other's audio and video. Only addresses the test creates, and loopback, are used.
 */
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { nftIn, ip, startCoturn, TestNetworks } from '../support/netns.js';
import { chromiumHomeTrusting, makeTestPki, type TestPki } from '../support/tls.js';
import { enterRoom, eventually, expectMediaFromOthers } from './support/room.js';
import { pagePairs, sfuPairs } from './support/ice-diag.js';

const ready = await requires(import.meta.url, 'root', 'chromium', 'tool:turnserver', 'tool:nft', 'tool:ip');

// Three /24s of 10.123.0.0/16 per process, so parallel runs do not collide.
const k = (process.pid % 80) * 3;
const SERVER = `10.123.${k}.1`;
const TURN = `10.123.${k + 1}.1`;
const TURN_PORT = 3478 + (process.pid % 1000);
const SECRET = 'networks-test-secret';
const TURN_TLS_PORT = 5349;

interface SelectedPair {
  localType: string;
  localProtocol: string;
  relayProtocol?: string;
  remoteType: string;
  remoteProtocol: string;
}

/** The candidate pair each of the page's peer connections uses, from getStats(). */
async function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState === 'connected');
    const out: SelectedPair[] = [];
    for (const pc of pcs) {
      const stats = await pc.getStats();
      const all = [...stats.values()] as Array<Record<string, string>>;
      const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      const pair = transport && stats.get(transport.selectedCandidatePairId!);
      if (!pair) continue;
      const local = stats.get(pair.localCandidateId) as Record<string, string>;
      const remote = stats.get(pair.remoteCandidateId) as Record<string, string>;
      out.push({ localType: local.candidateType!, localProtocol: local.protocol!, relayProtocol: local.relayProtocol, remoteType: remote.candidateType!, remoteProtocol: remote.protocol! });
    }
    return out;
  });
}

describe.skipIf(!ready)('media across networks that drop UDP or hide behind NAT', () => {
  const nets = new TestNetworks();
  let coturn: Awaited<ReturnType<typeof startCoturn>> | undefined;
  let server: TestServer;
  let pki: TestPki | undefined;
  let home: string | undefined;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    const udp = nets.namespace('udp');
    nets.link(undefined, `${SERVER}/24`, udp, `10.123.${k}.2/24`, 'u');
    ip('-n', udp, 'route', 'add', 'default', 'via', SERVER);
    nftIn(udp, `table inet vconf_test {
      chain in { type filter hook input priority 0; policy accept; meta l4proto udp drop; }
      chain out { type filter hook output priority 0; policy accept; meta l4proto udp drop; }
    }`);

    const nat = nets.namespace('nat');
    const lan = nets.namespace('lan');
    const wan = nets.link(undefined, `${TURN}/24`, nat, `10.123.${k + 1}.2/24`, 'w');
    nets.link(nat, `10.123.${k + 2}.1/24`, lan, `10.123.${k + 2}.2/24`, 'l');
    ip('-n', nat, 'route', 'add', 'default', 'via', TURN);
    ip('-n', lan, 'route', 'add', 'default', 'via', `10.123.${k + 2}.1`);
    ip('netns', 'exec', nat, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    nftIn(nat, `table ip vconf_test_nat {
      chain post { type nat hook postrouting priority 100; oifname "${wan.ifB}" masquerade; }
    }`);

    pki = makeTestPki([TURN], []);
    coturn = await startCoturn({ ip: TURN, port: TURN_PORT, secret: SECRET, relayPorts: [49200, 49399], dir: nets.dir, tls: { port: TURN_TLS_PORT, certFile: pki.certFile, keyFile: pki.keyFile } });
    server = await startTestServer({
      config: {
        host: SERVER,
        rtcListenIp: SERVER,
        rtcTcp: true,
        turn: {
          urls: [`turn:${TURN}:${TURN_PORT}?transport=udp`, `turn:${TURN}:${TURN_PORT}?transport=tcp`, `turns:${TURN}:${TURN_TLS_PORT}?transport=tcp`],
          secret: SECRET,
          ttlMs: 600_000,
        },
      },
    });
    // Cameras need a secure context: plain http:// counts as one only on loopback, so the test's
    // address is declared secure (a deployment serves HTTPS, see https.test.ts).
    const args = [`--unsafely-treat-insecure-origin-as-secure=${server.url}`];
    // Chromium checks a turns: server's certificate like a web site's: its NSS database trusts the test CA.
    home = chromiumHomeTrusting(pki.caFile);
    const env = { ...process.env, HOME: home } as Record<string, string>;
    browsers.push(...(await Promise.all([udp, lan].map((ns) => launchBrowser({ executablePath: nets.chromiumIn(ns), args, env })))));
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await server?.stop();
    coturn?.kill('SIGKILL');
    nets.close();
    pki?.remove();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** What a page does with the ICE servers vconf sends: a page option the test sets (see meet()). */
  type PageIce = 'no TURN' | 'relay only' | 'relay over TURN/TCP' | 'relay over TURN/TLS';
  interface Person {
    name: string;
    browser: Browser;
    ice: PageIce;
    /** What both of its connections' selected candidate pairs must show. */
    uses: Partial<SelectedPair>;
  }

  /**
   * Puts `people` in a new meeting; each must connect both peer connections the way `uses` says and
   * decode every other person's video and receive their audio. Logs the set-up times and paths.
   */
  async function meet(title: string, people: Person[]): Promise<void> {
    const token = await appToken(server.endpoint, 'acme-app', 's3cret');
    const m = (
      await conferenceClient(server.endpoint).createVideoConferenceWithOptions(
        new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: title }),
        confHeaders(token),
        runtime(),
      )
    ).body!;
    const participants = await Promise.all(people.map((person) => newParticipant(person.browser)));
    const pages = participants.map((p) => p.page);
    try {
      for (const [i, { context }] of participants.entries()) {
        // Records each connection's creation and first 'connected' (ms, page clock), and applies the
        // page's ICE option: relay-only makes the browser drop every candidate but TURN relays.
        await context.addInitScript((ice: PageIce) => {
          const Recorded = window.RTCPeerConnection;
          const times: Array<{ created: number; connected?: number }> = [];
          (window as unknown as { __pcTimes: typeof times }).__pcTimes = times;
          const only = (config: RTCConfiguration | undefined, keep: (url: string) => boolean): RTCConfiguration => ({
            ...config,
            iceTransportPolicy: 'relay',
            iceServers: (config?.iceServers ?? []).map((server) => ({ ...server, urls: [server.urls].flat().filter(keep) })),
          });
          window.RTCPeerConnection = class extends Recorded {
            constructor(config?: RTCConfiguration) {
              super(
                ice === 'no TURN'
                  ? { ...config, iceServers: [] }
                  : ice === 'relay over TURN/TCP'
                    ? only(config, (url) => url.startsWith('turn:') && url.endsWith('transport=tcp'))
                    : ice === 'relay over TURN/TLS'
                      ? only(config, (url) => url.startsWith('turns:'))
                      : { ...config, iceTransportPolicy: 'relay' },
              );
              const entry: { created: number; connected?: number } = { created: performance.now() };
              times.push(entry);
              this.addEventListener('connectionstatechange', () => {
                if (this.connectionState === 'connected') entry.connected ??= performance.now();
              });
            }
          };
        }, people[i]!.ice);
      }
      await Promise.all(
        pages.map(async (page, i) => {
          await page.goto(m.externalLinkUrl!);
          await enterRoom(page, people[i]!.name);
        }),
      );
      try {
        await Promise.all(pages.map((page) => eventually(() => selectedPairs(page), (pairs) => pairs.length === 2, 45_000)));
        await Promise.all(pages.map((page) => expectMediaFromOthers(page, people.length - 1)));
      } catch (e) {
        // What each page's connections settled on, to tell an ICE failure from a media one, and what both
        // ends of every connection did in ICE (which side stopped answering).
        for (const page of pages) console.log('selected pairs', JSON.stringify(await selectedPairs(page)));
        for (const [i, page] of pages.entries()) console.log(`ICE at the page of ${people[i]!.name}:`, JSON.stringify(await pagePairs(page)));
        console.log('ICE at the SFU:', JSON.stringify(sfuPairs(server.running.ctx.sfu, m.conferenceId!)));
        throw e;
      }
      // A relay candidate exists only once coturn accepted an allocation with the credential vconf made.
      for (const [i, person] of people.entries()) {
        expect(await selectedPairs(pages[i]!), person.name).toEqual([expect.objectContaining(person.uses), expect.objectContaining(person.uses)]);
      }
      const setup: Record<string, number[]> = {};
      const paths: Record<string, string[]> = {};
      for (const [i, person] of people.entries()) {
        const times = await pages[i]!.evaluate(() => (window as unknown as { __pcTimes: Array<{ created: number; connected?: number }> }).__pcTimes);
        setup[person.name] = times.filter((t) => t.connected !== undefined).map((t) => Math.round(t.connected! - t.created));
        paths[person.name] = (await selectedPairs(pages[i]!)).map((p) => (p.localType === 'relay' ? `TURN/${p.relayProtocol}` : `${p.localProtocol} to ${p.remoteType}`));
      }
      console.log(`networks (${title}): ms from creating each peer connection to connected: ${JSON.stringify(setup)}; paths ${JSON.stringify(paths)}`);
    } finally {
      await Promise.all(participants.map((p) => p.context.close()));
    }
  }

  // Once, with the machine's load average at 24, ICE-TCP took 17 s to connect (usually ~1 s): generous waits.
  // One retry: about one run in five, one of the ICE-TCP page's connections never came up. The cause found
  // (werift dropped Chromium's answers to the SFU's TCP checks after 50 ms; src/rtc/sfu/ice-tcp-checks.ts
  // and its test) is fixed; the retry stays until the browser lane has run clean for a while. Broken
  // ICE-TCP fails twice.
  it('without UDP (ICE-TCP, or relay-only over TURN/TCP) and behind NAT (relay-only), everyone gets audio and video', { timeout: 150_000, retry: 1 }, async () => {
    await meet('Across networks', [
      // Without TURN servers: ICE-TCP is its only way. Given TURN over TCP as well, Chromium was seen to
      // pick the TURN relay for one or both of its connections.
      { name: 'No UDP', browser: browsers[0]!, ice: 'no TURN', uses: { localProtocol: 'tcp', remoteType: 'host', remoteProtocol: 'tcp' } },
      // Through coturn; over UDP in every run so far, though TURN over TCP is offered too and would be as good.
      { name: 'NAT, relay only', browser: browsers[1]!, ice: 'relay only', uses: { localType: 'relay' } },
      { name: 'No UDP, TURN/TCP', browser: browsers[0]!, ice: 'relay over TURN/TCP', uses: { localType: 'relay', relayProtocol: 'tcp' } },
    ]);
  });

  it('without UDP, relay-only over TURN/TLS (turns:, the certificate checked by Chromium) gets audio and video', { timeout: 120_000 }, async () => {
    await meet('Over TURN/TLS', [
      { name: 'No UDP, TURN/TLS', browser: browsers[0]!, ice: 'relay over TURN/TLS', uses: { localType: 'relay', relayProtocol: 'tls' } },
      { name: 'NAT, relay only', browser: browsers[1]!, ice: 'relay only', uses: { localType: 'relay' } },
    ]);
  });
});
