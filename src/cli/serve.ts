/** `lrs serve`: the HTTP server on the configured store, with the projection worker and marketplace push on a background thread. */
import { serve } from '@hono/node-server';
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { openStore } from '../storage/open.js';
import { createApp } from '../server.js';
import { CREDENTIAL_HOMEPAGE, staticCredentials } from '../auth/credentials.js';
import { seedCredential } from '../auth/seed.js';
import { monotonicClock } from '../clock.js';
import { identityConfig } from '../../projections/identity/settings.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { Tombstone } from '../../projections/erasure/tombstone.js';
import { startBackgroundThread } from './background.js';
import { limitHeapGrowth } from './heap.js';
import { processIo, refuseArguments, type CliIo } from './io.js';

export const SERVE_USAGE = 'usage: lrs serve   (configuration from the environment, see README)\n';

/** The exit code of a command whose work goes on after it returns (the server), see main.ts. */
export const KEEPS_RUNNING = -1;

export async function runServe(argv: string[], io: CliIo = processIo): Promise<number> {
  const refused = refuseArguments(io, 'lrs serve', argv, SERVE_USAGE);
  if (refused !== undefined) return refused;
  const config = loadConfig(io.env);
  limitHeapGrowth();
  const logger = createLogger(config.logLevel);
  // Checked before anything starts: a broken mapping file stops start-up instead of a half-working server.
  loadMapping(config.mappingsDir);
  const store = await openStore(config);
  // The projection worker and marketplace push (MARKETPLACE_URL), on a thread of their own.
  const background = await startBackgroundThread(config, logger);
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
    tombstone: await Tombstone.open(store.erasures, identityConfig(config)),
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, (info) => {
    logger.info({ port: info.port, store: store.kind }, `xAPI LRS listening on http://localhost:${info.port}/xapi`);
  });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      void background
        .stop()
        .then(() => store.close())
        .then(() => process.exit(0));
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return KEEPS_RUNNING;
}
