/** `vconf serve --tls-cert/--tls-key` as a user runs it: HTTPS on --port, plain HTTP redirecting, bad files refused. */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
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

  it('serves a renewed certificate after SIGHUP, and keeps the old one when the new files are no pair', async () => {
    const [old, renewed] = [makeTestPki(), makeTestPki()];
    const data = tempDir('vconf-serve-');
    // The files vconf was started with, overwritten in place as a renewal does.
    const certFile = join(data.dir, 'cert.pem');
    const keyFile = join(data.dir, 'key.pem');
    copyFileSync(old.certFile, certFile);
    copyFileSync(old.keyFile, keyFile);
    const server = await startCli(['serve', '--data', data.dir, '--port', '0', '--tls-cert', certFile, '--tls-key', keyFile]);
    const { port } = new URL(server.url);
    const issuer = () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }, () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.end();
        });
        socket.on('error', reject);
      });
    const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;
    try {
      expect(await issuer()).toBe(fingerprint(old.certFile));
      copyFileSync(renewed.keyFile, keyFile);
      server.proc.kill('SIGHUP');
      // Only the key is new: not a pair, so the old certificate stays and vconf keeps running.
      await new Promise((r) => setTimeout(r, 500));
      expect(await issuer()).toBe(fingerprint(old.certFile));
      copyFileSync(renewed.certFile, certFile);
      server.proc.kill('SIGHUP');
      const deadline = Date.now() + 5000;
      while ((await issuer()) !== fingerprint(renewed.certFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await issuer()).toBe(fingerprint(renewed.certFile));
      expect(server.proc.exitCode).toBeNull();
    } finally {
      await server.stop();
      data.remove();
      old.remove();
      renewed.remove();
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
