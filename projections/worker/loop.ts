/**
 * Runs the projector continuously: batches back to back while there is work, a short pause
 * when caught up, and a growing pause after a failure (the batch is simply redone).
 */
import type { Logger } from '../../src/logging.js';
import type { Projector } from './projector.js';

export interface WorkerLoop {
  /** Resolves once the loop has stopped after its current batch. */
  stop(): Promise<void>;
  /** Resolves when the projection has caught up with everything stored so far (for tests and the bench). */
  idle(): Promise<void>;
}

export function startWorkerLoop(projector: Projector, logger: Logger, options: { idleMs?: number; batchSize?: number } = {}): WorkerLoop {
  const idleMs = options.idleMs ?? 100;
  let stopping = false;
  let wake: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const done = (async () => {
    let failures = 0;
    while (!stopping) {
      try {
        const result = await projector.runBatch(options.batchSize);
        failures = 0;
        // The SQLite store answers synchronously, so awaiting it never yields to the event loop:
        // without this, catching up a backlog in-process would starve the HTTP server.
        await new Promise((resolve) => setImmediate(resolve));
        if (result.statements === 0 && result.employees === 0) {
          for (const resolve of idleWaiters) resolve();
          idleWaiters = [];
          await sleep(idleMs);
        }
      } catch (error) {
        failures += 1;
        logger.error({ err: error, failures }, 'projection batch failed; it will be retried');
        await sleep(Math.min(30_000, 500 * 2 ** (failures - 1)));
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await done;
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        wake?.();
      });
    },
  };
}
