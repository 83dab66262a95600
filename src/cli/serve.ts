/** `lrs serve`: the HTTP server on the configured store (the projection worker joins it later). */
import { serve } from '@hono/node-server';
import type { Config } from '../config.js';
import { createLogger } from '../logging.js';
import { openStore } from '../storage/open.js';
import { createApp } from '../server.js';
import { staticCredentials } from '../auth/credentials.js';
import { seedCredential } from '../auth/seed.js';
import { monotonicClock } from '../clock.js';

/** The account homePage of authorities derived from this LRS's own credentials. */
export const CREDENTIAL_HOMEPAGE = 'urn:lrs:credential';

export async function runServe(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  const seed = seedCredential(config, logger);
  const credentials = staticCredentials(seed ? [{ ...seed, scopes: ['all'] }] : [], CREDENTIAL_HOMEPAGE);
  const app = createApp({
    store,
    credentials,
    logger,
    clock: monotonicClock(),
    maxBodyBytes: config.maxBodyBytes,
    maxPageSize: config.maxPageSize,
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, (info) => {
    logger.info({ port: info.port, store: store.kind }, `xAPI LRS listening on http://localhost:${info.port}/xapi`);
  });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      void store.close().then(() => process.exit(0));
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
