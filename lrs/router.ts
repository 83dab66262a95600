/** The xAPI endpoint: version handling, then /about (open), then authenticated resources. */
import { Hono } from 'hono';
import type { AppEnv } from '../src/http/app-env.js';
import { basicAuth } from '../src/auth/basic-auth.js';
import type { CredentialStore } from '../src/auth/credentials.js';
import type { Store } from '../src/storage/port.js';
import { xapiVersion } from './version.js';
import { aboutRoutes } from './about/routes.js';
import { statementRoutes } from './statements/routes.js';

export interface XapiDeps {
  store: Store;
  credentials: CredentialStore;
  now: () => string;
  maxPageSize: number;
  basePath: string;
}

export function xapiRouter(deps: XapiDeps): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  router.use('*', xapiVersion());
  aboutRoutes(router);
  router.use('*', basicAuth(deps.credentials));
  statementRoutes(router, {
    store: deps.store.statements,
    attachments: deps.store.attachments,
    now: deps.now,
    maxPageSize: deps.maxPageSize,
    basePath: deps.basePath,
  });
  return router;
}
