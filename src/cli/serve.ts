/** `lrs serve`: the HTTP server on the configured store, with the projection worker in-process. */
import { serve } from '@hono/node-server';
import type { Config } from '../config.js';
import { createLogger } from '../logging.js';
import { openStore } from '../storage/open.js';
import { createApp } from '../server.js';
import { staticCredentials } from '../auth/credentials.js';
import { seedCredential } from '../auth/seed.js';
import { monotonicClock } from '../clock.js';
import { identityConfig } from '../../projections/identity/settings.js';
import { createProjector } from '../../projections/worker/runtime.js';
import { startWorkerLoop } from '../../projections/worker/loop.js';
import { startDeliveryFromConfig } from '../../projections/delivery/runtime.js';

/** The account homePage of authorities derived from this LRS's own credentials. */
export const CREDENTIAL_HOMEPAGE = 'urn:lrs:credential';

/** Statements per projection batch when the worker shares the process with the HTTP server. */
const IN_PROCESS_BATCH_SIZE = 500;

export async function runServe(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  // Built before listening: a broken mapping file stops start-up instead of a half-working server.
  const projector = await createProjector(config, store, logger);
  const seed = seedCredential(config, logger);
  const credentials = staticCredentials(seed ? [{ ...seed, scopes: ['all'] }] : [], CREDENTIAL_HOMEPAGE);
  const app = createApp({
    store,
    credentials,
    logger,
    clock: monotonicClock(),
    maxBodyBytes: config.maxBodyBytes,
    maxPageSize: config.maxPageSize,
    xapiDefaultVersion: config.xapiDefaultVersion,
    hris: { identity: identityConfig(config), webhookSecret: config.hrisWebhookSecret },
    oauth: config.oauth,
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, (info) => {
    logger.info({ port: info.port, store: store.kind }, `xAPI LRS listening on http://localhost:${info.port}/xapi`);
  });
  // Smaller batches than a standalone worker's: each batch holds the event loop while it folds.
  const worker = startWorkerLoop(projector, logger, { batchSize: IN_PROCESS_BATCH_SIZE });
  // Marketplace push, when MARKETPLACE_URL is set (projections/delivery/).
  const delivery = startDeliveryFromConfig(config, store, logger);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      void Promise.all([worker.stop(), delivery?.stop()])
        .then(() => store.close())
        .then(() => process.exit(0));
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
