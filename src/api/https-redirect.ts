import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The plain-HTTP port of a vconf that serves HTTPS itself (--http-redirect-port): every request is
 * answered with a redirect to the same path and query over HTTPS, and nothing else is served. GET and
 * HEAD get 301 (browsers remember it); other methods 308, which keeps the method and body.
 *
 * `publicUrl` (an https:// --public-url) wins; otherwise the request's own host name is kept with the
 * HTTPS port, so a browser that typed http://meet.office.lan:80 lands on https://meet.office.lan.
 */
export function startHttpsRedirect(opts: { host: string; port: number; httpsPort: number; publicUrl: string | undefined }): Promise<Server> {
  const fixedBase = opts.publicUrl?.startsWith('https://') ? opts.publicUrl.replace(/\/+$/, '') : undefined;
  const fallbackHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const server = createServer((req, res) => {
    const path = req.url?.startsWith('/') ? req.url : '/';
    let base = fixedBase;
    if (!base) {
      // Only a plain host name or address from the Host header; anything else falls back to the listen address.
      const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/.exec(req.headers.host ?? '');
      const hostname = match?.[1] ?? fallbackHost;
      base = `https://${hostname}${opts.httpsPort === 443 ? '' : `:${opts.httpsPort}`}`;
    }
    const status = req.method === 'GET' || req.method === 'HEAD' ? 301 : 308;
    res.writeHead(status, { location: base + path, 'content-type': 'text/plain;charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(req.method === 'HEAD' ? undefined : `Moved to ${base + path}\n`);
    // Never read a request body: the answer does not depend on it.
    req.resume();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function serverPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
