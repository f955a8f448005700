/**
 * vconf's SFU beside Janus (Debian's 1.1, VideoRoom plugin, in C), forwarding the same synthetic
 * publishers to the same number of subscribers, in one run.
 *
 *   npm run build && flock /tmp/heavy.lock node dist/bench/sfu-vs-janus.js \
 *     [--streams 4,16,64] [--rounds 2] [--window 6] [--simulcast|--no-simulcast] [--layer f] [--json]
 *
 * Both servers run as their own processes for the whole run; this process plays every participant
 * with werift peers (bench/support/rtp-peer.ts) on 127.0.0.1: per room one publisher (~500 kbps
 * VP8-like RTP, or with simulcast three layers of ~150/500/1200 kbps) and up to 16 receive-only
 * subscribers (4 = 1 room x 4, 16 = 1 x 16, 64 = 4 x 16). For each size the two servers are measured
 * in turn, vconf then Janus, for a few rounds, so the machine's drift between moments falls on both.
 * Each server's CPU is read the same way: utime + stime of its process from /proc over the same
 * steady window. Every subscriber must receive >= 90% of what its publisher sent on the layer it
 * asked for, or the run fails.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { RtpPeer, type DownstreamTrack, type SimulcastLayer } from './support/rtp-peer.js';
import { SfuProcess } from './support/sfu-process.js';
import { startJanus, type JanusServer } from './support/janus-server.js';
import { JanusSession } from './support/janus-client.js';
import { cpuWindow } from './support/proc-cpu.js';
import { sleep, waitFor } from './support/wait.js';

const VIDEO = { fps: 20, frameBytes: 3125, maxPacketBytes: 1100 };
/** ~150 / 500 / 1200 kbps at 20 fps. */
const LAYERS: SimulcastLayer[] = [
  { rid: 'q', frameBytes: 940, width: 320, height: 180 },
  { rid: 'h', frameBytes: 3125, width: 640, height: 360 },
  { rid: 'f', frameBytes: 7500, width: 1280, height: 720 },
];
const SUBSCRIBERS_PER_ROOM = 16;
const JOIN_BURST = 4;
const WARMUP_MS = 2_000;
const CONNECT_TIMEOUT_MS = 30_000;
const MIN_DELIVERY = 0.9;

type Rid = 'q' | 'h' | 'f';

/** One server under test: how a room's publisher and subscribers are connected to it. */
interface Target {
  readonly name: 'vconf' | 'janus';
  readonly pid: number;
  openRoom(room: string): Promise<void>;
  publish(room: string, pub: RtpPeer): Promise<void>;
  subscribe(room: string, sub: RtpPeer, layer: Rid | undefined): Promise<void>;
  closeRoom(room: string): Promise<void>;
  stop(): Promise<void>;
}

/* ---------------------------------------------------------------- vconf */

class VconfTarget implements Target {
  readonly name = 'vconf';
  private readonly peers = new Map<string, RtpPeer>();

  private constructor(private readonly sfu: SfuProcess) {
    sfu.onOffer = (offer) => {
      const peer = this.peers.get(`${offer.room}/${offer.pid}`);
      if (!peer) return;
      void peer
        .answerDownstream(offer.sdp, offer.tracks)
        .then((sdp) => sfu.call({ op: 'answer', room: offer.room, pid: offer.pid, sdp }))
        .catch((err) => console.error('vconf: answer failed', err));
    };
  }

  static async start(): Promise<VconfTarget> {
    const sfu = new SfuProcess();
    await sfu.ready;
    return new VconfTarget(sfu);
  }

  get pid(): number {
    return this.sfu.pid;
  }

  async openRoom(): Promise<void> {}

  async publish(room: string, pub: RtpPeer): Promise<void> {
    this.peers.set(`${room}/pub`, pub);
    await this.sfu.call({ op: 'add', room, pid: 'pub' });
    const { sdp, tracks } = await pub.publishOffer();
    const answer = await this.sfu.call<string>({ op: 'publish', room, pid: 'pub', sdp, tracks: tracks as Array<{ mid: string; source: 'camera' }> });
    await pub.publishAnswer(answer);
  }

  async subscribe(room: string, sub: RtpPeer, layer: Rid | undefined): Promise<void> {
    this.peers.set(`${room}/${sub.name}`, sub);
    await this.sfu.call({ op: 'add', room, pid: sub.name });
    if (!layer) return;
    // vconf sends a tile the smallest layer that fills it: a tile of the layer's own size pins it.
    const { width, height } = LAYERS.find((l) => l.rid === layer)!;
    await this.sfu.call({ op: 'view', room, pid: sub.name, tiles: [{ participantId: 'pub', source: 'camera', width: width!, height: height! }] });
  }

  async closeRoom(room: string): Promise<void> {
    await this.sfu.call({ op: 'closeRoom', room });
    for (const key of [...this.peers.keys()]) if (key.startsWith(`${room}/`)) this.peers.delete(key);
  }

  async stop(): Promise<void> {
    await this.sfu.call({ op: 'exit' }).catch(() => undefined);
  }
}

/* ---------------------------------------------------------------- Janus */

class JanusTarget implements Target {
  readonly name = 'janus';
  private readonly rooms = new Map<string, { id: number; feed: number; handles: number[] }>();
  private nextRoom = 1000;
  private readonly admin: Promise<number>;

  private constructor(
    private readonly server: JanusServer,
    private readonly session: JanusSession,
  ) {
    this.admin = session.attachVideoRoom();
  }

  static async start(): Promise<JanusTarget> {
    const server = await startJanus();
    return new JanusTarget(server, await JanusSession.create(server.url));
  }

  get pid(): number {
    return this.server.pid;
  }

  async openRoom(room: string): Promise<void> {
    const id = this.nextRoom++;
    await this.session.message(await this.admin, {
      request: 'create',
      room: id,
      publishers: 4,
      videocodec: 'vp8',
      audiocodec: 'opus',
      // A cap far above what any publisher sends; the synthetic publishers ignore REMB anyway.
      bitrate: 10_000_000,
      fir_freq: 0,
      notify_joining: false,
    });
    this.rooms.set(room, { id, feed: id * 10 + 1, handles: [] });
  }

  async publish(room: string, pub: RtpPeer): Promise<void> {
    const r = this.rooms.get(room)!;
    const handle = await this.session.attachVideoRoom();
    r.handles.push(handle);
    await this.session.message(handle, { request: 'join', ptype: 'publisher', room: r.id, id: r.feed, display: 'pub' });
    const { sdp } = await pub.publishOffer();
    const answer = await this.session.message(handle, { request: 'publish', audio: false, video: true }, { type: 'offer', sdp, trickle: false });
    if (!answer.jsep) throw new Error(`janus: publish gave no answer: ${JSON.stringify(answer.data)}`);
    await pub.publishAnswer(answer.jsep.sdp);
    // Janus lists a feed for subscription only once its PeerConnection is up.
    await pub.connected(pub.upstream, CONNECT_TIMEOUT_MS);
  }

  async subscribe(room: string, sub: RtpPeer, layer: Rid | undefined): Promise<void> {
    const r = this.rooms.get(room)!;
    const handle = await this.session.attachVideoRoom();
    r.handles.push(handle);
    // Janus reads the rids of `a=simulcast` as highest first (substream 2 = the first listed); the
    // publisher lists them lowest first, as vconf's page does, so the index is counted from the end.
    const stream = { feed: r.feed, ...(layer ? { substream: LAYERS.length - 1 - LAYERS.findIndex((l) => l.rid === layer) } : {}) };
    let offer;
    for (let attempt = 0; ; attempt++) {
      try {
        offer = await this.session.message(handle, { request: 'join', ptype: 'subscriber', room: r.id, streams: [stream] });
        break;
      } catch (err) {
        // 428 "No such feed": the publisher's media has not reached Janus yet.
        if (attempt >= 50 || !String(err).includes('error 428')) throw err;
        await sleep(200);
      }
    }
    if (!offer.jsep) throw new Error(`janus: join gave no offer: ${JSON.stringify(offer.data)}`);
    const streams = (offer.data.streams as Array<{ type: string; mid: string }> | undefined) ?? [];
    const tracks: DownstreamTrack[] = streams.filter((s) => s.type === 'video').map((s) => ({ mid: s.mid, participantId: 'pub', source: 'camera' }));
    const sdp = await sub.answerDownstream(offer.jsep.sdp, tracks);
    await this.session.message(handle, { request: 'start' }, { type: 'answer', sdp, trickle: false });
  }

  async closeRoom(room: string): Promise<void> {
    const r = this.rooms.get(room);
    if (!r) return;
    this.rooms.delete(room);
    await Promise.all(r.handles.map((h) => this.session.detach(h)));
    await this.session.message(await this.admin, { request: 'destroy', room: r.id }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.session.destroy();
    await this.server.stop();
  }
}

/* ---------------------------------------------------------------- one measurement */

interface Measurement {
  target: 'vconf' | 'janus';
  streams: number;
  round: number;
  cpuPercent: number;
  cpuPerStreamPercent: number;
  streamsPerCore: number;
  /** Per subscriber, in the window. */
  deliveredPps: number;
  deliveredKbps: number;
  /** The worst subscriber's received / sent on its layer. */
  minDelivery: number;
  peersCpuPercent: number;
}


async function measure(target: Target, streams: number, round: number, windowMs: number, layer: Rid | undefined): Promise<Measurement> {
  const roomCount = Math.max(1, Math.floor(streams / SUBSCRIBERS_PER_ROOM));
  const perRoom = streams / roomCount;
  const publishers: RtpPeer[] = [];
  const subscribers: Array<{ sub: RtpPeer; pub: RtpPeer }> = [];
  const rooms = Array.from({ length: roomCount }, (_, r) => `s${streams}-${round}-r${r}`);
  const received = () => subscribers.map(({ sub }) => sub.stream('pub', 'camera'));
  const sentOn = (pub: RtpPeer) => (layer ? pub.sentLayer('camera', layer) : pub.sent('camera'));
  try {
    for (const room of rooms) {
      await target.openRoom(room);
      const pub = new RtpPeer({ name: 'pub', video: VIDEO, ...(layer ? { simulcast: LAYERS } : {}) });
      publishers.push(pub);
      pub.addSource('camera');
      await target.publish(room, pub);
      pub.start();
      // Joins arrive in small bursts, as people do; 64 handshakes at once only measure the machine's load.
      for (let first = 0; first < perRoom; first += JOIN_BURST) {
        const burst: RtpPeer[] = [];
        for (let i = first; i < Math.min(perRoom, first + JOIN_BURST); i++) {
          const sub = new RtpPeer({ name: `sub${i}` });
          burst.push(sub);
          subscribers.push({ sub, pub });
        }
        await Promise.all(burst.map((sub) => target.subscribe(room, sub, layer)));
        await waitFor(() => burst.every((s) => s.stream('pub', 'camera').packets > 0), CONNECT_TIMEOUT_MS, 'a join burst to receive').catch(() => undefined);
      }
    }
    try {
      await waitFor(() => received().every((s) => s.packets > 20), CONNECT_TIMEOUT_MS, `${streams} streams flowing`);
    } catch (err) {
      const flowing = received().filter((s) => s.packets > 20).length;
      const states = subscribers.map(({ sub }) => sub.downstream.connectionState);
      throw new Error(`${target.name}: ${(err as Error).message}: ${flowing}/${streams} flowing; states ${states.join(' ')}`);
    }
    await sleep(WARMUP_MS);

    const before = received().map((s) => ({ packets: s.packets, bytes: s.bytes }));
    const sentBefore = new Map(publishers.map((p) => [p, sentOn(p)]));
    const peersCpu = process.cpuUsage();
    const stopWindow = cpuWindow(target.pid);
    await sleep(windowMs);
    const cpu = stopWindow();
    const peersUsed = process.cpuUsage(peersCpu);
    const after = received().map((s) => ({ packets: s.packets, bytes: s.bytes }));
    const sent = new Map(publishers.map((p) => [p, sentOn(p) - sentBefore.get(p)!]));

    const seconds = cpu.wallMs / 1000;
    const packets = after.map((a, i) => a.packets - before[i]!.packets);
    const bytes = after.map((a, i) => a.bytes - before[i]!.bytes);
    const delivery = packets.map((p, i) => p / Math.max(1, sent.get(subscribers[i]!.pub)!));
    const minDelivery = Math.min(...delivery);
    if (minDelivery < MIN_DELIVERY) {
      throw new Error(
        `${target.name} at ${streams} streams: a subscriber got ${(minDelivery * 100).toFixed(1)}% of the packets its publisher sent` +
          `${layer ? ` on layer ${layer}` : ''} (per subscriber: ${delivery.map((d) => (d * 100).toFixed(0)).join(' ')}%)`,
      );
    }
    const cpuPerStreamPercent = cpu.percentOfCore / streams;
    return {
      target: target.name,
      streams,
      round,
      cpuPercent: cpu.percentOfCore,
      cpuPerStreamPercent,
      streamsPerCore: 100 / cpuPerStreamPercent,
      deliveredPps: packets.reduce((a, b) => a + b, 0) / packets.length / seconds,
      deliveredKbps: ((bytes.reduce((a, b) => a + b, 0) / bytes.length / seconds) * 8) / 1000,
      minDelivery,
      peersCpuPercent: ((peersUsed.user + peersUsed.system) / 1000 / cpu.wallMs) * 100,
    };
  } finally {
    for (const room of rooms) await target.closeRoom(room).catch(() => undefined);
    await Promise.all([...publishers, ...subscribers.map((s) => s.sub)].map((p) => p.close().catch(() => undefined)));
  }
}

/* ---------------------------------------------------------------- the run */

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Summary {
  streams: number;
  vconfCpuPerStreamPercent: number;
  janusCpuPerStreamPercent: number;
  vconfStreamsPerCore: number;
  janusStreamsPerCore: number;
  /** Median over rounds of (vconf / Janus) measured back to back. */
  ratio: number;
  ratios: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      streams: { type: 'string', default: '4,16,64' },
      rounds: { type: 'string', default: '2' },
      window: { type: 'string', default: '6' },
      simulcast: { type: 'boolean', default: true },
      'no-simulcast': { type: 'boolean', default: false },
      layer: { type: 'string', default: 'h' },
      json: { type: 'boolean', default: false },
      // For trying one side alone; a ratio needs both.
      targets: { type: 'string', default: 'vconf,janus' },
    },
  });
  const counts = values.streams.split(',').map(Number);
  const rounds = Number(values.rounds);
  const windowMs = Number(values.window) * 1000;
  const simulcast = values.simulcast && !values['no-simulcast'];
  if (!['q', 'h', 'f'].includes(values.layer)) throw new Error('--layer is one of q, h, f');
  const layer = simulcast ? (values.layer as Rid) : undefined;
  const started = performance.now();
  const load0 = loadavg();

  const names = values.targets.split(',');
  const targets: Target[] = [];
  if (names.includes('vconf')) targets.push(await VconfTarget.start());
  if (names.includes('janus')) targets.push(await JanusTarget.start());
  const measurements: Measurement[] = [];
  try {
    for (const streams of counts) {
      for (let round = 0; round < rounds; round++) {
        for (const target of targets) {
          const m = await measure(target, streams, round, windowMs, layer);
          measurements.push(m);
          if (!values.json) {
            console.error(`${m.target} ${m.streams} streams round ${round + 1}: ${m.cpuPercent.toFixed(1)}% CPU, ${m.cpuPerStreamPercent.toFixed(3)}% per stream, worst delivery ${(m.minDelivery * 100).toFixed(1)}%`);
          }
        }
      }
    }
  } finally {
    for (const t of targets) await t.stop().catch(() => undefined);
  }

  if (targets.length < 2) {
    console.log(JSON.stringify(measurements, null, 2));
    return;
  }
  const summaries: Summary[] = counts.map((streams) => {
    const of = (name: string) => measurements.filter((m) => m.streams === streams && m.target === name);
    const v = of('vconf');
    const j = of('janus');
    const ratios = v.map((m, i) => m.cpuPerStreamPercent / j[i]!.cpuPerStreamPercent);
    const vPer = median(v.map((m) => m.cpuPerStreamPercent));
    const jPer = median(j.map((m) => m.cpuPerStreamPercent));
    return {
      streams,
      vconfCpuPerStreamPercent: vPer,
      janusCpuPerStreamPercent: jPer,
      vconfStreamsPerCore: 100 / vPer,
      janusStreamsPerCore: 100 / jPer,
      ratio: median(ratios),
      ratios,
    };
  });
  // Marginal cost per stream between the smallest and the largest step, per round: the fixed costs
  // (the publisher's incoming stream, idle connections) drop out.
  const [small, large] = [counts[0]!, counts.at(-1)!];
  const marginal =
    large > small
      ? Array.from({ length: rounds }, (_, round) => {
          const at = (name: string, streams: number) => measurements.find((m) => m.target === name && m.streams === streams && m.round === round)!.cpuPercent;
          const vconf = (at('vconf', large) - at('vconf', small)) / (large - small);
          const janus = (at('janus', large) - at('janus', small)) / (large - small);
          return { vconf, janus, ratio: vconf / janus };
        })
      : [];
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    loadavgStart: load0.map((l) => l.toFixed(2)).join(' '),
    loadavgEnd: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
  const settings = { simulcast, layer: layer ?? null, rounds, windowS: windowMs / 1000 };
  if (values.json) {
    console.log(JSON.stringify({ machine, settings, summaries, marginal, measurements }, null, 2));
    return;
  }
  console.log(
    `machine: ${machine.cpu} x${machine.cores}, node ${machine.node}, load ${machine.loadavgStart} -> ${machine.loadavgEnd}; ` +
      `simulcast ${simulcast ? `on, subscribers on layer ${layer}` : 'off'}; ${rounds} rounds of ${windowMs / 1000} s; total ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log('| streams | vconf CPU per stream | Janus CPU per stream | vconf streams/core | Janus streams/core | vconf / Janus (per round) |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const s of summaries) {
    console.log(
      `| ${s.streams} | ${s.vconfCpuPerStreamPercent.toFixed(3)}% | ${s.janusCpuPerStreamPercent.toFixed(3)}% | ${s.vconfStreamsPerCore.toFixed(0)} | ` +
        `${s.janusStreamsPerCore.toFixed(0)} | **${s.ratio.toFixed(2)}** (${s.ratios.map((r) => r.toFixed(2)).join(', ')}) |`,
    );
  }
  if (marginal.length) {
    const f = (key: 'vconf' | 'janus' | 'ratio', digits: number) => marginal.map((m) => m[key].toFixed(digits)).join(', ');
    console.log(
      `marginal cost ${small}->${large} streams, per round: vconf ${f('vconf', 3)}%, Janus ${f('janus', 3)}% of a core per stream; ` +
        `vconf / Janus ${f('ratio', 2)} (median ${median(marginal.map((m) => m.ratio)).toFixed(2)})`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
