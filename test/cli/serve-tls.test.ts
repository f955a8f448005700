/** `vconf serve --tls-cert/--tls-key` as a user runs it: HTTPS on --port, plain HTTP redirecting, bad files refused. */
import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { requires } from '../support/requirements.js';
import { makeTestPki } from '../support/tls.js';
import { runCli, startCli, tempDir } from './run-cli.js';

const ready = await requires(import.meta.url, 'tool:openssl');

describe.skipIf(!ready)('vconf serve with TLS', () => {
  it('serves HTTPS with the given certificate and says where plain HTTP redirects from', async () => {
    const pki = makeTestPki();
    const data = tempDir('vconf-serve-');
    const server = await startCli(['serve', '--data', data.dir, '--port', '0', '--http-redirect-port', '0'], { VCONF_TLS_CERT: pki.certFile, VCONF_TLS_KEY: pki.keyFile });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const status = await new Promise<number>((resolve, reject) => {
        request(`${server.url}/healthz`, { ca: pki.caPem }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
      const redirect = /plain HTTP on (http:\/\/\S+) redirects to HTTPS/.exec(server.stdout())?.[1];
      const res = await fetch(`${redirect}/join`, { redirect: 'manual' });
      expect([res.status, res.headers.get('location')]).toEqual([301, `${server.url}/join`]);
      // The demo banner's join examples use the https address too.
      expect(server.stdout()).not.toMatch(/http:\/\/127\.0\.0\.1:\d+\/v1\.0/);
    } finally {
      await server.stop();
      data.remove();
      pki.remove();
    }
  });

  it('refuses a key that does not belong to the certificate, or a missing file, with exit code 2', async () => {
    const [a, b] = [makeTestPki(), makeTestPki()];
    const data = tempDir('vconf-serve-');
    try {
      const mismatch = await runCli(['serve', '--data', data.dir, '--port', '0', '--tls-cert', a.certFile, '--tls-key', b.keyFile]);
      expect(mismatch.code).toBe(2);
      expect(mismatch.stderr).toMatch(/are not a usable pair/);
      const missing = await runCli(['serve', '--data', data.dir, '--port', '0', '--tls-cert', `${a.dir}/nope.pem`, '--tls-key', a.keyFile]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--tls-cert .*nope\.pem cannot be read: ENOENT/);
    } finally {
      data.remove();
      a.remove();
      b.remove();
    }
  });
});
