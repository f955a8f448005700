import type { Kysely, Selectable } from 'kysely';
import { prepareQuery } from './prepared.js';
import type { AccessTokensTable, Database } from './schema.js';
import type { GrantKind, GrantRecord, GrantRepository, TokenKind, TokenRecord, TokenRepository } from '../domain/ports/index.js';

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
        union_id: r.unionId ?? null,
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
    unionId: row.union_id ?? null,
  };
}

export class SqlGrantRepository implements GrantRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: GrantRecord): Promise<void> {
    await this.db
      .insertInto('oauth_grants')
      .values({
        grant_hash: r.grantHash,
        kind: r.kind,
        client_key: r.clientKey,
        corp_id: r.corpId,
        union_id: r.unionId,
        scopes: JSON.stringify(r.scopes),
        expires_at: r.expiresAt,
        used_at: null,
      })
      .execute();
  }

  async take(grantHash: string, kind: GrantKind, now: number): Promise<GrantRecord | undefined> {
    // One UPDATE decides: the same code presented twice at once wins once.
    const res = await this.db
      .updateTable('oauth_grants')
      .set({ used_at: now })
      .where('grant_hash', '=', grantHash)
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return undefined;
    const row = await this.db.selectFrom('oauth_grants').selectAll().where('grant_hash', '=', grantHash).executeTakeFirst();
    if (!row) return undefined;
    return {
      grantHash: row.grant_hash,
      kind: row.kind as GrantKind,
      clientKey: row.client_key,
      corpId: row.corp_id,
      unionId: row.union_id,
      scopes: JSON.parse(row.scopes) as string[],
      expiresAt: Number(row.expires_at),
    };
  }
}
