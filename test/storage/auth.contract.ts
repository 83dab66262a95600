/**
 * The storage contract for the auth aggregate (src/storage/auth-port.ts): ClientStore and
 * OAuthStore, shared by every backend (ARCHITECTURE.md §3). `open` returns a
 * fresh, empty store per test.
 */
import { describe, expect, it } from 'vitest';
import type { ClientRecord, RefreshTokenRecord, SigningKeyRecord, TokenFamily } from '../../src/storage/auth-port.js';
import type { Store } from '../../src/storage/port.js';
import { freshStoreEachTest } from './fresh-store.js';

const T1 = '2026-03-01T09:00:00.000Z';
const T2 = '2026-03-01T09:05:00.000Z';

const client = (id: string, overrides: Partial<ClientRecord> = {}): ClientRecord => ({
  id, name: `client ${id}`, scopes: ['statements/write', 'read:profile'], secretHash: `scrypt$hash-of-${id}`, createdAt: T1, rotatedAt: null, ...overrides,
});
const family = (id: string, overrides: Partial<TokenFamily> = {}): TokenFamily => ({
  id, clientId: 'c1', scopes: ['read:profile'], createdAt: T1, revokedAt: null, revokedReason: null, ...overrides,
});
const refresh = (hash: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  hash, familyId: 'f1', clientId: 'c1', issuedAt: T1, expiresAt: '2026-03-15T09:00:00.000Z', usedAt: null, ...overrides,
});
const key = (kid: string, createdAt: string): SigningKeyRecord => ({
  kid, alg: 'ES256', publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid }, privateKey: '{"d":"secret"}', createdAt, retiredAt: null,
});

export function describeAuthStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: auth store contract`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    it(`${name}: creates, reads and lists clients; a taken id is refused and changes nothing`, async () => {
      expect(await store.clients.create(client('c2'))).toBe(true);
      expect(await store.clients.create(client('c1'))).toBe(true);
      expect(await store.clients.create(client('c1', { name: 'impostor' }))).toBe(false);
      expect(await store.clients.get('c1')).toEqual(client('c1'));
      expect(await store.clients.get('nobody')).toBeNull();
      expect((await store.clients.list()).map((c) => c.id)).toEqual(['c1', 'c2']);
    });

    it(`${name}: rotating a secret replaces the hash and records the time; unknown clients are reported`, async () => {
      await store.clients.create(client('c1'));
      expect(await store.clients.setSecret('c1', 'scrypt$new', T2)).toBe(true);
      expect(await store.clients.get('c1')).toEqual(client('c1', { secretHash: 'scrypt$new', rotatedAt: T2 }));
      expect(await store.clients.setSecret('nobody', 'scrypt$x', T2)).toBe(false);
    });

    it(`${name}: a family is revoked once: the first revocation wins and keeps its reason`, async () => {
      await store.oauth.insertFamily(family('f1'));
      expect(await store.oauth.family('f1')).toEqual(family('f1'));
      expect(await store.oauth.revokeFamily('f1', T2, 'refresh-token-reuse')).toBe(true);
      expect(await store.oauth.revokeFamily('f1', '2026-03-02T00:00:00.000Z', 'revocation-request')).toBe(false);
      expect(await store.oauth.family('f1')).toEqual(family('f1', { revokedAt: T2, revokedReason: 'refresh-token-reuse' }));
      expect(await store.oauth.revokeFamily('nope', T2, 'x')).toBe(false);
      expect(await store.oauth.family('nope')).toBeNull();
    });

    it(`${name}: a refresh token is spent exactly once (compare-and-set)`, async () => {
      await store.oauth.insertRefreshToken(refresh('h1'));
      expect(await store.oauth.refreshToken('h1')).toEqual(refresh('h1'));
      const spent = await Promise.all([store.oauth.spendRefreshToken('h1', T2), store.oauth.spendRefreshToken('h1', T2)]);
      expect(spent.filter(Boolean)).toHaveLength(1);
      expect(await store.oauth.refreshToken('h1')).toEqual(refresh('h1', { usedAt: T2 }));
      expect(await store.oauth.spendRefreshToken('h1', T2)).toBe(false);
      expect(await store.oauth.spendRefreshToken('unknown', T2)).toBe(false);
      expect(await store.oauth.refreshToken('unknown')).toBeNull();
    });

    it(`${name}: signing keys come back oldest first; a key is retired once`, async () => {
      await store.oauth.insertSigningKey(key('k2', T2));
      await store.oauth.insertSigningKey(key('k1', T1));
      expect((await store.oauth.signingKeys()).map((k) => k.kid)).toEqual(['k1', 'k2']);
      expect(await store.oauth.retireSigningKey('k1', T2)).toBe(true);
      expect(await store.oauth.retireSigningKey('k1', T2)).toBe(false);
      expect((await store.oauth.signingKeys())[0]).toEqual({ ...key('k1', T1), retiredAt: T2 });
    });

    it(`${name}: the audit log answers newest first, by client, up to the limit`, async () => {
      await store.oauth.appendAudit({ at: T1, event: 'client.created', clientId: 'c1', familyId: null, details: { scopes: ['read:profile'] } });
      await store.oauth.appendAudit({ at: T1, event: 'token.issued', clientId: 'c1', familyId: 'f1', details: { jti: 'j1' } });
      await store.oauth.appendAudit({ at: T2, event: 'key.created', clientId: null, familyId: null, details: { kid: 'k1' } });
      await store.oauth.appendAudit({ at: T2, event: 'token.revoked', clientId: 'c1', familyId: 'f1', details: {} });
      expect((await store.oauth.audit({ limit: 10 })).map((e) => e.event)).toEqual(['token.revoked', 'key.created', 'token.issued', 'client.created']);
      expect(await store.oauth.audit({ clientId: 'c1', limit: 2 })).toEqual([
        { at: T2, event: 'token.revoked', clientId: 'c1', familyId: 'f1', details: {} },
        { at: T1, event: 'token.issued', clientId: 'c1', familyId: 'f1', details: { jti: 'j1' } },
      ]);
    });
  });
}
