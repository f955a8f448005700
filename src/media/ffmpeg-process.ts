import { spawn, type ChildProcess } from 'node:child_process';

/** One ffmpeg run: its exit, and the tail of what it said (for logs and failure reasons). */
export class FfmpegProcess {
  private readonly child: ChildProcess;
  private tail = '';
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined;
  /** Resolves when ffmpeg reports its first encoded frame (with `-progress pipe:1`), or when it exits. */
  readonly firstFrame: Promise<boolean>;

  constructor(
    command: string,
    readonly args: readonly string[],
    /** Called with each chunk of stderr, e.g. to notice "Output #0" (the output was opened). */
    private readonly onOutput?: (text: string) => void,
  ) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let framed: (ok: boolean) => void = () => undefined;
    this.firstFrame = new Promise((resolve) => (framed = resolve));
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      const m = /frame=(\d+)/.exec(chunk);
      if (m && Number(m[1]) > 0) framed(true);
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.tail = (this.tail + chunk).slice(-4000);
      this.onOutput?.(chunk);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.tail += `\n${err.message}`;
        this.exitCode = null;
        framed(false);
        resolve(null);
      });
      this.child.once('exit', (code) => {
        this.exitCode = code;
        framed(false);
        resolve(code);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines ffmpeg wrote, trimmed to one line per problem. */
  lastWords(lines = 3): string {
    return this.tail.trim().split('\n').slice(-lines).join(' | ');
  }

  /**
   * SIGINT makes ffmpeg finish as if its input ended: the MP4 gets its index (moved to the front for
   * +faststart). One that does not finish in time is killed.
   */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/** Runs a short ffmpeg/ffprobe job to its end; rejects with its last words when it fails. */
export async function runTool(command: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
