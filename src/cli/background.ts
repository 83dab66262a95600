/**
 * The background work of the LRS, on one store: the projection worker (statements → member
 * profiles) and the erasures it finishes, with MARKETPLACE_URL set the marketplace deliverer (and, with RECONCILE_INTERVAL_S,
 * scheduled reconciliation), and the store's checkpoints.
 * `lrs worker` runs it in its own process; `lrs serve` on a thread of its own
 * (background-thread.ts), so folding and pushing never hold the event loop that answers HTTP,
 * and use the second core.
 */
import { Worker } from 'node:worker_threads';
import { backoffDelay, type Backoff } from '../backoff.js';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import type { Store } from '../storage/port.js';
import { compiledScript } from '../project-files.js';
import { WORKER_RESOURCE_LIMITS } from '../worker-limits.js';
import { createProjector } from '../../projections/worker/runtime.js';
import { startWorkerLoop } from '../../projections/worker/loop.js';
import { startDeliveryFromConfig } from '../../projections/delivery/runtime.js';
import { startReconcileSchedule } from '../../projections/reconcile/runtime.js';
import { erasureDeps, resumeErasures } from '../../projections/erasure/runtime.js';
import { randomBytes } from 'node:crypto';

export interface BackgroundWork {
  /** Stops after the batch and the pushes in flight. */
  stop(): Promise<void>;
}

/** How often the background work checkpoints the store (Store.checkpoint). */
const CHECKPOINT_INTERVAL_MS = 500;

export async function startBackgroundWork(config: Config, store: Store, logger: Logger): Promise<BackgroundWork> {
  const projector = await createProjector(config, store, logger);
  const erasures = await erasureDeps(config, store, projector);
  const holder = `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
  const erasureLog = logger.child({ component: 'erasure' });
  const loop = startWorkerLoop(projector, logger, { afterBatch: () => resumeErasures(erasures, holder, erasureLog).then(() => undefined) });
  const delivery = startDeliveryFromConfig(config, store, logger);
  const reconciliation = startReconcileSchedule(config, store, logger);
  const checkpoints = setInterval(() => {
    store.checkpoint().catch((error: unknown) => logger.warn({ err: error }, 'store checkpoint failed; it is tried again'));
  }, CHECKPOINT_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(checkpoints);
      await Promise.all([loop.stop(), delivery?.stop(), reconciliation?.stop()]);
    },
  };
}

/** What the thread tells its parent: it runs, or it could not start (the message says why). */
export type BackgroundThreadMessage = { started: true } | { failed: string };

/** A started thread, and its exit. */
async function spawnThread(config: Config): Promise<{ worker: Worker; exited: Promise<number> }> {
  const worker = new Worker(compiledScript(import.meta.url, 'background-thread.js'), { workerData: config, resourceLimits: WORKER_RESOURCE_LIMITS });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const first = await new Promise<BackgroundThreadMessage>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    void exited.then((code) => reject(new Error(`the background thread exited (code ${code}) while starting`)));
  });
  if ('failed' in first) throw new Error(`the background thread could not start: ${first.failed}`);
  return { worker, exited };
}

/** After the thread stopped on its own, how long before it is started again: 1 s, then ×2 per failed start, at most a minute. */
const RESTART_BACKOFF: Backoff = { baseMs: 1_000, factor: 2, capMs: 60_000 };

/**
 * Runs the background work on a thread with its own store connection; resolves once it runs,
 * and rejects when it cannot start (a start-up error of the server). A thread that stops later
 * (an error nothing caught) is logged and started again; nothing is lost, since everything it
 * does starts from what is stored.
 */
export async function startBackgroundThread(config: Config, logger: Logger): Promise<BackgroundWork> {
  let stopping = false;
  let current = await spawnThread(config);
  /** Restarts tried since the thread last ran. */
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  const restart = () => {
    failures += 1;
    const delay = backoffDelay(failures, RESTART_BACKOFF);
    retry = setTimeout(() => {
      spawnThread(config).then(
        (next) => {
          current = next;
          failures = 0;
          watch(next);
          if (stopping) next.worker.postMessage('stop');
        },
        (error: unknown) => {
          logger.error({ err: error, delayMs: delay }, 'the background thread could not start again; trying later');
          if (!stopping) restart();
        },
      );
    }, delay);
  };

  const watch = (thread: { worker: Worker; exited: Promise<number> }) => {
    thread.worker.on('error', (error) => logger.error({ err: error }, 'the background thread failed'));
    void thread.exited.then((code) => {
      if (stopping) return;
      logger.error({ code }, 'the background thread stopped; it is started again');
      restart();
    });
  };
  watch(current);

  return {
    async stop() {
      stopping = true;
      clearTimeout(retry);
      current.worker.postMessage('stop');
      await current.exited;
    },
  };
}
