import http, { type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';

/** URLs kept parsed; more than this many (directory changes) starts the cache afresh. */
const MAX_TARGETS = 1_000;
/** Bytes of an answer read before its connection is dropped (the answer's body is not used). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Where a URL points, as http.request takes it. */
interface Target {
  secure: boolean;
  options: RequestOptions;
}

/**
 * POSTs with node:http on keep-alive agents (a fraction of fetch's CPU per request): requests reuse
 * their receivers' connections instead of opening one each. Redirects are not followed.
 */
export class KeepAlivePoster {
  private agents = newAgents();
  /** Requests under way, to cut short on abortAll(). */
  private readonly requests = new Set<http.ClientRequest>();
  private readonly targets = new Map<string, Target>();

  constructor(private readonly timeoutMs: number) {}

  /** Fresh agents, for use after close(). */
  reopen(): void {
    this.agents = newAgents();
  }

  /**
   * Resolves with the status once the answer's head is in. The time limit and abortAll() also cut
   * the answer's body short, which is read and dropped.
   */
  post(url: string, body: string, headers: OutgoingHttpHeaders): Promise<number> {
    return this.send(url, body, headers, false).then((r) => r.status);
  }

  /** Like post(), and also reads the answer's body (up to 64 KiB, else it fails). */
  exchange(url: string, body: string, headers: OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
    return this.send(url, body, headers, true);
  }

  private send(url: string, body: string, headers: OutgoingHttpHeaders, readBody: boolean): Promise<{ status: number; body: string }> {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      let request: http.ClientRequest;
      try {
        const { secure, options } = this.targetOf(url);
        request = (secure ? https : http).request({ ...options, method: 'POST', headers, agent: secure ? this.agents.https : this.agents.http });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.requests.add(request);
      const release = (): void => {
        clearTimeout(timer);
        this.requests.delete(request);
      };
      request.on('response', (res) => {
        if (readBody) {
          collect(res, (err, text) => {
            release();
            if (err) reject(err);
            else resolve({ status: res.statusCode ?? 0, body: text });
          });
          return;
        }
        drain(res, release);
        resolve({ status: res.statusCode ?? 0, body: '' });
      });
      request.on('error', (err) => {
        release();
        reject(err);
      });
      request.end(body);
    });
  }

  /** Cuts short every request under way; each fails with `reason`. */
  abortAll(reason: string): void {
    for (const r of this.requests) r.destroy(new Error(reason));
  }

  /** Closes the kept-alive connections. */
  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  /** Request options of a URL, parsed once (a handful of URLs take every request). */
  private targetOf(url: string): Target {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`unsupported callback URL scheme ${parsed.protocol}`);
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      target = { secure: parsed.protocol === 'https:', options: urlToHttpOptions(parsed) };
      this.targets.set(url, target);
    }
    return target;
  }
}

function newAgents(): { http: http.Agent; https: https.Agent } {
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
}

/** Reads and drops an answer's body, so its connection can serve the next request; calls `done` once it is over. */
function drain(res: IncomingMessage, done: () => void): void {
  let bytes = 0;
  res.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_ANSWER_BYTES) res.destroy();
  });
  res.on('error', () => {});
  res.on('close', done);
}

/** Reads an answer's body as UTF-8, failing above MAX_ANSWER_BYTES. */
function collect(res: IncomingMessage, done: (err: Error | undefined, text: string) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let finished = false;
  const finish = (err: Error | undefined): void => {
    if (finished) return;
    finished = true;
    done(err, err ? '' : Buffer.concat(chunks).toString('utf8'));
  };
  res.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_ANSWER_BYTES) {
      res.destroy();
      finish(new Error(`answer longer than ${MAX_ANSWER_BYTES} bytes`));
    } else chunks.push(chunk);
  });
  res.on('end', () => finish(undefined));
  res.on('error', (err) => finish(err));
  res.on('close', () => finish(new Error('answer cut short')));
}
