/** Starts the deliverer from configuration: only when MARKETPLACE_URL is set (push is disabled otherwise). */
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logging.js';
import type { Store } from '../../src/storage/port.js';
import { startDeliverer, type Deliverer } from './deliverer.js';

export function startDeliveryFromConfig(config: Config, store: Store, logger: Logger): Deliverer | undefined {
  if (config.marketplaceUrl === undefined || config.marketplaceSecret === undefined) {
    logger.info('MARKETPLACE_URL is not set: marketplace push is disabled');
    return undefined;
  }
  logger.info({ marketplace: config.marketplaceUrl, ...config.delivery }, 'marketplace push running');
  return startDeliverer(store.delivery, logger, { url: config.marketplaceUrl, secret: config.marketplaceSecret, ...config.delivery });
}
