import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Pause between checkpoints while the WAL keeps growing, and while it does not. */
const BUSY_INTERVAL_MS = 5;
const IDLE_INTERVAL_MS = 100;
/** Longest close() waits for the thread to finish its current checkpoint and let go of the file. */
const STOP_WAIT_MS = 5000;

const STOP = 0;
const DONE = 1;

/*
 * Runs in the thread. Plain CommonJS so it works the same from dist/ and from the TypeScript
 * sources under vitest. Checkpoints are PASSIVE: they never wait for, nor block, the writer.
 */
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
const flags = new Int32Array(workerData.flags);
try {
  if (Atomics.load(flags, ${STOP}) === 0) {
    const Database = require(workerData.driver);
    const db = new Database(workerData.file, { fileMustExist: true });
    try {
      db.pragma('synchronous = NORMAL');
      // Idle while the WAL has not grown since the last pass (its size is reported after the pass).
      let frames = -1;
      let idle = false;
      while (Atomics.wait(flags, ${STOP}, 0, idle ? ${IDLE_INTERVAL_MS} : ${BUSY_INTERVAL_MS}) !== 'not-equal' && Atomics.load(flags, ${STOP}) === 0) {
        const [r] = db.pragma('wal_checkpoint(PASSIVE)');
        idle = r !== undefined && r.busy === 0 && r.log === frames;
        frames = r === undefined ? -1 : r.log;
      }
    } finally {
      db.close();
    }
  }
} finally {
  Atomics.store(flags, ${DONE}, 1);
  Atomics.notify(flags, ${DONE});
}
`;

export interface Checkpointer {
  /** Synchronous, so the caller can close its own connection last (the last one removes the WAL). */
  stop(): void;
}

/**
 * Copies committed WAL pages into the database file from a separate thread and connection.
 * SQLite otherwise does this inside the COMMIT that crosses the auto-checkpoint size, on the event
 * loop, stalling every request for milliseconds (page copies plus fsyncs). The writer keeps its
 * own auto-checkpoint: it then finds nearly everything copied, and it alone can rewind the WAL.
 * Durability is unchanged: this connection syncs as the writer would (synchronous = NORMAL).
 */
export function startCheckpointer(file: string): Checkpointer {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { file, driver, flags: flags.buffer } });
  worker.unref();
  // A failed thread only means the writer does all the checkpointing itself again, in 4000-page steps.
  worker.on('error', () => {});
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      Atomics.store(flags, STOP, 1);
      Atomics.notify(flags, STOP);
      Atomics.wait(flags, DONE, 0, STOP_WAIT_MS);
    },
  };
}
