/**
 * The profiles read API: GET /marketplace/v1/profiles/{member_id} and a cursor-paged list.
 * Needs one of read:profile, read:completions, read:scores, read:badges (or all); a profile
 * holds only the sections those scopes allow (src/auth/scopes.ts PROFILE_SECTIONS).
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { ApiError, invalidParameter } from '../../src/http/errors.js';
import type { ProjectionStore } from '../../src/storage/projection-port.js';
import { PROFILE_READ_SCOPES, filterProfile, requireScope } from '../../src/auth/scopes.js';
import { limitParam, queryParams } from '../../src/http/params.js';
import { profileOf } from '../fold/render.js';

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;

function encodeCursor(after: string): string {
  return Buffer.from(after, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (after === '' || encodeCursor(after) !== cursor) throw invalidParameter('cursor', 'valid-cursor', 'cursor is not one this API issued');
  return after;
}

export function profileRoutes(router: Hono<AppEnv>, projections: ProjectionStore): void {
  const canRead = requireScope(PROFILE_READ_SCOPES, 'Reading profiles');

  router.get('/profiles/:memberId', canRead, async (c) => {
    const stored = await projections.profile(c.req.param('memberId'));
    if (!stored) throw new ApiError(404, 'not-found', `No profile for member ${c.req.param('memberId')}.`);
    return c.json(filterProfile(profileOf(stored), c.get('principal').scopes));
  });

  router.get('/profiles', canRead, async (c) => {
    const params = queryParams(c.req.url, ['cursor', 'limit', 'updated_since']);
    const limit = limitParam(params, MAX_LIMIT, DEFAULT_LIMIT);
    const since = params.get('updated_since');
    let updatedSince: string | undefined;
    if (since !== null) {
      const ms = Date.parse(since);
      if (!/^\d{4}-\d\d-\d\dT/.test(since) || Number.isNaN(ms)) throw invalidParameter('updated_since', 'iso8601-timestamp', 'updated_since must be an ISO 8601 timestamp');
      updatedSince = new Date(ms).toISOString();
    }
    const cursor = params.get('cursor');
    const page = await projections.profiles({ after: cursor === null ? undefined : decodeCursor(cursor), limit, updatedSince });
    const scopes = c.get('principal').scopes;
    return c.json({ profiles: page.profiles.map((p) => filterProfile(profileOf(p), scopes)), next_cursor: page.next === null ? null : encodeCursor(page.next) });
  });
}
