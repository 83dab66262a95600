/**
 * Runs the projector continuously (src/polling-loop.ts): batches back to back while there is
 * work, a short pause when caught up, and a growing pause after a failure (the batch is simply
 * redone).
 */
import type { Logger } from '../../src/logging.js';
import { startPollingLoop } from '../../src/polling-loop.js';
import type { Projector } from './projector.js';

export interface WorkerLoop {
  /** Resolves once the loop has stopped after its current batch. */
  stop(): Promise<void>;
  /** Resolves when the projection has caught up with everything stored so far (for tests and the bench). */
  idle(): Promise<void>;
}

/**
 * `afterBatch`: more work of the same process after each batch, on the same loop so it never
 * runs beside a batch of the same projector (the erasure runner, projections/erasure/runtime.ts).
 */
export function startWorkerLoop(projector: Projector, logger: Logger, options: { idleMs?: number; batchSize?: number; afterBatch?: () => Promise<void> } = {}): WorkerLoop {
  const loop = startPollingLoop({
    async step() {
      const result = await projector.runBatch(options.batchSize);
      await options.afterBatch?.();
      return result.statements === 0 && result.employees === 0 ? 'idle' : 'busy';
    },
    idleMs: options.idleMs ?? 100,
    logger,
    failureMessage: 'projection batch failed; it will be retried',
  });
  return { stop: loop.stop, idle: loop.idle };
}
