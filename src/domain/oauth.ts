import type { DirectoryRepository, GrantRepository } from './ports/index.js';
import { Rejection } from './rejection.js';
import { hmacHex, randomToken, secretsEqual, sha256Hex } from './secrets.js';
import type { IssuedToken, Principal, TokenService } from './tokens.js';

/** An authorization code or admin SSO code is good for this long, once. */
export const CODE_LIFETIME_MS = 5 * 60_000;
/** A refresh token is good for this long, once (each use hands out a new one). */
export const REFRESH_LIFETIME_MS = 30 * 24 * 3600_000;
/** The user scopes DingTalk OAuth 2.0 grants; anything else asked for is left out. */
export const USER_SCOPES = ['openid', 'corpid'] as const;

/** A signed-in directory user (the session's claims). */
export interface SignedInUser {
  corpId: string;
  unionId: string;
}

export interface UserTokenRequest {
  clientId: string;
  clientSecret?: string | undefined;
  code?: string | undefined;
  refreshToken?: string | undefined;
  grantType?: string | undefined;
}

/**
 * The oauth2_1_0 operations beyond organization tokens (docs/sign-in.md): suite tokens and the
 * authorization info of a suite's organizations, JSAPI tickets, DingTalk OAuth 2.0 for users with
 * vconf's sign-in as the authorization endpoint, and admin single sign-on.
 */
export class OAuthService {
  private readonly now: () => number;

  constructor(
    private readonly tokens: TokenService,
    private readonly directory: DirectoryRepository,
    private readonly grants: GrantRepository,
    private readonly key: Buffer,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** GetAuthInfo: an organization that authorized the suite whose token this is. */
  async authInfo(principal: Principal, authCorpId: string) {
    need(principal, ['suiteAccess'], 'a suite access token (GetSuiteAccessToken)');
    const suite = await this.directory.findSuite(principal.clientKey);
    const org = await this.directory.findOrg(authCorpId);
    if (!suite || !org || !suite.authorizedCorpIds.includes(authCorpId)) throw new Rejection('notAuthorized');
    const admins = await this.directory.adminUserIds(authCorpId);
    const id = (s: string) => Number.parseInt(sha256Hex(s).slice(0, 8), 16);
    return {
      authCorpInfo: {
        corpName: org.name,
        authLevel: 0,
        authChannel: '',
        authChannelType: '',
        corpLogoUrl: '',
        industry: '',
        inviteCode: '',
        inviteUrl: '',
        licenseCode: '',
      },
      authAppInfo: { agentList: [{ agentId: id(`${suite.suiteKey}\n${authCorpId}`), agentName: suite.suiteKey, appId: id(suite.suiteKey), adminList: admins }] },
      authUserInfo: { userId: admins[0] ?? '' },
    };
  }

  /** CreateJsapiTicket: one ticket per organization token, valid as long as the token. */
  jsapiTicket(principal: Principal, token: string): { jsapiTicket: string; expireIn: number } {
    need(principal, ['app', 'suite', 'client'], 'an organization access token');
    return {
      jsapiTicket: hmacHex(this.key, `jsapi\n${sha256Hex(token)}`).slice(0, 48),
      expireIn: Math.max(0, Math.floor((principal.expiresAt - this.now()) / 1000)),
    };
  }

  /**
   * The authorization endpoint of DingTalk OAuth 2.0 for users: the signed-in user authorizes the
   * app of their organization; the code goes to `redirectUri`, which must start with one of the
   * app's redirectUris.
   */
  async authorize(appKey: string, redirectUri: string, scope: string, user: SignedInUser): Promise<string> {
    const app = await this.directory.findApp(appKey);
    if (!app || !redirectAllowed(redirectUri, app.redirectUris)) throw new Rejection('notAuthorized', 'unknown client_id or redirect_uri not registered');
    if (app.corpId !== user.corpId) throw new Rejection('orgForbidden', 'the app belongs to another organization');
    const scopes = USER_SCOPES.filter((s) => scope.split(/[\s,]+/).includes(s));
    return this.grant('code', app.appKey, user.corpId, user.unionId, scopes.length > 0 ? scopes : ['openid'], CODE_LIFETIME_MS);
  }

  /** Where /oauth2/auth may send a code: checked before the user is asked to sign in. */
  async checkClient(appKey: string, redirectUri: string): Promise<void> {
    const app = await this.directory.findApp(appKey);
    if (!app || !redirectAllowed(redirectUri, app.redirectUris)) throw new Rejection('notAuthorized', 'unknown client_id or redirect_uri not registered');
  }

  /** GetUserToken: an authorization code or a refresh token for a user access token and a new refresh token. */
  async userToken(req: UserTokenRequest): Promise<IssuedToken & { refreshToken: string; corpId: string }> {
    const app = await this.directory.findApp(req.clientId);
    if (!app || !secretsEqual(req.clientSecret ?? '', app.appSecret)) throw new Rejection('badCredentials');
    const grantType = req.grantType ?? (req.refreshToken ? 'refresh_token' : 'authorization_code');
    let kind: 'code' | 'refresh';
    let presented: string | undefined;
    if (grantType === 'authorization_code') [kind, presented] = ['code', req.code];
    else if (grantType === 'refresh_token') [kind, presented] = ['refresh', req.refreshToken];
    else throw new Rejection('unsupportedGrant');
    const g = presented ? await this.grants.take(sha256Hex(presented), kind, this.now()) : undefined;
    if (!g || g.clientKey !== app.appKey) throw new Rejection('badGrant', kind);
    if (!(await this.directory.findUser(g.corpId, g.unionId))) throw new Rejection('badGrant', kind);
    const issued = await this.tokens.issueOwn('user', app.appKey, g.corpId, g.scopes, g.unionId);
    const refreshToken = await this.grant('refresh', app.appKey, g.corpId, g.unionId, g.scopes, REFRESH_LIFETIME_MS);
    return { ...issued, refreshToken, corpId: g.corpId };
  }

  /** GetPersonalAuthRule: what the user granted the app, on a user access token. */
  personalAuthRule(principal: Principal): { result: Array<{ resource: string; authItems: string[] }> } {
    need(principal, ['user'], 'a user access token (GetUserToken)');
    return { result: [{ resource: principal.clientKey, authItems: [...principal.scopes] }] };
  }

  /** GetSsoAccessToken: the organization's SSO secret for a token that reads admin SSO codes. */
  async ssoToken(corpId: string, ssoSecret: string): Promise<IssuedToken> {
    const sso = await this.directory.findSso(corpId);
    if (!sso || !secretsEqual(ssoSecret, sso.secret)) throw new Rejection('badCredentials');
    return this.tokens.issueOwn('sso', corpId, corpId, []);
  }

  /** Admin SSO: a code for a signed-in administrator of `corpId`, sent to a registered redirect URI. */
  async ssoCode(corpId: string, redirectUri: string, user: SignedInUser | undefined): Promise<string | undefined> {
    const sso = await this.directory.findSso(corpId);
    if (!sso || !redirectAllowed(redirectUri, sso.redirectUris)) throw new Rejection('notAuthorized', 'no admin SSO for this organization or redirect_uri not registered');
    if (!user) return undefined;
    const person = user.corpId === corpId ? await this.directory.findUser(corpId, user.unionId) : undefined;
    if (!person?.admin) throw new Rejection('notAllowed', 'only administrators of the organization may sign in here');
    return this.grant('sso', corpId, corpId, user.unionId, [], CODE_LIFETIME_MS);
  }

  /** GetSsoUserInfo: the administrator behind an SSO code, on the organization's SSO token. */
  async ssoUserInfo(principal: Principal, code: string) {
    need(principal, ['sso'], 'an SSO access token (GetSsoAccessToken)');
    const g = await this.grants.take(sha256Hex(code), 'sso', this.now());
    if (!g || g.corpId !== principal.corpId) throw new Rejection('badGrant', 'sso');
    const [user, org] = await Promise.all([this.directory.findUser(g.corpId, g.unionId), this.directory.findOrg(g.corpId)]);
    if (!user || !org) throw new Rejection('badGrant', 'sso');
    return { avatar: '', corpId: org.corpId, corpName: org.name, email: '', isAdmin: user.admin === true, userId: user.userId, userName: user.name };
  }

  private async grant(kind: 'code' | 'refresh' | 'sso', clientKey: string, corpId: string, unionId: string, scopes: string[], lifetimeMs: number): Promise<string> {
    const secret = randomToken(24);
    await this.grants.insert({ grantHash: sha256Hex(secret), kind, clientKey, corpId, unionId, scopes, expiresAt: this.now() + lifetimeMs });
    return secret;
  }
}

function need(principal: Principal, kinds: Principal['kind'][], what: string): void {
  if (!kinds.includes(principal.kind)) throw new Rejection('wrongToken', what);
}

/** Whether `uri` is an http(s) URL starting with one of the registered prefixes. */
export function redirectAllowed(uri: string, prefixes: readonly string[] | undefined): boolean {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return (prefixes ?? []).some((p) => uri.startsWith(p));
}
