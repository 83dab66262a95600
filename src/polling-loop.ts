/**
 * The one polling loop of the background work (the projection worker, the marketplace
 * deliverer): runs a step again and again, at once while it finds work, after an idle pause
 * when it finds none, and after a growing pause (backoffDelay) when it fails, the step simply
 * being redone. Everything the steps need is in the store, so the loop holds no state worth
 * keeping and a failure is only ever retried.
 */
import { DEFAULT_BACKOFF, backoffDelay, type Backoff } from './backoff.js';
import type { Logger } from './logging.js';

/**
 * What a step found: more work to do at once (`busy`), nothing to do (`idle`: it sleeps, and
 * whoever waits for idle is told), or nothing it can start now while earlier work is still
 * under way elsewhere (`wait`: it sleeps, but is not idle).
 */
export type StepResult = 'busy' | 'idle' | 'wait';

export interface PollingLoopOptions {
  step: () => Promise<StepResult>;
  /** Pause after a step that was not busy, ms. */
  idleMs: number;
  /** Pauses after failed steps in a row; default DEFAULT_BACKOFF (500 ms × 2, at most 30 s). */
  backoff?: Backoff;
  /** Where a failed step is logged, with `err` and the failures in a row. */
  logger: Logger;
  failureMessage: string;
}

export interface PollingLoop {
  /** Ends the current pause now; called during a step, the pause after it is skipped, so a signal is never lost. */
  wake(): void;
  /** Resolves after the next step that found nothing to do. */
  idle(): Promise<void>;
  /** Resolves once the step in progress, if any, has finished; no step runs after it. */
  stop(): Promise<void>;
}

export function startPollingLoop(options: PollingLoopOptions): PollingLoop {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let stopping = false;
  let woken = false;
  let endPause: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  const wake = () => {
    woken = true;
    endPause?.();
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping || woken) return resolve();
      const timer = setTimeout(resolve, ms);
      endPause = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      endPause = undefined;
    });

  const done = (async () => {
    let failures = 0;
    while (!stopping) {
      woken = false;
      try {
        const result = await options.step();
        failures = 0;
        if (result === 'busy') {
          // A store that answers synchronously (SQLite) never yields to the event loop while it is
          // awaited: without this, catching up a backlog in-process would starve the HTTP server.
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        if (result === 'idle') {
          for (const resolve of idleWaiters) resolve();
          idleWaiters = [];
        }
        await pause(options.idleMs);
      } catch (error) {
        failures += 1;
        options.logger.error({ err: error, failures }, options.failureMessage);
        await pause(backoffDelay(failures, backoff));
      }
    }
  })();

  return {
    wake,
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        wake();
      });
    },
    async stop() {
      stopping = true;
      endPause?.();
      await done;
    },
  };
}
