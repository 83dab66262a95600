/**
 * The scope vocabulary and how held scopes grant one (the table and the rules are in scopes.ts).
 * Apart from the middleware so that credentials can name scopes without importing HTTP.
 */

export const XAPI_SCOPES = ['statements/write', 'statements/read', 'statements/read/mine', 'state', 'define', 'profile', 'all/read', 'all'] as const;
export const MARKETPLACE_SCOPES = ['read:profile', 'read:completions', 'read:scores', 'read:badges', 'read:activity:aggregate', 'write:badge', 'admin'] as const;
export const SCOPES: readonly Scope[] = [...XAPI_SCOPES, ...MARKETPLACE_SCOPES];

export type XapiScope = (typeof XAPI_SCOPES)[number];
export type MarketplaceScope = (typeof MARKETPLACE_SCOPES)[number];
export type Scope = XapiScope | MarketplaceScope;

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** A space-separated scope list (RFC 6749 §3.3): the known scopes, and the unknown words. */
export function parseScopeList(text: string): { scopes: Scope[]; unknown: string[] } {
  const words = [...new Set(text.split(/\s+/).filter((w) => w !== ''))];
  return { scopes: words.filter(isScope), unknown: words.filter((w) => !isScope(w)) };
}

/** Whether scopes held grant `scope`: held directly, or through `all`. */
export function grants(held: readonly string[], scope: Scope): boolean {
  return held.includes('all') || held.includes(scope);
}

export function grantsAny(held: readonly string[], anyOf: readonly Scope[]): boolean {
  return anyOf.some((s) => grants(held, s));
}
