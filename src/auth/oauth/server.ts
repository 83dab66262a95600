/**
 * The OAuth2 authorisation server's logic (RFC 6749 client_credentials and refresh_token
 * grants, RFC 7009 revocation) and the verification of its access tokens. HTTP lives in
 * routes.ts; the store and the clock are passed in.
 *
 * - A client_credentials grant starts a token *family*. It answers an access token and a
 *   refresh token (RFC 6749 §4.4.3 does not recommend one for this grant; we issue it so that
 *   clients renew without sending their secret again, and so that a leaked refresh token is
 *   detectable).
 * - Access tokens are ES256 JWTs (RFC 9068 shape: `typ: at+jwt`, `kid`), 15 minutes by default,
 *   carrying `client_id`, `scope`, `jti` and the family id `fid`.
 * - Refresh tokens are opaque (`lrs_rt_` + 256 random bits), stored as their SHA-256, and rotate
 *   on every use. Presenting a spent one is reuse: the whole family is revoked, so the thief and
 *   the client both lose access until the client authenticates again.
 * - Revoking either token revokes its family (RFC 7009 §2.1 allows revoking the grant);
 *   access tokens of a revoked family are refused on their next use.
 * Every issuance, refresh, reuse detection and revocation is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { ClientRecord, ClientStore, OAuthStore } from '../../storage/auth-port.js';
import { ApiError, OAuthError } from '../../http/errors.js';
import { CLIENT_HOMEPAGE, authorityFor, type Principal } from '../credentials.js';
import { parseScopeList, type Scope } from '../scopes.js';
import { randomToken, sha256Hex, verifySecret } from '../secrets.js';
import { SIGNING_ALG, SigningKeys } from './keys.js';

export interface OAuthSettings {
  /** `iss` of access tokens (OAUTH_ISSUER). */
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  keyMaxAgeSeconds: number;
  keySecret: string | undefined;
}

export const DEFAULT_OAUTH_SETTINGS: OAuthSettings = {
  issuer: 'urn:lrs',
  accessTokenTtlSeconds: 15 * 60,
  refreshTokenTtlSeconds: 14 * 24 * 3600,
  keyMaxAgeSeconds: 30 * 24 * 3600,
  keySecret: undefined,
};

export const ACCESS_TOKEN_AUDIENCE = 'lrs';
const REFRESH_PREFIX = 'lrs_rt_';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

function invalidToken(description: string): ApiError {
  return new ApiError(401, 'invalid_token', `The access token was refused: ${description}.`, undefined, {
    'WWW-Authenticate': `Bearer realm="lrs", error="invalid_token", error_description="${description}"`,
  });
}

/** Positive results of scrypt checks, keyed by the stored hash and the presented secret's digest: a rotation changes the hash, so it invalidates them. */
class VerifiedSecrets {
  private readonly seen = new Set<string>();
  async check(secret: string, stored: string): Promise<boolean> {
    const key = `${stored}\u0000${sha256Hex(secret)}`;
    if (this.seen.has(key)) return true;
    if (!(await verifySecret(secret, stored))) return false;
    if (this.seen.size >= 10_000) this.seen.clear();
    this.seen.add(key);
    return true;
  }
}

export class OAuthServer {
  readonly keys: SigningKeys;
  private readonly secrets = new VerifiedSecrets();

  constructor(
    private readonly clients: ClientStore,
    private readonly store: OAuthStore,
    private readonly now: () => string,
    readonly settings: OAuthSettings = DEFAULT_OAUTH_SETTINGS,
  ) {
    this.keys = new SigningKeys(store, now, settings);
  }

  /** The client with this id and secret, or null. */
  async authenticateClient(id: string, secret: string): Promise<ClientRecord | null> {
    const client = await this.clients.get(id);
    // Unknown ids cost as much as wrong secrets, so timing does not tell which ids exist.
    if (!client) {
      await verifySecret(secret, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      return null;
    }
    return (await this.secrets.check(secret, client.secretHash)) ? client : null;
  }

  /** The principal of a registered client authenticating with HTTP Basic (client id and secret). */
  async basicPrincipal(id: string, secret: string): Promise<Principal | null> {
    const client = await this.authenticateClient(id, secret);
    return client ? { key: client.id, scopes: client.scopes as Scope[], authority: authorityFor(client.id, CLIENT_HOMEPAGE), via: 'basic', clientId: client.id } : null;
  }

  /** RFC 6749 §3.3: the requested scopes, which must all be the client's; all of the client's when none are requested. */
  private grantedScopes(client: ClientRecord, allowed: readonly string[], requested: string | undefined): Scope[] {
    if (requested === undefined || requested.trim() === '') return allowed.filter((s) => client.scopes.includes(s)) as Scope[];
    const { scopes, unknown } = parseScopeList(requested);
    if (unknown.length > 0) throw new OAuthError(400, 'invalid_scope', `unknown scope: ${unknown.join(' ')}`);
    const beyond = scopes.filter((s) => !allowed.includes(s) || !client.scopes.includes(s));
    if (beyond.length > 0) throw new OAuthError(400, 'invalid_scope', `scope not granted to this client: ${beyond.join(' ')}`);
    return scopes;
  }

  private async issue(client: ClientRecord, familyId: string, scopes: Scope[]): Promise<TokenResponse & { jti: string; kid: string }> {
    const nowMs = Date.parse(this.now());
    const iat = Math.floor(nowMs / 1000);
    const jti = randomUUID();
    const { kid, key } = await this.keys.signingKey();
    const accessToken = await new SignJWT({ client_id: client.id, scope: scopes.join(' '), fid: familyId })
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
      .setIssuer(this.settings.issuer)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(client.id)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.settings.accessTokenTtlSeconds)
      .sign(key);
    const refreshToken = randomToken(32, REFRESH_PREFIX);
    await this.store.insertRefreshToken({
      hash: sha256Hex(refreshToken),
      familyId,
      clientId: client.id,
      issuedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(nowMs + this.settings.refreshTokenTtlSeconds * 1000).toISOString(),
      usedAt: null,
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.settings.accessTokenTtlSeconds, refresh_token: refreshToken, scope: scopes.join(' '), jti, kid };
  }

  async clientCredentials(client: ClientRecord, requestedScope: string | undefined): Promise<TokenResponse> {
    const scopes = this.grantedScopes(client, client.scopes, requestedScope);
    const at = this.now();
    const familyId = randomUUID();
    await this.store.insertFamily({ id: familyId, clientId: client.id, scopes, createdAt: at, revokedAt: null, revokedReason: null });
    const { jti, kid, ...response } = await this.issue(client, familyId, scopes);
    await this.store.appendAudit({ at, event: 'token.issued', clientId: client.id, familyId, details: { grant_type: 'client_credentials', scope: response.scope, jti, kid } });
    return response;
  }

  async refresh(client: ClientRecord, refreshToken: string, requestedScope: string | undefined): Promise<TokenResponse> {
    const hash = sha256Hex(refreshToken);
    const record = await this.store.refreshToken(hash);
    if (!record || record.clientId !== client.id) throw new OAuthError(400, 'invalid_grant', 'the refresh token is unknown or was issued to another client');
    const family = await this.store.family(record.familyId);
    if (!family || family.revokedAt !== null) throw new OAuthError(400, 'invalid_grant', 'the refresh token was revoked');
    const at = this.now();
    if (Date.parse(record.expiresAt) <= Date.parse(at)) throw new OAuthError(400, 'invalid_grant', 'the refresh token has expired');
    // The grant's scopes, narrowed to what the client still has; checked before the token is spent, so a bad request does not burn it.
    const scopes = this.grantedScopes(client, family.scopes, requestedScope);
    if (record.usedAt !== null || !(await this.store.spendRefreshToken(hash, at))) {
      await this.store.revokeFamily(family.id, at, 'refresh-token-reuse');
      await this.store.appendAudit({ at, event: 'refresh.reuse-detected', clientId: client.id, familyId: family.id, details: { first_used_at: record.usedAt, action: 'family revoked' } });
      throw new OAuthError(400, 'invalid_grant', 'the refresh token was already used; every token of its grant is revoked');
    }
    const { jti, kid, ...response } = await this.issue(client, family.id, scopes);
    await this.store.appendAudit({ at, event: 'token.refreshed', clientId: client.id, familyId: family.id, details: { grant_type: 'refresh_token', scope: response.scope, jti, kid } });
    return response;
  }

  /** RFC 7009: revokes the token's family. Unknown and malformed tokens are not an error (§2.2). */
  async revoke(client: ClientRecord, token: string, hint: string | undefined): Promise<void> {
    const at = this.now();
    let familyId: string | null = null;
    let owner: string | null = null;
    let type: 'refresh_token' | 'access_token' | null = null;
    if (token.startsWith(REFRESH_PREFIX)) {
      const record = await this.store.refreshToken(sha256Hex(token));
      if (record) [familyId, owner, type] = [record.familyId, record.clientId, 'refresh_token'];
    } else {
      const claims = await this.verifiedClaims(token, { ignoreExpiry: true }).catch(() => null);
      if (claims) [familyId, owner, type] = [claims.fid, claims.client_id, 'access_token'];
    }
    if (familyId === null || owner === null) return;
    if (owner !== client.id) throw new OAuthError(400, 'unauthorized_client', 'the token was issued to another client');
    if (await this.store.revokeFamily(familyId, at, 'revocation-request')) {
      await this.store.appendAudit({ at, event: 'token.revoked', clientId: client.id, familyId, details: { token_type: type, token_type_hint: hint ?? null } });
    }
  }

  private async verifiedClaims(token: string, options: { ignoreExpiry?: boolean } = {}): Promise<{ client_id: string; scope: string; fid: string; jti: string }> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw invalidToken('it is not a JWT');
    }
    if (kid === undefined) throw invalidToken('it names no signing key (kid)');
    const key = await this.keys.verificationKey(kid);
    if (!key) throw invalidToken('it is signed by a key this server does not know');
    try {
      const nowSeconds = Math.floor(Date.parse(this.now()) / 1000);
      const { payload } = await jwtVerify(token, key, {
        algorithms: [SIGNING_ALG],
        issuer: this.settings.issuer,
        audience: ACCESS_TOKEN_AUDIENCE,
        typ: 'at+jwt',
        // Past its expiry only when asked (revocation accepts expired tokens).
        currentDate: new Date((options.ignoreExpiry ? Math.min(nowSeconds, (decodeJwt(token).exp ?? nowSeconds) - 1) : nowSeconds) * 1000),
        requiredClaims: ['exp', 'jti', 'client_id', 'fid', 'scope'],
      });
      return payload as unknown as { client_id: string; scope: string; fid: string; jti: string };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw invalidToken('it has expired');
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw invalidToken('its signature does not verify');
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw invalidToken(`claim ${error.claim} is not valid`);
      throw invalidToken('it is malformed');
    }
  }

  /** The audit log, newest first. */
  audit(options: { clientId?: string; limit: number }) {
    return this.store.audit(options);
  }

  /** The principal of a Bearer access token; a 401 `invalid_token` ApiError when refused. */
  async verifyAccessToken(token: string): Promise<Principal> {
    const claims = await this.verifiedClaims(token);
    const family = await this.store.family(claims.fid);
    if (!family || family.revokedAt !== null) throw invalidToken('it has been revoked');
    const scopes = parseScopeList(claims.scope).scopes;
    return { key: claims.client_id, scopes, authority: authorityFor(claims.client_id, CLIENT_HOMEPAGE), via: 'bearer', clientId: claims.client_id };
  }
}
