/**
 * The marketplace API at /marketplace/v1 (Basic or Bearer; scopes per route, src/auth/scopes.ts):
 * the profiles read side, filtered to the sections the caller's scopes allow, and badge write-back.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import type { ProjectionStore } from '../../src/storage/projection-port.js';
import { profileRoutes } from './routes.js';
import { badgeRoutes, type BadgeDeps } from './badges.js';

export interface MarketplaceDeps {
  projections: ProjectionStore;
  /** Basic-or-Bearer authentication (src/auth/authenticate.ts). */
  authenticate: MiddlewareHandler<AppEnv>;
  badges: BadgeDeps;
}

export function marketplaceRouter(deps: MarketplaceDeps): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  router.use('*', deps.authenticate);
  profileRoutes(router, deps.projections);
  badgeRoutes(router, deps.badges);
  return router;
}
