import type { Kysely } from 'kysely';
import type { Credentials } from '../domain/sign-in.js';
import type { Database } from './schema.js';
import type { CredentialRepository } from '../domain/ports/index.js';

export class SqlCredentialRepository implements CredentialRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(unionId: string, corpId?: string): Promise<Credentials[]> {
    let q = this.db.selectFrom('users').select(['corp_id', 'union_id', 'name', 'password_hash']).where('union_id', '=', unionId);
    if (corpId !== undefined) q = q.where('corp_id', '=', corpId);
    const rows = await q.orderBy('corp_id').execute();
    return rows.map((r) => ({ corpId: r.corp_id, unionId: r.union_id, name: r.name, passwordHash: r.password_hash }));
  }

  async insertLink(link: { tokenHash: string; corpId: string; unionId: string; expiresAt: number }): Promise<void> {
    await this.db
      .insertInto('signin_links')
      .values({ token_hash: link.tokenHash, corp_id: link.corpId, union_id: link.unionId, expires_at: link.expiresAt, used_at: null })
      .execute();
  }

  async consumeLink(tokenHash: string, now: number): Promise<{ corpId: string; unionId: string } | undefined> {
    // One UPDATE decides: two browsers racing with the same link cannot both win.
    const row = await this.db
      .updateTable('signin_links')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['corp_id', 'union_id'])
      .executeTakeFirst();
    return row && { corpId: row.corp_id, unionId: row.union_id };
  }
}
