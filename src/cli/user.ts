import { parseArgs } from 'node:util';
import { ConfigError, resolveConfig } from '../config.js';
import { hashPassword } from '../domain/passwords.js';
import { SessionSigner } from '../domain/sessions.js';
import { SignInService } from '../domain/sign-in.js';
import { MemoryRateCounter } from '../store/memory-rate-counter.js';
import { openStore } from '../store/open-store.js';
import { SqlCredentialRepository } from '../store/user-auth-repo.js';

/** `vconf user password UNIONID`: reads the new password from stdin, prints the directory-file line. */
export async function userPassword(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true });
  const unionId = positionals[0];
  if (!unionId || positionals.length > 1) throw new ConfigError('usage: vconf user password UNIONID  (the password is read from stdin)');
  if (process.stdin.isTTY) process.stderr.write(`New password for ${unionId} (then Enter): `);
  const input = await readStdin();
  // Only the line break a terminal or `echo` adds is dropped; other spaces are part of the password.
  const password = input.replace(/\r?\n$/, '');
  if (password.length < 8) throw new ConfigError('the password must have at least 8 characters');
  process.stdout.write(`"passwordHash": "${hashPassword(password)}"\n`);
}

/** `vconf user link UNIONID`: a one-time sign-in link, valid for 15 minutes. */
export async function userLink(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, database: { type: 'string' }, 'public-url': { type: 'string' }, corp: { type: 'string' } },
    allowPositionals: true,
  });
  const unionId = positionals[0];
  if (!unionId || positionals.length > 1) throw new ConfigError('usage: vconf user link UNIONID [--corp CORPID] [--data DIR | --database URL] [--public-url URL]');
  const config = resolveConfig([
    ...(values.data ? ['--data', values.data] : []),
    ...(values.database ? ['--database', values.database] : []),
    ...(values['public-url'] ? ['--public-url', values['public-url']] : []),
  ]);
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const base = config.publicUrl ?? `http://${host}:${config.port}`;
  const store = await openStore(config);
  const { db } = store;
  try {
    // Link tokens are random and stored hashed, so no signing key is needed here.
    const service = new SignInService(new SqlCredentialRepository(db), new MemoryRateCounter(), new SessionSigner(Buffer.alloc(32)));
    const link = await service.createLink(unionId, values.corp).catch((err: Error) => {
      throw new ConfigError(err.message);
    });
    process.stdout.write(`${base}/signin?token=${link.token}\n`);
    process.stderr.write(`one-time sign-in link for ${link.user.name} (${link.user.corpId}), valid until ${new Date(link.expiresAt).toISOString()}\n`);
  } finally {
    await store.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
