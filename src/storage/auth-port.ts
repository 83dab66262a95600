/**
 * The auth aggregate (src/auth/): registered OAuth2 clients, token families with their refresh
 * tokens, the access-token signing keys, and the audit log of the authorisation server.
 *
 * Secrets never reach the store in clear: a client secret is stored as an scrypt hash, a
 * refresh token as the SHA-256 of its (random, 256-bit) value, a signing key's private part as
 * the caller gives it (encrypted when OAUTH_KEY_SECRET is set, src/auth/oauth/keys.ts).
 * Every write that can race is a compare-and-set the adapter reports on, so no multi-document
 * transaction is needed (MongoDB).
 */

export interface ClientRecord {
  /** Public client id (`client_id`); also the `account.name` of its xAPI authority. */
  id: string;
  name: string;
  /** Scopes the client may be granted (src/auth/scopes.ts). */
  scopes: string[];
  /** `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>` (src/auth/secrets.ts). */
  secretHash: string;
  createdAt: string;
  /** Time of the last secret rotation; null until rotated. */
  rotatedAt: string | null;
}

export interface ClientStore {
  /** Adds a client; false when the id is taken (nothing written). */
  create(client: ClientRecord): Promise<boolean>;
  get(id: string): Promise<ClientRecord | null>;
  /** Every client, by id. */
  list(): Promise<ClientRecord[]>;
  /** Replaces the secret hash; false when there is no such client. */
  setSecret(id: string, secretHash: string, at: string): Promise<boolean>;
}

/** One grant: the chain of refresh tokens (and the access tokens issued with them) that began with one client_credentials request. */
export interface TokenFamily {
  id: string;
  clientId: string;
  scopes: string[];
  createdAt: string;
  /** Set when the family is revoked (RFC 7009 revocation, or reuse of a spent refresh token); its tokens are refused from then on. */
  revokedAt: string | null;
  revokedReason: string | null;
}

export interface RefreshTokenRecord {
  /** Lower-case hex SHA-256 of the opaque token. */
  hash: string;
  familyId: string;
  clientId: string;
  issuedAt: string;
  expiresAt: string;
  /** Set once the token was exchanged: presenting it again is reuse. */
  usedAt: string | null;
}

export interface SigningKeyRecord {
  /** JWK thumbprint (RFC 7638) of the public key; the `kid` of the tokens it signs. */
  kid: string;
  alg: 'ES256';
  /** The public JWK (published at /.well-known/jwks.json while the key can verify). */
  publicJwk: Record<string, unknown>;
  /** The private JWK as stored: JSON, or `enc:v1:…` when encrypted. Never logged. */
  privateKey: string;
  createdAt: string;
  /** When a newer key took over signing; the key still verifies tokens issued before that until they expire. */
  retiredAt: string | null;
}

export type OAuthAuditEvent =
  | 'client.created'
  | 'client.secret-rotated'
  | 'token.issued'
  | 'token.refreshed'
  | 'refresh.reuse-detected'
  | 'token.revoked'
  | 'key.created'
  | 'key.retired';

export interface OAuthAuditEntry {
  at: string;
  event: OAuthAuditEvent;
  clientId: string | null;
  familyId: string | null;
  /** What happened (scopes, jti, kid, reason…); never a secret, a token or a hash of one. */
  details: Record<string, unknown>;
}

export interface OAuthStore {
  insertFamily(family: TokenFamily): Promise<void>;
  family(id: string): Promise<TokenFamily | null>;
  /** Marks the family revoked unless it already is; true when this call revoked it. */
  revokeFamily(id: string, at: string, reason: string): Promise<boolean>;

  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  refreshToken(hash: string): Promise<RefreshTokenRecord | null>;
  /** Spends the token if it is unspent (compare-and-set); false when it was spent already, or is unknown. */
  spendRefreshToken(hash: string, at: string): Promise<boolean>;

  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  /** Every signing key, oldest first. */
  signingKeys(): Promise<SigningKeyRecord[]>;
  /** Sets retiredAt on a key not retired yet; false when it was (or does not exist). */
  retireSigningKey(kid: string, at: string): Promise<boolean>;

  appendAudit(entry: OAuthAuditEntry): Promise<void>;
  /** Audit entries, newest first. */
  audit(options: { clientId?: string; limit: number }): Promise<OAuthAuditEntry[]>;
}
