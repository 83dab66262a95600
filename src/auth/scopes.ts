/**
 * Scopes: what a principal may do. `all` (the seeded Basic credential) passes every check.
 *
 * xAPI 1.0.3 (Communication 4.2) on /xapi, per resource and method:
 *
 * | resource                                   | GET / HEAD                                                   | PUT / POST / DELETE      |
 * |--------------------------------------------|--------------------------------------------------------------|--------------------------|
 * | /statements                                | statements/read, statements/read/mine (own authority only), all/read | statements/write |
 * | /activities/state                          | state, all/read                                              | state                    |
 * | /activities/profile, /agents/profile       | profile, all/read                                            | profile                  |
 * | /activities, /agents                       | all/read, statements/read, define                            | —                        |
 * | /about                                     | no credentials                                               | —                        |
 *
 * `define`: a statement write without `define` (or `all`) stores the statements but does not
 * update the LRS's canonical Activity definitions (Communication 4.2, "define").
 *
 * Marketplace API: `read:profile`, `read:completions`, `read:scores`, `read:badges` select
 * profile sections (PROFILE_SECTIONS); `write:badge` posts badges; `admin` is needed on
 * /admin/v1/** and /hris/v1/** (HRIS events excepted: their signature authenticates);
 * `read:activity:aggregate` is reserved for aggregate endpoints (none yet).
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import { ApiError } from '../http/errors.js';

export * from './scope-list.js';
import { grants, grantsAny, type Scope } from './scope-list.js';

/** The 403 naming the scopes that would have allowed the request. */
export function insufficientScope(anyOf: readonly Scope[], what: string, bearer: boolean): ApiError {
  const needed = anyOf.join(' ');
  const message = `${what} needs scope ${anyOf.length === 1 ? anyOf[0] : `one of: ${anyOf.join(', ')}`}; the credential does not have it.`;
  return new ApiError(
    403,
    'insufficient_scope',
    message,
    [{ path: 'scope', rule: 'insufficient_scope', message: `needs ${needed}` }],
    bearer ? { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${needed}"` } : undefined,
  );
}

/** Middleware: the authenticated principal must hold one of `anyOf` (or `all`). */
export function requireScope(anyOf: readonly Scope[], what = 'This request'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!grantsAny(principal.scopes, anyOf)) throw insufficientScope(anyOf, what, principal.via === 'bearer');
    await next();
  };
}

// ---------------------------------------------------------------------------------------------
// xAPI
// ---------------------------------------------------------------------------------------------

const READ = new Set(['GET', 'HEAD']);

/** The scopes that allow `method` on an xAPI resource path (relative to /xapi), any one of them. */
export function xapiScopesFor(method: string, resource: string): readonly Scope[] {
  const read = READ.has(method.toUpperCase());
  switch (resource.replace(/\/+$/, '')) {
    case '/statements':
      return read ? ['statements/read', 'statements/read/mine', 'all/read'] : ['statements/write'];
    case '/activities/state':
      return read ? ['state', 'all/read'] : ['state'];
    case '/activities/profile':
    case '/agents/profile':
      return read ? ['profile', 'all/read'] : ['profile'];
    case '/activities':
    case '/agents':
      return read ? ['all/read', 'statements/read', 'define'] : ['all'];
    default:
      return read ? ['all/read'] : ['all'];
  }
}

/** True when the principal may read only its own statements (it holds statements/read/mine and no wider read scope). */
export function readsOnlyOwnStatements(held: readonly string[]): boolean {
  return !grantsAny(held, ['statements/read', 'all/read']) && grants(held, 'statements/read/mine');
}

/**
 * Middleware for the xAPI router (after authentication): enforces the table above. Requests
 * arriving through the alternate request syntax are dispatched again as the ordinary request,
 * so they are checked under their real method.
 */
export function xapiScopes(basePath: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const resource = c.req.path.startsWith(basePath) ? c.req.path.slice(basePath.length) : c.req.path;
    const anyOf = xapiScopesFor(c.req.method, resource);
    const principal = c.get('principal');
    if (!grantsAny(principal.scopes, anyOf)) throw insufficientScope(anyOf, `${c.req.method} ${basePath}${resource}`, principal.via === 'bearer');
    await next();
  };
}

// ---------------------------------------------------------------------------------------------
// Marketplace profiles
// ---------------------------------------------------------------------------------------------

/** Profile fields every profile reader gets: identification and versioning, no personal data. */
export const PROFILE_ALWAYS = ['member_id', 'version', 'mapping_version', 'updated_at'] as const;

/** Which scope unlocks which profile fields (ARCHITECTURE.md §5 field names). */
export const PROFILE_SECTIONS: Readonly<Record<'read:profile' | 'read:completions' | 'read:scores' | 'read:badges', readonly string[]>> = {
  'read:profile': ['email', 'status', 'enrollments', 'certificates', 'skills'],
  'read:completions': ['completions'],
  'read:scores': ['scores'],
  'read:badges': ['badges'],
};

export const PROFILE_READ_SCOPES = Object.keys(PROFILE_SECTIONS) as (keyof typeof PROFILE_SECTIONS)[];

/** The profile with only the fields the scopes allow; sections not allowed are absent (not empty). */
export function filterProfile<T extends object>(profile: T, held: readonly string[]): Partial<T> {
  const allowed = new Set<string>(PROFILE_ALWAYS);
  for (const scope of PROFILE_READ_SCOPES) if (grants(held, scope)) for (const field of PROFILE_SECTIONS[scope]) allowed.add(field);
  if (held.includes('all')) return { ...profile };
  return Object.fromEntries(Object.entries(profile).filter(([k]) => allowed.has(k))) as Partial<T>;
}
