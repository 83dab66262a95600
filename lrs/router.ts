/** The xAPI endpoint: alternate request syntax, version handling, then /about (open), then authenticated resources. */
import { Hono, type MiddlewareHandler } from 'hono';
import type { ErasedActors } from './statements/write.js';
import type { AppEnv } from '../src/http/app-env.js';
import { xapiScopes } from '../src/auth/scopes.js';
import type { Store } from '../src/storage/port.js';
import { alternateSyntax } from './alternate-syntax.js';
import { xapiVersion, type XapiVersion } from './version.js';
import { aboutRoutes } from './about/routes.js';
import { statementRoutes } from './statements/routes.js';
import { documentRoutes } from './documents/routes.js';
import { activityRoutes } from './activities/routes.js';
import { agentRoutes } from './agents/routes.js';

export interface XapiDeps {
  store: Store;
  /** Basic-or-Bearer authentication (src/auth/authenticate.ts); xAPI scopes are enforced after it (src/auth/scopes.ts). */
  authenticate: MiddlewareHandler<AppEnv>;
  now: () => string;
  maxPageSize: number;
  basePath: string;
  /** The version of requests that name none (lrs/version.ts); 2.0.0 when not given. */
  defaultVersion?: XapiVersion;
  /** Erased people, whose statements are refused (statements/write.ts). */
  erased?: ErasedActors;
}

export function xapiRouter(deps: XapiDeps): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  router.use('*', alternateSyntax(router, deps.basePath)); // first: its form fields can carry the version and credentials
  router.use('*', xapiVersion(deps.defaultVersion ?? '2.0.0'));
  aboutRoutes(router);
  router.use('*', deps.authenticate, xapiScopes(deps.basePath));
  statementRoutes(router, {
    store: deps.store.statements,
    attachments: deps.store.attachments,
    activities: deps.store.activities,
    now: deps.now,
    maxPageSize: deps.maxPageSize,
    basePath: deps.basePath,
    ...(deps.erased ? { erased: deps.erased } : {}),
  });
  documentRoutes(router, { store: deps.store.documents, now: deps.now });
  activityRoutes(router, { activities: deps.store.activities });
  agentRoutes(router, { statements: deps.store.statements });
  return router;
}
