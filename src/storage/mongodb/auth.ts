/**
 * MongoDB adapter of the auth aggregate (src/storage/auth-port.ts). One document per record,
 * `_id` the natural key (client id, family id, refresh-token hash, kid); every racing write is
 * a single-document compare-and-set (`findOneAndUpdate` with the unset field in the filter), so
 * no transaction is needed. Audit entries take their `_id` from the `oauth_audit` counter, which
 * orders them.
 */
import type { ClientRecord, ClientStore, OAuthAuditEntry, OAuthStore, RefreshTokenRecord, SigningKeyRecord, TokenFamily } from '../auth-port.js';
import { COUNTERS, isDuplicateKeyError, type CollectionLike, type DbLike, type IndexDefinition } from './driver.js';

export const OAUTH_CLIENTS = 'oauth_clients';
export const OAUTH_FAMILIES = 'oauth_families';
export const OAUTH_REFRESH_TOKENS = 'oauth_refresh_tokens';
export const OAUTH_SIGNING_KEYS = 'oauth_signing_keys';
export const OAUTH_AUDIT = 'oauth_audit';
export const OAUTH_AUDIT_COUNTER = 'oauth_audit';

export const AUTH_INDEXES: Record<string, readonly IndexDefinition[]> = {
  [OAUTH_REFRESH_TOKENS]: [{ key: { familyId: 1 }, options: { name: 'family' } }],
  [OAUTH_AUDIT]: [{ key: { clientId: 1, _id: -1 }, options: { name: 'client_newest' } }],
};

export async function createAuthIndexes(db: DbLike): Promise<void> {
  for (const [collection, indexes] of Object.entries(AUTH_INDEXES)) {
    for (const index of indexes) await db.collection(collection).createIndex(index.key, index.options);
  }
}

type ClientDocument = Omit<ClientRecord, 'id'> & { _id: string };
type FamilyDocument = Omit<TokenFamily, 'id'> & { _id: string };
type RefreshDocument = Omit<RefreshTokenRecord, 'hash'> & { _id: string };
type KeyDocument = Omit<SigningKeyRecord, 'kid'> & { _id: string };
type AuditDocument = OAuthAuditEntry & { _id: number };

export function mongoClientStore(db: DbLike): ClientStore {
  const clients: CollectionLike<ClientDocument> = db.collection(OAUTH_CLIENTS);
  const fromDoc = ({ _id, ...rest }: ClientDocument): ClientRecord => ({ id: _id, ...rest });
  return {
    async create({ id, ...rest }) {
      try {
        await clients.insertMany([{ _id: id, ...rest }], { ordered: true });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },
    async get(id) {
      const doc = await clients.findOne({ _id: id });
      return doc ? fromDoc(doc) : null;
    },
    async list() {
      return (await clients.find({}).sort({ _id: 1 }).toArray()).map(fromDoc);
    },
    async setSecret(id, secretHash, at) {
      return (await clients.findOneAndUpdate({ _id: id }, { $set: { secretHash, rotatedAt: at } }, { upsert: false, returnDocument: 'after' })) !== null;
    },
  };
}

export function mongoOAuthStore(db: DbLike): OAuthStore {
  const families: CollectionLike<FamilyDocument> = db.collection(OAUTH_FAMILIES);
  const refresh: CollectionLike<RefreshDocument> = db.collection(OAUTH_REFRESH_TOKENS);
  const keys: CollectionLike<KeyDocument> = db.collection(OAUTH_SIGNING_KEYS);
  const audit: CollectionLike<AuditDocument> = db.collection(OAUTH_AUDIT);
  const counters: CollectionLike<{ _id: string; seq: number }> = db.collection(COUNTERS);
  return {
    async insertFamily({ id, ...rest }) {
      await families.insertMany([{ _id: id, ...rest }], { ordered: true });
    },
    async family(id) {
      const doc = await families.findOne({ _id: id });
      if (!doc) return null;
      const { _id, ...rest } = doc;
      return { id: _id, ...rest };
    },
    async revokeFamily(id, at, reason) {
      const filter = { _id: id, revokedAt: null };
      return (await families.findOneAndUpdate(filter, { $set: { revokedAt: at, revokedReason: reason } }, { upsert: false, returnDocument: 'after' })) !== null;
    },
    async insertRefreshToken({ hash, ...rest }) {
      await refresh.insertMany([{ _id: hash, ...rest }], { ordered: true });
    },
    async refreshToken(hash) {
      const doc = await refresh.findOne({ _id: hash });
      if (!doc) return null;
      const { _id, ...rest } = doc;
      return { hash: _id, ...rest };
    },
    async spendRefreshToken(hash, at) {
      return (await refresh.findOneAndUpdate({ _id: hash, usedAt: null }, { $set: { usedAt: at } }, { upsert: false, returnDocument: 'after' })) !== null;
    },
    async insertSigningKey({ kid, ...rest }) {
      await keys.insertMany([{ _id: kid, ...rest }], { ordered: true });
    },
    async signingKeys() {
      return (await keys.find({}).sort({ createdAt: 1, _id: 1 }).toArray()).map(({ _id, ...rest }) => ({ kid: _id, ...rest }));
    },
    async retireSigningKey(kid, at) {
      return (await keys.findOneAndUpdate({ _id: kid, retiredAt: null }, { $set: { retiredAt: at } }, { upsert: false, returnDocument: 'after' })) !== null;
    },
    async appendAudit(entry) {
      const counter = await counters.findOneAndUpdate({ _id: OAUTH_AUDIT_COUNTER }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
      await audit.insertMany([{ _id: (counter as { seq: number }).seq, ...entry }], { ordered: true });
    },
    async audit({ clientId, limit }) {
      const docs = await audit.find(clientId === undefined ? {} : { clientId }).sort({ _id: -1 }).limit(limit).toArray();
      return docs.map(({ _id, ...rest }) => rest);
    },
  };
}
