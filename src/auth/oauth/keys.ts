/**
 * Access-token signing keys (ES256), kept in the store so every process signs and verifies
 * with the same set. The newest key not retired signs; a rotation (explicit, `lrs keys rotate`,
 * or automatic once the signing key is older than KEY_MAX_AGE) adds a key and retires the
 * previous ones. A retired key keeps verifying, and stays published at /.well-known/jwks.json,
 * until the last token it signed has expired (retiredAt + access-token lifetime).
 *
 * Private keys are stored as JWK JSON, sealed with AES-256-GCM when OAUTH_KEY_SECRET is set;
 * they are never logged. The `kid` is the RFC 7638 thumbprint of the public key.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from 'jose';
import type { OAuthStore, SigningKeyRecord } from '../../storage/auth-port.js';
import { isSealed, seal, unseal } from '../secrets.js';

export const SIGNING_ALG = 'ES256';

export interface SigningKeySettings {
  /** Seconds an access token lives: how long a retired key keeps verifying. */
  accessTokenTtlSeconds: number;
  /** Seconds after which the signing key is replaced on its next use. */
  keyMaxAgeSeconds: number;
  /** Seals private keys at rest when set. */
  keySecret: string | undefined;
}

/** Re-read the stored set at most this often (another process may have rotated). */
const RELOAD_MS = 5_000;

export class SigningKeys {
  private cache: { at: number; records: SigningKeyRecord[] } | null = null;
  private readonly imported = new Map<string, KeyLike | Uint8Array>();

  constructor(
    private readonly store: OAuthStore,
    private readonly now: () => string,
    private readonly settings: SigningKeySettings,
  ) {}

  private async records(force = false): Promise<SigningKeyRecord[]> {
    const nowMs = Date.parse(this.now());
    if (force || !this.cache || nowMs - this.cache.at > RELOAD_MS || nowMs < this.cache.at) {
      this.cache = { at: nowMs, records: await this.store.signingKeys() };
    }
    return this.cache.records;
  }

  /** Keys that still verify: not retired, or retired less than one token lifetime ago. */
  private verifying(records: SigningKeyRecord[]): SigningKeyRecord[] {
    const nowMs = Date.parse(this.now());
    return records.filter((k) => k.retiredAt === null || Date.parse(k.retiredAt) + this.settings.accessTokenTtlSeconds * 1000 > nowMs);
  }

  private privateJwk(record: SigningKeyRecord): JWK {
    let text = record.privateKey;
    if (isSealed(text)) {
      if (this.settings.keySecret === undefined) throw new Error(`signing key ${record.kid} is sealed and OAUTH_KEY_SECRET is not set`);
      text = unseal(text, this.settings.keySecret);
    }
    return JSON.parse(text) as JWK;
  }

  /** Creates a key, makes it the signing key and retires the others. Returns its kid. */
  async rotate(): Promise<{ kid: string; retired: string[] }> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateText = JSON.stringify(await exportJWK(privateKey));
    const at = this.now();
    const previous = (await this.records(true)).filter((k) => k.retiredAt === null);
    await this.store.insertSigningKey({
      kid,
      alg: SIGNING_ALG,
      publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' },
      privateKey: this.settings.keySecret === undefined ? privateText : seal(privateText, this.settings.keySecret),
      createdAt: at,
      retiredAt: null,
    });
    await this.store.appendAudit({ at, event: 'key.created', clientId: null, familyId: null, details: { kid, alg: SIGNING_ALG } });
    const retired: string[] = [];
    for (const old of previous) {
      if (await this.store.retireSigningKey(old.kid, at)) {
        retired.push(old.kid);
        await this.store.appendAudit({ at, event: 'key.retired', clientId: null, familyId: null, details: { kid: old.kid, replaced_by: kid } });
      }
    }
    await this.records(true);
    return { kid, retired };
  }

  /** The key to sign with now (rotating first when there is none or it is too old). */
  async signingKey(): Promise<{ kid: string; key: KeyLike | Uint8Array }> {
    let current = (await this.records()).filter((k) => k.retiredAt === null).at(-1);
    const maxAgeMs = this.settings.keyMaxAgeSeconds * 1000;
    if (!current || Date.parse(current.createdAt) + maxAgeMs <= Date.parse(this.now())) {
      const { kid } = await this.rotate();
      current = (await this.records()).find((k) => k.kid === kid);
      if (!current) throw new Error('the new signing key was not stored');
    }
    const cacheKey = `private:${current.kid}`;
    let key = this.imported.get(cacheKey);
    if (!key) this.imported.set(cacheKey, (key = await importJWK(this.privateJwk(current), SIGNING_ALG)));
    return { kid: current.kid, key };
  }

  /** The public key for `kid` if it may verify now; null otherwise (unknown, or retired too long ago). */
  async verificationKey(kid: string): Promise<KeyLike | Uint8Array | null> {
    let record = this.verifying(await this.records()).find((k) => k.kid === kid);
    if (!record) record = this.verifying(await this.records(true)).find((k) => k.kid === kid);
    if (!record) return null;
    const cacheKey = `public:${kid}`;
    let key = this.imported.get(cacheKey);
    if (!key) this.imported.set(cacheKey, (key = await importJWK(record.publicJwk as unknown as JWK, SIGNING_ALG)));
    return key;
  }

  /** The JWK Set of the keys that may verify now. */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    return { keys: this.verifying(await this.records()).map((k) => k.publicJwk) };
  }

  /** Stored keys with their state, for the CLI (no private parts). */
  async describe(): Promise<{ kid: string; createdAt: string; retiredAt: string | null; verifies: boolean; sealed: boolean }[]> {
    const records = await this.records(true);
    const verifying = new Set(this.verifying(records).map((k) => k.kid));
    return records.map((k) => ({ kid: k.kid, createdAt: k.createdAt, retiredAt: k.retiredAt, verifies: verifying.has(k.kid), sealed: isSealed(k.privateKey) }));
  }
}
