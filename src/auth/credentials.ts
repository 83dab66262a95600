/**
 * Credentials and the principal a request acts as. For now one Basic-auth credential seeded
 * from LRS_API_KEY / LRS_API_SECRET with scope `all`; OAuth2 clients come with the delivery work.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Scope = 'all' | 'all/read' | 'statements/write' | 'statements/read' | 'statements/read/mine' | 'state' | 'define' | 'profile';

export interface Principal {
  key: string;
  scopes: Scope[];
  /** The xAPI authority written into statements this principal stores. */
  authority: Record<string, unknown>;
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
      return { key, scopes: entry.scopes, authority: authorityFor(key, homePage) };
    },
  };
}
