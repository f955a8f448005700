/**
 * Audio first, in real Chromium (docs/room-protocol.md, "Voice activity"; docs/architecture.md, audio):
 *
 *  - a listener whose incoming media loses 5% of its UDP packets (nftables, this machine's output path
 *    to that page's port) still hears a talking publisher continuously: concealed samples stay under
 *    5% of those received, because the page NACKs the lost Opus packets and the SFU resends them. A
 *    second listener on the same loss whose page does not negotiate audio NACK conceals more: the
 *    mechanism, not luck, keeps the first one clean;
 *  - the server names the active speaker from the audio levels in the microphones' packets: the talker,
 *    not the silent one; when they swap, the active speaker follows once, without flapping.
 *
 * Each page's microphone is a voice-like sound the test switches on and off (WebAudio: a buzzy tone
 * swinging at a syllable rate), so the pages of one Chromium can talk or keep silent independently.
 * Cameras are off: this is about audio. One server, one Chromium, four pages.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newParticipant } from '../../tools/chromium.js';
import { requires } from '../support/requirements.js';
import { $conference, appToken, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { enterRoom, eventually, localParticipantId } from './support/room.js';

const ready = await requires(import.meta.url, 'chromium', 'tool:espeak-ng');
// Root for the nftables rule that makes the listeners' downlinks lossy; without it only that test is skipped.
const canDrop = ready && (await requires(import.meta.url, 'root', 'tool:nft'));
const TABLE = `vconf_audio_${process.pid}`;
const LOSS_PERCENT = 5;
const SPEECH = 'The quick brown fox jumps over the lazy dog. We are testing whether the meeting keeps its audio flowing when the network loses packets, and whether the server knows who is speaking.';

interface Person {
  page: Page;
  id: string;
  /** `active-speaker` frames this page received, with when. */
  active: Array<{ at: number; participantId: string | null }>;
}

let server: TestServer;
let browser: Browser;
let link: string;
/** A few sentences of synthetic speech (espeak-ng), base64 WAV. */
let speech: string;
const people = {} as Record<'ann' | 'bob' | 'lee' | 'nia', Person>;

/** The page's microphone: recorded speech (base64 WAV, looped) the test turns on and off (window.__talk). Runs before the page's own code. */
function fakeVoice(wav: string): void {
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  let ctx: AudioContext | undefined;
  let master: GainNode | undefined;
  let track: MediaStreamTrack | undefined;
  const voice = (): void => {
    if (ctx) return;
    ctx = new AudioContext();
    master = ctx.createGain();
    master.gain.value = 0;
    const out = ctx.createMediaStreamDestination();
    master.connect(out);
    track = out.stream.getAudioTracks()[0];
    const bytes = Uint8Array.from(atob(wav), (c) => c.charCodeAt(0));
    void ctx.decodeAudioData(bytes.buffer).then((buffer) => {
      const source = ctx!.createBufferSource();
      source.buffer = buffer;
      source.loop = true;
      source.connect(master!);
      source.start();
    });
  };
  const w = window as unknown as { __talk(on: boolean): void };
  w.__talk = (on) => {
    voice();
    master!.gain.setValueAtTime(on ? 1 : 0, ctx!.currentTime);
  };
  md.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    const stream = await original(constraints);
    if (!constraints?.audio) return stream;
    voice();
    for (const t of stream.getAudioTracks()) {
      stream.removeTrack(t);
      t.stop();
    }
    stream.addTrack(track!.clone());
    return stream;
  };
}

/**
 * This page never asks for lost audio again: Chromium NACKs Opus when the offer lists
 * `rtcp-fb:<pt> nack`, so the offers it is given lose that line before the page applies them.
 */
function noAudioNack(): void {
  const strip = (sdp: string): string => sdp.replace(/m=audio[\s\S]*?(?=m=|$)/g, (section) => section.replace(/a=rtcp-fb:\d+ nack\r\n/g, ''));
  const original = RTCPeerConnection.prototype.setRemoteDescription as (this: RTCPeerConnection, d: RTCSessionDescriptionInit) => Promise<void>;
  RTCPeerConnection.prototype.setRemoteDescription = function (this: RTCPeerConnection, description: RTCSessionDescriptionInit) {
    if (description.type === 'offer' && description.sdp) description = { type: 'offer', sdp: strip(description.sdp) };
    return original.call(this, description);
  } as typeof RTCPeerConnection.prototype.setRemoteDescription;
}

async function join(name: string, opts: { nack: boolean }): Promise<Person> {
  const { context, page } = await newParticipant(browser);
  await context.addInitScript(fakeVoice, speech);
  if (!opts.nack) await context.addInitScript(noAudioNack);
  const active: Person['active'] = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"active-speaker"')) return;
      const m = JSON.parse(payload) as { type: string; participantId: string | null };
      if (m.type === 'active-speaker') active.push({ at: Date.now(), participantId: m.participantId });
    }),
  );
  await page.goto(link);
  await page.getByTestId('display-name-input').waitFor({ timeout: 15_000 });
  // Cameras off: audio only.
  await page.getByTestId('camera-toggle').click();
  await page.waitForSelector('[data-testid="camera-toggle"].is-off');
  await enterRoom(page, name);
  return { page, id: await localParticipantId(page), active };
}

const talk = (p: Person, on: boolean) => p.page.evaluate((on) => (window as unknown as { __talk(on: boolean): void }).__talk(on), on);

interface AudioIn {
  concealed: number;
  total: number;
  nack: number;
  fec: number;
  lost: number;
  packets: number;
}

/** The page's inbound audio from `from` (the downstream m-section carrying their microphone). */
async function audioFrom(page: Page, fromId: string): Promise<AudioIn> {
  return page.evaluate(async (fromId) => {
    const pc = (window as unknown as { __vconf: { downstream(): RTCPeerConnection } }).__vconf.downstream();
    const player = document.querySelector<HTMLAudioElement>(`audio[data-participant-id="${fromId}"]`);
    const track = (player?.srcObject as MediaStream | null)?.getAudioTracks()[0];
    const mid = pc.getTransceivers().find((t) => track && t.receiver.track === track)?.mid;
    if (!mid) return { concealed: 0, total: 0, nack: 0, fec: 0, lost: 0, packets: 0 };
    const out = { concealed: 0, total: 0, nack: 0, fec: 0, lost: 0, packets: 0 };
    (await pc.getStats()).forEach((s: Record<string, number | string>) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || s.mid !== mid) return;
      out.concealed += Number(s.concealedSamples ?? 0);
      out.total += Number(s.totalSamplesReceived ?? 0);
      out.nack += Number(s.nackCount ?? 0);
      out.fec += Number(s.fecPacketsReceived ?? 0);
      out.lost += Number(s.packetsLost ?? 0);
      out.packets += Number(s.packetsReceived ?? 0);
    });
    return out;
  }, fromId);
}

/** The local UDP port of one of the page's connections (its selected candidate pair). */
async function localPort(page: Page, which: 'upstream' | 'downstream'): Promise<number> {
  return page.evaluate(async (which) => {
    const pc = (window as unknown as { __vconf: Record<typeof which, () => RTCPeerConnection> }).__vconf[which]();
    const stats = [...(await pc.getStats()).values()] as Array<Record<string, unknown>>;
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
    const local = stats.find((s) => s.id === pair?.localCandidateId);
    if (local?.protocol !== 'udp') throw new Error(`${which} is not on UDP: ${JSON.stringify(local)}`);
    return Number(local.port);
  }, which);
}

/**
 * nftables drops `percent` of the UDP arriving at (dport) or sent from (sport) each local port;
 * replaces earlier rules. On the input path: a drop on output would fail the sender's own send call,
 * which is not what a lossy network does.
 */
function drop(percent: number, match: 'dport' | 'sport', ports: number[]): void {
  dropNothing();
  const rules = ports.map((port) => `    udp ${match} ${port} numgen random mod 100 < ${percent} drop`).join('\n');
  execFileSync('nft', ['-f', '-'], { input: `table inet ${TABLE} {\n  chain in {\n    type filter hook input priority 0; policy accept;\n${rules}\n  }\n}\n` });
}

function dropNothing(): void {
  try {
    execFileSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
  } catch {
    // no such table
  }
}

const diff = (a: AudioIn, b: AudioIn): AudioIn => ({ concealed: b.concealed - a.concealed, total: b.total - a.total, nack: b.nack - a.nack, fec: b.fec - a.fec, lost: b.lost - a.lost, packets: b.packets - a.packets });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!ready)('audio first: audio survives loss, and the server names the active speaker', () => {
  beforeAll(async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'vconf-speech-'));
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', joinPath(dir, 'speech.wav'), SPEECH]);
    speech = readFileSync(joinPath(dir, 'speech.wav')).toString('base64');
    rmSync(dir, { recursive: true, force: true });
    // UDP only, so the lossy rule covers the listeners' whole downlink.
    server = await startTestServer({ config: { rtcTcp: false } });
    const token = await appToken(server.endpoint, 'acme-app', 's3cret');
    const created = await conferenceClient(server.endpoint).createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Audio first' }), confHeaders(token), runtime());
    link = created.body!.externalLinkUrl!;
    browser = await launchBrowser({ args: ['--autoplay-policy=no-user-gesture-required'] });
    people.ann = await join('Ann', { nack: true });
    people.bob = await join('Bob', { nack: true });
    people.lee = await join('Lee', { nack: true });
    people.nia = await join('Nia', { nack: false });
    // Everyone hears Ann's microphone.
    for (const p of [people.bob, people.lee, people.nia]) await eventually(() => audioFrom(p.page, people.ann.id), (a) => a.packets > 50);
  });

  afterAll(async () => {
    if (canDrop) dropNothing();
    await browser?.close();
    await server?.stop();
  });

  it.skipIf(!canDrop)(`keeps audio continuous through ${LOSS_PERCENT}% loss on the listener's downlink: lost Opus packets are NACKed and resent`, async () => {
    const { ann, lee, nia } = people;
    await talk(ann, true);
    drop(LOSS_PERCENT, 'dport', [await localPort(lee.page, 'downstream'), await localPort(nia.page, 'downstream')]);
    await sleep(1000);
    const before = await Promise.all([audioFrom(lee.page, ann.id), audioFrom(nia.page, ann.id)]);
    await sleep(10_500);
    const after = await Promise.all([audioFrom(lee.page, ann.id), audioFrom(nia.page, ann.id)]);
    dropNothing();
    await talk(ann, false);
    const [withNack, without] = [diff(before[0], after[0]), diff(before[1], after[1])];
    const share = (a: AudioIn) => a.concealed / a.total;
    console.log(`audio through ${LOSS_PERCENT}% downlink loss, 10.5 s: NACK ${JSON.stringify(withNack)} concealed ${(100 * share(withNack)).toFixed(2)}%; no NACK ${JSON.stringify(without)} concealed ${(100 * share(without)).toFixed(2)}%`);
    // Over 10 s of 48 kHz audio was played out.
    expect(withNack.total).toBeGreaterThan(48_000 * 10);
    expect(share(withNack)).toBeLessThan(LOSS_PERCENT / 100);
    // The page asked again for what it lost, and got it.
    expect(withNack.nack).toBeGreaterThan(0);
    // Without NACK the same loss is heard: about as much concealment as loss (5% ± 1 of ~525 packets;
    // 1.5 points above the NACKed page's is over three standard deviations below that).
    expect(without.nack).toBe(0);
    expect(without.lost).toBeGreaterThan(0);
    expect(share(without)).toBeGreaterThan(share(withNack) + 0.015);
  }, 40_000);

  it.skipIf(!canDrop)('repairs loss on the publisher\'s uplink with Opus in-band FEC: the SFU\'s receiver reports tell the encoder, listeners recover from it', async () => {
    const { ann, lee } = people;
    await talk(ann, true);
    const before = await audioFrom(lee.page, ann.id);
    // Upstream audio is not NACKed (werift asks again for video only): FEC is what repairs it.
    drop(10, 'sport', [await localPort(ann.page, 'upstream')]);
    await sleep(8000);
    const after = await audioFrom(lee.page, ann.id);
    dropNothing();
    await talk(ann, false);
    const d = diff(before, after);
    const concealed = d.concealed / d.total;
    const lost = d.lost / (d.lost + d.packets);
    console.log(`audio through 10% uplink loss, 8 s: ${JSON.stringify(d)}; lost ${(100 * lost).toFixed(2)}% of packets, concealed ${(100 * concealed).toFixed(2)}% of samples`);
    expect(d.lost).toBeGreaterThan(0);
    // Ann's encoder put FEC into her packets, and Lee's decoder used it for most of what was lost.
    expect(d.fec).toBeGreaterThan(0);
    expect(concealed).toBeLessThan(lost / 2);
  }, 30_000);

  it('names the talker as the active speaker, and follows a change of talker once, without flapping', async () => {
    const { ann, bob, lee } = people;
    const active = (p: Person) => p.active.at(-1)?.participantId;
    await talk(ann, true);
    await eventually(async () => [active(bob), active(lee)], (ids) => ids.every((id) => id === ann.id));
    // Bob (silent) sees Ann's speaking ring; Ann's own page is told she is the active speaker too.
    await bob.page.waitForSelector(`[data-testid="participant-tile"][data-participant-id="${ann.id}"][data-speaking="true"]`, { timeout: 10_000 });
    await eventually(async () => active(ann), (id) => id === ann.id);

    const swapped = Date.now();
    const before = lee.active.length;
    await talk(ann, false);
    await talk(bob, true);
    await eventually(async () => active(lee), (id) => id === bob.id);
    const latency = lee.active.at(-1)!.at - swapped;
    // Bob keeps talking: the active speaker stays on him.
    await sleep(4000);
    await talk(bob, false);
    const changes = lee.active.slice(before).map((a) => a.participantId);
    console.log(`active speaker switch: ${latency} ms after the talkers swapped; changes seen ${JSON.stringify(changes)}`);
    expect(changes).toEqual([bob.id]);
    await eventually(() => ann.page.getAttribute(`[data-testid="participant-tile"][data-participant-id="${bob.id}"]`, 'data-speaking'), (v) => v === 'false');
  }, 40_000);
});
