/**
 * Secret material: generation, scrypt hashes of client secrets, SHA-256 digests of refresh
 * tokens, and AES-256-GCM sealing of private signing keys. Nothing here logs; callers must not
 * either (the logger never sees a secret, a token or a hash of one).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(secret: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** A random token of `bytes` bytes, base64url, optionally with a readable prefix (`lrs_rt_…`). */
export function randomToken(bytes: number, prefix = ''): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** `scrypt$N$r$p$salt$hash` (salt and hash base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Checks a secret against a hash from `hashSecret`, in constant time; false for a malformed hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const SEALED = 'enc:v1:';

/** AES-256-GCM under a key derived from `secret`; `enc:v1:<iv>.<tag>.<ciphertext>` (base64url). */
export function seal(plain: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', createHash('sha256').update(`lrs-signing-key:${secret}`).digest(), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${SEALED}${[iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.')}`;
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED);
}

/** Opens what `seal` produced; throws when the secret is wrong or the text was altered. */
export function unseal(sealed: string, secret: string): string {
  const [iv, tag, body] = sealed.slice(SEALED.length).split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new Error('malformed sealed value');
  const decipher = createDecipheriv('aes-256-gcm', createHash('sha256').update(`lrs-signing-key:${secret}`).digest(), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}
