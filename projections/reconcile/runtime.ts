/**
 * Reconciliation from configuration: the marketplace it reads (MARKETPLACE_URL / _SECRET, the
 * delivery timeout), and the scheduled runs of `lrs worker` / `lrs serve` (RECONCILE_INTERVAL_S,
 * RECONCILE_FIX). A scheduled run that finds another run holding the lease skips its turn.
 */
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logging.js';
import type { Store } from '../../src/storage/port.js';
import { reconcile, type MarketplaceAccess } from './reconcile.js';

export function marketplaceAccess(config: Config): MarketplaceAccess | undefined {
  if (config.marketplaceUrl === undefined || config.marketplaceSecret === undefined) return undefined;
  return { url: config.marketplaceUrl, secret: config.marketplaceSecret, timeoutMs: config.delivery.timeoutMs };
}

export interface ReconcileSchedule {
  stop(): Promise<void>;
}

export function startReconcileSchedule(config: Config, store: Store, logger: Logger): ReconcileSchedule | undefined {
  const seconds = config.reconcile.intervalSeconds;
  const marketplace = marketplaceAccess(config);
  if (seconds === undefined) return undefined;
  if (marketplace === undefined) {
    logger.warn('RECONCILE_INTERVAL_S is set but MARKETPLACE_URL is not: no scheduled reconciliation');
    return undefined;
  }
  const log = logger.child({ component: 'reconcile' });
  log.info({ intervalSeconds: seconds, fix: config.reconcile.fix }, 'scheduled reconciliation running');
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const next = () => {
    if (!stopped) timer = setTimeout(run, seconds * 1000);
  };
  const run = () => {
    running = reconcile({ store, marketplace, logger }, { fix: config.reconcile.fix, trigger: 'schedule' })
      .then((result) => {
        if (result.kind === 'busy') log.info('another reconciliation holds the lease; this turn is skipped');
      })
      .catch((error: unknown) => log.error({ err: error }, 'scheduled reconciliation failed; it runs again at the next interval'))
      .finally(next);
  };
  next();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
