/** SQLite adapter of the auth aggregate (src/storage/auth-port.ts): clients, token families, refresh tokens, signing keys, audit. */
import type Database from 'better-sqlite3';
import type { ClientRecord, ClientStore, OAuthAuditEntry, OAuthStore, RefreshTokenRecord, SigningKeyRecord, TokenFamily } from '../auth-port.js';

interface ClientRow {
  id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_at: string;
  rotated_at: string | null;
}

const toClient = (r: ClientRow): ClientRecord => ({
  id: r.id,
  name: r.name,
  scopes: JSON.parse(r.scopes) as string[],
  secretHash: r.secret_hash,
  createdAt: r.created_at,
  rotatedAt: r.rotated_at,
});

export function sqliteClientStore(db: Database.Database): ClientStore {
  const insert = db.prepare('INSERT OR IGNORE INTO oauth_clients (id, name, scopes, secret_hash, created_at, rotated_at) VALUES (?, ?, ?, ?, ?, ?)');
  const byId = db.prepare<[string], ClientRow>('SELECT * FROM oauth_clients WHERE id = ?');
  const all = db.prepare<[], ClientRow>('SELECT * FROM oauth_clients ORDER BY id');
  const setSecret = db.prepare('UPDATE oauth_clients SET secret_hash = ?, rotated_at = ? WHERE id = ?');
  return {
    async create(c) {
      return insert.run(c.id, c.name, JSON.stringify(c.scopes), c.secretHash, c.createdAt, c.rotatedAt).changes === 1;
    },
    async get(id) {
      const row = byId.get(id);
      return row ? toClient(row) : null;
    },
    async list() {
      return all.all().map(toClient);
    },
    async setSecret(id, secretHash, at) {
      return setSecret.run(secretHash, at, id).changes === 1;
    },
  };
}

interface FamilyRow {
  id: string;
  client_id: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

interface RefreshRow {
  hash: string;
  family_id: string;
  client_id: string;
  issued_at: string;
  expires_at: string;
  used_at: string | null;
}

interface KeyRow {
  kid: string;
  alg: 'ES256';
  public_jwk: string;
  private_key: string;
  created_at: string;
  retired_at: string | null;
}

interface AuditRow {
  at: string;
  event: OAuthAuditEntry['event'];
  client_id: string | null;
  family_id: string | null;
  details: string;
}

export function sqliteOAuthStore(db: Database.Database): OAuthStore {
  const insertFamily = db.prepare('INSERT INTO oauth_families (id, client_id, scopes, created_at, revoked_at, revoked_reason) VALUES (?, ?, ?, ?, ?, ?)');
  const familyById = db.prepare<[string], FamilyRow>('SELECT * FROM oauth_families WHERE id = ?');
  const revokeFamily = db.prepare('UPDATE oauth_families SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL');
  const insertRefresh = db.prepare('INSERT INTO oauth_refresh_tokens (hash, family_id, client_id, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)');
  const refreshByHash = db.prepare<[string], RefreshRow>('SELECT * FROM oauth_refresh_tokens WHERE hash = ?');
  const spend = db.prepare('UPDATE oauth_refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL');
  const insertKey = db.prepare('INSERT INTO oauth_signing_keys (kid, alg, public_jwk, private_key, created_at, retired_at) VALUES (?, ?, ?, ?, ?, ?)');
  const keys = db.prepare<[], KeyRow>('SELECT * FROM oauth_signing_keys ORDER BY created_at, kid');
  const retire = db.prepare('UPDATE oauth_signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL');
  const insertAudit = db.prepare('INSERT INTO oauth_audit (at, event, client_id, family_id, details) VALUES (?, ?, ?, ?, ?)');
  const auditAll = db.prepare<[number], AuditRow>('SELECT * FROM oauth_audit ORDER BY id DESC LIMIT ?');
  const auditOfClient = db.prepare<[string, number], AuditRow>('SELECT * FROM oauth_audit WHERE client_id = ? ORDER BY id DESC LIMIT ?');
  const toAudit = (r: AuditRow): OAuthAuditEntry => ({ at: r.at, event: r.event, clientId: r.client_id, familyId: r.family_id, details: JSON.parse(r.details) as Record<string, unknown> });
  return {
    async insertFamily(f: TokenFamily) {
      insertFamily.run(f.id, f.clientId, JSON.stringify(f.scopes), f.createdAt, f.revokedAt, f.revokedReason);
    },
    async family(id) {
      const r = familyById.get(id);
      return r ? { id: r.id, clientId: r.client_id, scopes: JSON.parse(r.scopes) as string[], createdAt: r.created_at, revokedAt: r.revoked_at, revokedReason: r.revoked_reason } : null;
    },
    async revokeFamily(id, at, reason) {
      return revokeFamily.run(at, reason, id).changes === 1;
    },
    async insertRefreshToken(t: RefreshTokenRecord) {
      insertRefresh.run(t.hash, t.familyId, t.clientId, t.issuedAt, t.expiresAt, t.usedAt);
    },
    async refreshToken(hash) {
      const r = refreshByHash.get(hash);
      return r ? { hash: r.hash, familyId: r.family_id, clientId: r.client_id, issuedAt: r.issued_at, expiresAt: r.expires_at, usedAt: r.used_at } : null;
    },
    async spendRefreshToken(hash, at) {
      return spend.run(at, hash).changes === 1;
    },
    async insertSigningKey(k: SigningKeyRecord) {
      insertKey.run(k.kid, k.alg, JSON.stringify(k.publicJwk), k.privateKey, k.createdAt, k.retiredAt);
    },
    async signingKeys() {
      return keys.all().map((r) => ({ kid: r.kid, alg: r.alg, publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>, privateKey: r.private_key, createdAt: r.created_at, retiredAt: r.retired_at }));
    },
    async retireSigningKey(kid, at) {
      return retire.run(at, kid).changes === 1;
    },
    async appendAudit(e) {
      insertAudit.run(e.at, e.event, e.clientId, e.familyId, JSON.stringify(e.details));
    },
    async audit({ clientId, limit }) {
      return (clientId === undefined ? auditAll.all(limit) : auditOfClient.all(clientId, limit)).map(toAudit);
    },
  };
}

/** Migration 6 (src/storage/sqlite/migrations.ts): released schema, never edited; changes go in a new migration. */
export const AUTH_SCHEMA = `
  CREATE TABLE oauth_clients (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    rotated_at  TEXT
  ) WITHOUT ROWID;
  CREATE TABLE oauth_families (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    revoked_at     TEXT,
    revoked_reason TEXT
  ) WITHOUT ROWID;
  CREATE TABLE oauth_refresh_tokens (
    hash       TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    issued_at  TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
  ) WITHOUT ROWID;
  CREATE INDEX oauth_refresh_tokens_family ON oauth_refresh_tokens (family_id);
  CREATE TABLE oauth_signing_keys (
    kid         TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    public_jwk  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
  ) WITHOUT ROWID;
  CREATE TABLE oauth_audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    event     TEXT NOT NULL,
    client_id TEXT,
    family_id TEXT,
    details   TEXT NOT NULL
  );
  CREATE INDEX oauth_audit_client ON oauth_audit (client_id, id);
`;
