/** The marketplace API at /marketplace/v1: for now the profiles read side behind the LRS credential. */
import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { basicAuth } from '../../src/auth/basic-auth.js';
import type { CredentialStore } from '../../src/auth/credentials.js';
import type { ProjectionStore } from '../../src/storage/projection-port.js';
import { profileRoutes } from './routes.js';

export function marketplaceRouter(deps: { projections: ProjectionStore; credentials: CredentialStore }): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  router.use('*', basicAuth(deps.credentials));
  profileRoutes(router, deps.projections);
  return router;
}
