/**
 * A TCP load balancer on loopback, as a deployment puts in front of its instances (HAProxy,
 * nginx stream): each new connection goes to the next backend in turn; a backend that refuses
 * the connection is skipped. It records where each connection went, so a test can show that
 * participants entered through different instances.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Balancer {
  url: string;
  /** host:port, for the SDK's endpoint. */
  endpoint: string;
  /** The backend index of every connection so far, in order. */
  readonly routed: number[];
  /** The next connection goes to this backend (then round-robin again from there). */
  next(index: number): void;
  close(): Promise<void>;
}

/**
 * `preferred`: every connection tries that backend first and the others in order after it (a
 * client whose balancer keeps sending it to one instance while that instance lives).
 */
export async function startBalancer(backends: Array<{ port: number }>, preferred?: number): Promise<Balancer> {
  let turn = 0;
  const routed: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const first = preferred ?? turn;
    if (preferred === undefined) turn = (turn + 1) % backends.length;
    const tryBackend = (tries: number) => {
      const index = (first + tries) % backends.length;
      const upstream = connect({ host: '127.0.0.1', port: backends[index]!.port });
      sockets.add(upstream);
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        routed.push(index);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED' && !connected && tries + 1 < backends.length) {
          upstream.removeAllListeners('close');
          sockets.delete(upstream);
          tryBackend(tries + 1);
        } else client.destroy();
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    endpoint: `127.0.0.1:${port}`,
    routed,
    next(index) {
      turn = index % backends.length;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
