/**
 * Credentials and the principal a request acts as: the Basic-auth credential seeded from
 * LRS_API_KEY / LRS_API_SECRET (scope `all`), registered clients (Basic with their client id
 * and secret, or Bearer tokens from /oauth/token): src/auth/authenticate.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Scope } from './scope-list.js';

export type { Scope } from './scope-list.js';

/** account.homePage of the authority of the seeded credential. */
export const CREDENTIAL_HOMEPAGE = 'urn:lrs:credential';
/** account.homePage of the authority of registered clients (account.name = client id). */
export const CLIENT_HOMEPAGE = 'urn:lrs:client';

export interface Principal {
  /** Credential key or client id. */
  key: string;
  scopes: Scope[];
  /** The xAPI authority written into statements this principal stores. */
  authority: Record<string, unknown>;
  /** How the request authenticated; decides the WWW-Authenticate challenge of a 401/403. */
  via: 'basic' | 'bearer';
  /** The registered client, when it is one. */
  clientId?: string;
}

export interface CredentialStore {
  verify(key: string, secret: string): Principal | null;
}

/** Hashing both sides first gives equal-length buffers, so the comparison leaks no length. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function authorityFor(key: string, homePage: string): Record<string, unknown> {
  return { objectType: 'Agent', name: key, account: { homePage, name: key } };
}

export function staticCredentials(entries: { key: string; secret: string; scopes: Scope[] }[], homePage: string): CredentialStore {
  return {
    verify(key, secret) {
      const entry = entries.find((e) => e.key === key);
      if (!entry || !sameSecret(entry.secret, secret)) return null;
      return { key, scopes: entry.scopes, authority: authorityFor(key, homePage), via: 'basic' };
    },
  };
}
