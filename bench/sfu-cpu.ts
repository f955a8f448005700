/**
 * CPU cost of the SFU per forwarded video stream.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/sfu-cpu.js [--streams 4,16,64] [--window 8] [--json]
 *   (SFU_CPU_PROF=<dir> also writes a CPU profile of the SFU process.)
 *
 * The SFU (src/rtc/sfu) runs alone in a child process; this process plays every participant with
 * synthetic werift peers (bench/support/rtp-peer.ts) on loopback, so only forwarding is measured.
 * Each room has one publisher sending ~500 kbps of VP8-like RTP (20 fps, 3 packets of ~1040 bytes
 * per frame) and up to 16 receive-only subscribers: 4 streams = 1 room x 4, 16 = 1 x 16, 64 = 4 x 16.
 * After a warm-up, the child's process.cpuUsage() over a steady window gives the SFU's CPU.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { RtpPeer } from './support/rtp-peer.js';
import { SfuProcess } from './support/sfu-process.js';
import { sleep, waitFor } from './support/wait.js';

const VIDEO = { fps: 20, frameBytes: 3125, maxPacketBytes: 1100 };
const SUBSCRIBERS_PER_ROOM = 16;
const JOIN_BURST = 4;
const WARMUP_MS = 2_000;
const CONNECT_TIMEOUT_MS = 30_000;

interface Result {
  streams: number;
  rooms: number;
  sfuCpuPercent: number;
  cpuPerStreamPercent: number;
  streamsPerCore: number;
  deliveredPps: number;
  deliveredKbps: number;
  deliveryRatio: number;
  peersCpuPercent: number;
}


async function scenario(sfu: SfuProcess, streams: number, windowMs: number): Promise<Result> {
  const roomCount = Math.max(1, Math.floor(streams / SUBSCRIBERS_PER_ROOM));
  const perRoom = streams / roomCount;
  const peers = new Map<string, RtpPeer>();
  const publishers: RtpPeer[] = [];
  const subscribers: RtpPeer[] = [];
  sfu.onOffer = (offer) => {
    const peer = peers.get(`${offer.room}/${offer.pid}`);
    if (!peer) return;
    void peer
      .answerDownstream(offer.sdp, offer.tracks)
      .then((sdp) => sfu.call({ op: 'answer', room: offer.room, pid: offer.pid, sdp }))
      .catch((err) => console.error('answer failed', err));
  };
  const rooms = Array.from({ length: roomCount }, (_, r) => `s${streams}-r${r}`);
  for (const room of rooms) {
    const pub = new RtpPeer({ name: 'pub', video: VIDEO });
    peers.set(`${room}/pub`, pub);
    publishers.push(pub);
    await sfu.call({ op: 'add', room, pid: 'pub' });
    pub.addSource('camera');
    const { sdp, tracks } = await pub.publishOffer();
    await pub.publishAnswer(await sfu.call<string>({ op: 'publish', room, pid: 'pub', sdp, tracks: tracks as Array<{ mid: string; source: 'camera' }> }));
    pub.start();
    // Joins arrive in small bursts, as people do; 64 handshakes at once only measure the machine's load.
    for (let first = 0; first < perRoom; first += JOIN_BURST) {
      const adds: Array<Promise<void>> = [];
      for (let i = first; i < Math.min(perRoom, first + JOIN_BURST); i++) {
        const sub = new RtpPeer({ name: `sub${i}` });
        peers.set(`${room}/sub${i}`, sub);
        subscribers.push(sub);
        adds.push(sfu.call({ op: 'add', room, pid: `sub${i}` }));
      }
      await Promise.all(adds);
      await waitFor(() => subscribers.every((s) => s.stream('pub', 'camera').packets > 0), CONNECT_TIMEOUT_MS, 'a join burst to connect').catch(() => undefined);
    }
  }
  const received = () => subscribers.map((s) => s.stream('pub', 'camera'));
  try {
    await waitFor(() => received().every((s) => s.packets > 20), CONNECT_TIMEOUT_MS, `${streams} streams flowing`);
  } catch (err) {
    const flowing = received().filter((s) => s.packets > 20).length;
    const states = subscribers.map((s) => `${s.downstreamOffers}:${s.downstream.connectionState}`);
    throw new Error(`${(err as Error).message}: ${flowing}/${streams} flowing; offers:state ${states.join(' ')}`);
  }
  await sleep(WARMUP_MS);

  const before = received().map((s) => ({ packets: s.packets, bytes: s.bytes }));
  const sentBefore = publishers.map((p) => p.sent('camera'));
  const peersCpu = process.cpuUsage();
  const peersAt = performance.now();
  await sfu.call({ op: 'cpuStart' });
  await sleep(windowMs);
  const cpu = await sfu.call<{ userMs: number; systemMs: number; wallMs: number }>({ op: 'cpuStop' });
  const peersUsed = process.cpuUsage(peersCpu);
  const peersWall = performance.now() - peersAt;
  const after = received().map((s) => ({ packets: s.packets, bytes: s.bytes }));
  const sent = publishers.map((p, i) => p.sent('camera') - sentBefore[i]!).reduce((a, b) => a + b, 0) / publishers.length;
  const stats = await sfu.call<{ forwardedStreams: number }>({ op: 'stats' });
  if (stats.forwardedStreams !== streams) throw new Error(`SFU forwards ${stats.forwardedStreams} streams, expected ${streams}`);

  for (const room of rooms) await sfu.call({ op: 'closeRoom', room });
  await Promise.all([...peers.values()].map((p) => p.close()));

  const seconds = cpu.wallMs / 1000;
  const packets = after.map((a, i) => a.packets - before[i]!.packets);
  const bytes = after.map((a, i) => a.bytes - before[i]!.bytes);
  const sfuCpuPercent = ((cpu.userMs + cpu.systemMs) / cpu.wallMs) * 100;
  const cpuPerStreamPercent = sfuCpuPercent / streams;
  return {
    streams,
    rooms: roomCount,
    sfuCpuPercent,
    cpuPerStreamPercent,
    streamsPerCore: 100 / cpuPerStreamPercent,
    deliveredPps: packets.reduce((a, b) => a + b, 0) / packets.length / seconds,
    deliveredKbps: (bytes.reduce((a, b) => a + b, 0) / bytes.length / seconds) * 8 / 1000,
    deliveryRatio: packets.reduce((a, b) => a + b, 0) / packets.length / sent,
    peersCpuPercent: ((peersUsed.user + peersUsed.system) / 1000 / peersWall) * 100,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { streams: { type: 'string', default: '4,16,64' }, window: { type: 'string', default: '8' }, json: { type: 'boolean', default: false } },
  });
  const counts = values.streams.split(',').map(Number);
  const windowMs = Number(values.window) * 1000;
  const started = performance.now();
  const sfu = new SfuProcess();
  await sfu.ready;
  const results: Result[] = [];
  try {
    for (const streams of counts) results.push(await scenario(sfu, streams, windowMs));
  } finally {
    await sfu.call({ op: 'exit' }).catch(() => undefined);
  }
  const [small, large] = [results[0], results.at(-1)];
  const marginal =
    small && large && large.streams > small.streams
      ? (large.sfuCpuPercent - small.sfuCpuPercent) / (large.streams - small.streams)
      : undefined;
  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadavg: loadavg().map((l) => l.toFixed(2)).join(' ') };
  if (values.json) {
    console.log(JSON.stringify({ machine, results, marginalPercentPerStream: marginal }, null, 2));
    return;
  }
  console.log(`machine: ${machine.cpu} x${machine.cores}, node ${machine.node}, load ${machine.loadavg}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log('| streams | rooms | SFU CPU (% of a core) | CPU per stream | streams per core | delivered per stream | delivered/sent | peers\' CPU |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.streams} | ${r.rooms} | ${r.sfuCpuPercent.toFixed(1)}% | ${r.cpuPerStreamPercent.toFixed(2)}% | ${r.streamsPerCore.toFixed(0)} | ` +
        `${r.deliveredPps.toFixed(1)} pkt/s, ${r.deliveredKbps.toFixed(0)} kbps | ${(r.deliveryRatio * 100).toFixed(1)}% | ${r.peersCpuPercent.toFixed(0)}% |`,
    );
  }
  if (marginal !== undefined) {
    console.log(`marginal cost ${small!.streams}->${large!.streams} streams: ${marginal.toFixed(2)}% of a core per stream = ${(100 / marginal).toFixed(0)} streams per core`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
