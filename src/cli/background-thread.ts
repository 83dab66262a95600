/**
 * The thread `lrs serve` runs its background work on (background.ts): opens its own store on
 * the configuration it is given, runs until its parent posts 'stop', then closes the store.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { createLogger } from '../logging.js';
import { openStore } from '../storage/open.js';
import { startBackgroundWork, type BackgroundThreadMessage } from './background.js';

const port = parentPort;
if (port === null) throw new Error('background-thread.js runs as a worker thread (background.ts starts it)');
const config = workerData as Config;
const logger = createLogger(config.logLevel);

try {
  const store = await openStore(config);
  const work = await startBackgroundWork(config, store, logger);
  port.once('message', () => {
    void work
      .stop()
      .then(() => store.close())
      .then(() => port.close());
  });
  port.postMessage({ started: true } satisfies BackgroundThreadMessage);
} catch (error) {
  port.postMessage({ failed: (error as Error).message } satisfies BackgroundThreadMessage);
}
