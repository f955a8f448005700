/**
 * vconf's SFU (src/rtc/sfu) alone in a child process, driven over IPC, so a benchmark's synthetic
 * peers (rtp-peer.ts) do not share its event loop and its CPU can be read on its own.
 * Used by bench/sfu-cpu.ts and bench/sfu-vs-janus.ts. SFU_CPU_PROF=<dir> writes a V8 CPU profile.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Sfu } from '../../src/rtc/sfu/sfu.js';
import type { DownstreamTrack, Source } from './rtp-peer.js';

/** One tile a subscriber's page shows, in device pixels (the room protocol's `view`). */
export interface TileView {
  participantId: string;
  source: Source;
  width: number;
  height: number;
}

export type Request =
  | { op: 'add' | 'closeRoom'; room: string; pid?: string }
  | { op: 'publish'; room: string; pid: string; sdp: string; tracks: Array<{ mid: string; source: 'camera' }> }
  | { op: 'answer'; room: string; pid: string; sdp: string }
  | { op: 'view'; room: string; pid: string; tiles: TileView[] }
  | { op: 'cpuStart' | 'cpuStop' | 'stats' | 'exit' };

export interface Offer {
  op: 'offer';
  room: string;
  pid: string;
  sdp: string;
  tracks: DownstreamTrack[];
}

async function runSfuChild(): Promise<void> {
  const sfu = new Sfu({ listenIp: '127.0.0.1' });
  const hooked = new Set<string>();
  let mark = { cpu: process.cpuUsage(), at: performance.now() };
  const send = (msg: object) => process.send!(msg);
  process.on('message', async (msg: Request & { id: number }) => {
    try {
      let result: unknown;
      switch (msg.op) {
        case 'add': {
          const room = sfu.room(msg.room);
          if (!hooked.has(msg.room)) {
            hooked.add(msg.room);
            room.onDownstreamOffer = (pid, sdp, tracks) => send({ op: 'offer', room: msg.room, pid, sdp, tracks });
          }
          await room.addParticipant(msg.pid!);
          break;
        }
        case 'publish':
          result = await sfu.room(msg.room).publish(msg.pid, msg.sdp, msg.tracks);
          break;
        case 'answer':
          await sfu.room(msg.room).downstreamAnswer(msg.pid, msg.sdp);
          break;
        case 'view': {
          // The tiles a page shows choose its simulcast layers (SfuRoom.setView, with simulcast).
          const room = sfu.room(msg.room) as unknown as { setView?: (pid: string, tiles: TileView[]) => void };
          if (!room.setView) throw new Error('this SFU has no setView (no simulcast)');
          room.setView(msg.pid, msg.tiles);
          break;
        }
        case 'closeRoom':
          hooked.delete(msg.room);
          await sfu.closeRoom(msg.room);
          break;
        case 'cpuStart':
          mark = { cpu: process.cpuUsage(), at: performance.now() };
          break;
        case 'cpuStop': {
          const used = process.cpuUsage(mark.cpu);
          result = { userMs: used.user / 1000, systemMs: used.system / 1000, wallMs: performance.now() - mark.at };
          break;
        }
        case 'stats':
          result = sfu.stats();
          break;
        case 'exit':
          await sfu.close();
          send({ id: msg.id });
          process.exit(0);
      }
      send({ id: msg.id, result });
    } catch (err) {
      send({ id: msg.id, error: String(err) });
    }
  });
  send({ op: 'ready' });
}

export class SfuProcess {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  onOffer: (offer: Offer) => void = () => undefined;
  readonly ready: Promise<void>;

  constructor() {
    // SFU_CPU_PROF=<dir> writes a V8 CPU profile of the SFU process there.
    const profile = process.env.SFU_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SFU_CPU_PROF] : [];
    this.child = fork(fileURLToPath(import.meta.url), ['--sfu-child'], { execArgv: profile, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let ready!: () => void;
    this.ready = new Promise((r) => (ready = r));
    this.child.on('message', (msg: { id?: number; op?: string; result?: unknown; error?: string }) => {
      if (msg.op === 'ready') return ready();
      if (msg.op === 'offer') return this.onOffer(msg as Offer);
      const waiter = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id!);
      if (msg.error) waiter.reject(new Error(msg.error));
      else waiter.resolve(msg.result);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  call<T = void>(req: Request): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...req, id });
    });
  }
}

if (process.argv.includes('--sfu-child') && process.argv[1] === fileURLToPath(import.meta.url)) void runSfuChild();
