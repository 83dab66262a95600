/**
 * The background work of the LRS: the projection worker (statements → member profiles),
 * with MARKETPLACE_URL set the marketplace deliverer, and the store's checkpoints, on one store. `lrs worker` runs it in its
 * own process; `lrs serve` on a thread of its own (background-thread.ts), so folding and pushing
 * never hold the event loop that answers HTTP, and use the second core.
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import type { Store } from '../storage/port.js';
import { compiledScript } from '../project-files.js';
import { WORKER_RESOURCE_LIMITS } from '../worker-limits.js';
import { createProjector } from '../../projections/worker/runtime.js';
import { startWorkerLoop } from '../../projections/worker/loop.js';
import { startDeliveryFromConfig } from '../../projections/delivery/runtime.js';

export interface BackgroundWork {
  /** Stops after the batch and the pushes in flight. */
  stop(): Promise<void>;
}

/** How often the background work checkpoints the store (Store.checkpoint). */
const CHECKPOINT_INTERVAL_MS = 500;

export async function startBackgroundWork(config: Config, store: Store, logger: Logger): Promise<BackgroundWork> {
  const loop = startWorkerLoop(await createProjector(config, store, logger), logger);
  const delivery = startDeliveryFromConfig(config, store, logger);
  const checkpoints = setInterval(() => {
    store.checkpoint().catch((error: unknown) => logger.warn({ err: error }, 'store checkpoint failed; it is tried again'));
  }, CHECKPOINT_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(checkpoints);
      await Promise.all([loop.stop(), delivery?.stop()]);
    },
  };
}

/** What the thread tells its parent: it runs, or it could not start (the message says why). */
export type BackgroundThreadMessage = { started: true } | { failed: string };

/** Runs the background work on a thread with its own store connection; resolves once it runs. */
export async function startBackgroundThread(config: Config): Promise<BackgroundWork> {
  const worker = new Worker(compiledScript(import.meta.url, 'background-thread.js'), { workerData: config, resourceLimits: WORKER_RESOURCE_LIMITS });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const first = await new Promise<BackgroundThreadMessage>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    void exited.then((code) => reject(new Error(`the background thread exited (code ${code}) while starting`)));
  });
  if ('failed' in first) throw new Error(`the background thread could not start: ${first.failed}`);
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
