/** Organizations, users, apps and suites, as storage keeps them. */
import type { App, DirectoryDocument, DirectoryUser, Org, OrgSso, Suite } from '../directory.js';

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
  /** One user of one organization, with `admin`. */
  findUser(corpId: string, unionId: string): Promise<DirectoryUser | undefined>;
  /** The organization's admin SSO settings; undefined = no SSO. */
  findSso(corpId: string): Promise<OrgSso | undefined>;
  /** userIds of the organization's administrators. */
  adminUserIds(corpId: string): Promise<string[]>;
  countOrgs(): Promise<number>;
  /** Creates and updates everything in the document in one transaction; deletes nothing. */
  apply(doc: DirectoryDocument): Promise<ImportSummary>;
}
