/** Organizations, users, apps and suites, as storage keeps them. */
import type { App, DirectoryDocument, DirectoryUser, Org, Suite } from '../directory.js';

export interface ImportSummary {
  orgs: number;
  users: number;
  apps: number;
  suites: number;
}

export interface DirectoryRepository {
  findOrg(corpId: string): Promise<Org | undefined>;
  /** Every directory user with one of these unionIds, in any organization. */
  findUsers(unionIds: readonly string[]): Promise<DirectoryUser[]>;
  findApp(appKey: string): Promise<App | undefined>;
  findSuite(suiteKey: string): Promise<Suite | undefined>;
  countOrgs(): Promise<number>;
  /** Creates and updates everything in the document in one transaction; deletes nothing. */
  apply(doc: DirectoryDocument): Promise<ImportSummary>;
}
