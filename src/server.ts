/** Composes the HTTP application from its features; dependencies are passed in, not imported. */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv, XapiVersion } from './http/app-env.js';
import { ApiError, respondWithError } from './http/errors.js';
import { requestLog } from './http/request-log.js';
import { bodyLimit } from './http/body.js';
import type { Logger } from './logging.js';
import type { Store } from './storage/port.js';
import type { CredentialStore } from './auth/credentials.js';
import type { Clock } from './clock.js';
import { xapiRouter } from '../lrs/router.js';
import { marketplaceRouter } from '../projections/marketplace-api/router.js';
import { hrisRouter } from '../projections/hris/routes.js';
import { NO_IDENTITY_CONFIG, type IdentityConfig } from '../projections/identity/keys.js';
import { authenticator } from './auth/authenticate.js';
import { requireScope } from './auth/scopes.js';
import { DEFAULT_OAUTH_SETTINGS, OAuthServer, type OAuthSettings } from './auth/oauth/server.js';
import { oauthRoutes } from './auth/oauth/routes.js';
import { dlqRouter } from '../projections/delivery/dlq-routes.js';
import { reconciliationRouter } from '../projections/reconcile/routes.js';
import { exportRouter } from '../lrs/transfer/routes.js';
import { openApiRoute } from './http/openapi.js';
import { erasureRouter } from '../projections/erasure/routes.js';
import { requestErasure } from '../projections/erasure/erase.js';
import type { Tombstone } from '../projections/erasure/tombstone.js';

export interface AppDeps {
  store: Store;
  credentials: CredentialStore;
  logger: Logger;
  clock: Clock;
  maxBodyBytes: number;
  maxPageSize: number;
  /** xAPI version stated to requests that name none (lrs/version.ts); 2.0.0 when not given. */
  xapiDefaultVersion?: XapiVersion;
  /** Identity rules and the HRIS event secret; absent: no domain aliases, no account home page, events disabled (503). */
  hris?: { identity: IdentityConfig; webhookSecret: string | undefined };
  /** Access-token issuer, lifetimes and key sealing (src/auth/oauth/server.ts); defaults when absent. */
  oauth?: OAuthSettings;
  /** Erased people (projections/erasure/tombstone.ts): their statements and HRIS rows are refused; without it, POST /admin/v1/erasures answers 503. */
  tombstone?: Tombstone;
}

export const XAPI_BASE = '/xapi';
export const HRIS_BASE = '/hris/v1';
export const MARKETPLACE_BASE = '/marketplace/v1';
export const ADMIN_BASE = '/admin/v1';

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestLog(deps.logger));
  app.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Experience-API-Version', 'If-Match', 'If-None-Match', 'Accept-Language'],
      exposeHeaders: ['ETag', 'Last-Modified', 'X-Experience-API-Version', 'X-Experience-API-Consistent-Through', 'X-Request-Id'],
      maxAge: 600,
    }),
  );
  app.use(
    '*',
    bodyLimit(deps.maxBodyBytes, () => {
      throw new ApiError(413, 'body-too-large', `The request body is larger than ${deps.maxBodyBytes} bytes.`);
    }),
  );
  app.onError((error, c) => respondWithError(c, error));
  app.notFound((c) => respondWithError(c, new ApiError(404, 'not-found', `No resource at ${c.req.method} ${c.req.path}.`)));

  // Authentication (Basic or Bearer) and authorisation (scopes): src/auth/.
  const oauth = new OAuthServer(deps.store.clients, deps.store.oauth, deps.clock, deps.oauth ?? DEFAULT_OAUTH_SETTINGS);
  const auth = authenticator({ credentials: deps.credentials, oauth });
  // Every admin endpoint, whichever feature mounts it, needs scope admin (or all).
  app.use(`${ADMIN_BASE}/*`, auth.middleware, requireScope(['admin'], 'The admin API'));
  oauthRoutes(app, oauth);

  app.route(
    XAPI_BASE,
    xapiRouter({
      store: deps.store,
      authenticate: auth.middleware,
      now: deps.clock,
      maxPageSize: deps.maxPageSize,
      basePath: XAPI_BASE,
      ...(deps.xapiDefaultVersion ? { defaultVersion: deps.xapiDefaultVersion } : {}),
      ...(deps.tombstone ? { erased: deps.tombstone } : {}),
    }),
  );
  const identity = deps.hris?.identity ?? NO_IDENTITY_CONFIG;
  const erasures = deps.tombstone ? { store: deps.store, tombstone: deps.tombstone, identity, now: deps.clock } : undefined;
  app.route(
    HRIS_BASE,
    hrisRouter({
      identity: deps.store.identity,
      authenticate: auth.middleware,
      identityConfig: identity,
      webhookSecret: deps.hris?.webhookSecret,
      now: deps.clock,
      ...(erasures ? { erasure: { erased: erasures.tombstone, erase: async (memberId: string, by: string) => (await requestErasure(erasures, memberId, by)).record } } : {}),
    }),
  );
  app.route(
    MARKETPLACE_BASE,
    marketplaceRouter({
      projections: deps.store.projections,
      authenticate: auth.middleware,
      badges: {
        statements: deps.store.statements,
        attachments: deps.store.attachments,
        activities: deps.store.activities,
        identity: deps.store.identity,
        hrisAccountHomePage: deps.hris?.identity.hrisAccountHomePage,
        now: deps.clock,
      },
    }),
  );
  app.route(ADMIN_BASE, dlqRouter({ delivery: deps.store.delivery }));
  app.route(ADMIN_BASE, reconciliationRouter({ reconciliations: deps.store.reconciliations }));
  app.route(ADMIN_BASE, exportRouter({ statements: deps.store.statements }));
  if (erasures) app.route(ADMIN_BASE, erasureRouter(erasures, ADMIN_BASE));
  else app.post(`${ADMIN_BASE}/erasures`, () => {
    throw new ApiError(503, 'erasures-disabled', 'This server was started without the erasure service.');
  });
  app.get('/health', (c) => c.json({ status: 'ok', store: deps.store.kind }));
  openApiRoute(app); // GET /openapi.json, no credentials
  return app;
}
