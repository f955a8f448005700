import type { Kysely, Selectable } from 'kysely';
import { prepareQuery } from './prepared.js';
import type { AccessTokensTable, Database } from './schema.js';
import type { TokenKind, TokenRecord, TokenRepository } from '../domain/ports/index.js';

export class SqlTokenRepository implements TokenRepository {
  /** Every authenticated call looks its token up: compiled once (prepared.ts), not built per call. */
  private readonly byHash;

  constructor(private readonly db: Kysely<Database>) {
    this.byHash = prepareQuery(db, 1, (tokenHash) => db.selectFrom('access_tokens').selectAll().where('token_hash', '=', tokenHash));
  }

  async insert(r: TokenRecord): Promise<void> {
    await this.db
      .insertInto('access_tokens')
      .values({
        token_hash: r.tokenHash,
        nonce: r.nonce,
        kind: r.kind,
        client_key: r.clientKey,
        corp_id: r.corpId,
        scopes: JSON.stringify(r.scopes),
        issued_at: r.issuedAt,
        expires_at: r.expiresAt,
      })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<TokenRecord | undefined> {
    const [row] = await this.byHash.execute(tokenHash);
    return row && toRecord(row);
  }

  async findLive(kind: TokenKind, clientKey: string, corpId: string, now: number): Promise<TokenRecord | undefined> {
    const row = await this.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('kind', '=', kind)
      .where('client_key', '=', clientKey)
      .where('corp_id', '=', corpId)
      .where('expires_at', '>', now)
      .orderBy('expires_at', 'desc')
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async extend(tokenHash: string, expiresAt: number): Promise<void> {
    await this.db.updateTable('access_tokens').set({ expires_at: expiresAt }).where('token_hash', '=', tokenHash).execute();
  }

  async purgeExpired(before: number): Promise<number> {
    const res = await this.db.deleteFrom('access_tokens').where('expires_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

function toRecord(row: Selectable<AccessTokensTable>): TokenRecord {
  return {
    tokenHash: row.token_hash,
    nonce: row.nonce,
    kind: row.kind as TokenKind,
    clientKey: row.client_key,
    corpId: row.corp_id,
    scopes: JSON.parse(row.scopes) as string[],
    issuedAt: Number(row.issued_at),
    expiresAt: Number(row.expires_at),
  };
}
