import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from './logging.js';
import { startPollingLoop, type PollingLoop, type StepResult } from './polling-loop.js';

/** A step whose answers the test scripts, then finds nothing; `calls` counts the steps run. */
function scriptedStep(...answers: (StepResult | Error)[]) {
  const step = {
    calls: 0,
    async run(): Promise<StepResult> {
      step.calls += 1;
      const answer = answers.shift() ?? 'idle';
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return step;
}

/** A step whose first run lasts until the test ends it (finish or fail); later runs find nothing. */
function heldStep() {
  let first!: { resolve: (result: StepResult) => void; reject: (error: Error) => void };
  const step = {
    calls: 0,
    finish: (result: StepResult) => first.resolve(result),
    fail: (error: Error) => first.reject(error),
    run(): Promise<StepResult> {
      step.calls += 1;
      if (step.calls > 1) return Promise.resolve('idle');
      return new Promise<StepResult>((resolve, reject) => (first = { resolve, reject }));
    },
  };
  return step;
}

function fakeLogger() {
  const error = vi.fn();
  return { logger: { error } as unknown as Logger, error };
}

const IDLE_MS = 100;
let loop: PollingLoop | undefined;

function start(step: { run: () => Promise<StepResult> }, logger = fakeLogger().logger): PollingLoop {
  loop = startPollingLoop({ step: step.run, idleMs: IDLE_MS, logger, failureMessage: 'step failed; retrying' });
  return loop;
}

/** Lets the loop run what is due at the current fake time (its yields between steps included), without moving the clock. */
async function settle() {
  for (let turn = 0; turn < 20; turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(0);
  }
}

beforeEach(() => {
  // Only the pauses are faked: the loop's yield between busy steps (setImmediate) stays real, and settle() lets it pass.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(async () => {
  await loop?.stop();
  loop = undefined;
  vi.useRealTimers();
});

describe('polling loop: idle', () => {
  it('given a step that finds nothing, when it has run, then the next step waits for the idle interval', async () => {
    const step = scriptedStep();
    start(step);
    await settle();
    expect(step.calls).toBe(1);

    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(step.calls).toBe(1);

    await vi.advanceTimersByTimeAsync(1);
    expect(step.calls).toBe(2);
  });

  it('given a step that finds work, when it has run, then the next step runs at once', async () => {
    const step = scriptedStep('busy', 'busy', 'busy');
    start(step);
    await settle();
    expect(step.calls).toBe(4);
  });

  it('given a step that waits on work under way, when it has run, then it sleeps like idle but idle waiters are not told', async () => {
    const step = scriptedStep('wait', 'wait');
    const running = start(step);
    await settle();
    let idle = false;
    void running.idle().then(() => (idle = true));
    await settle();
    expect(step.calls).toBe(2); // idle() woke the first pause
    expect(idle).toBe(false);

    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(step.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(step.calls).toBe(3);
    expect(idle).toBe(true);
  });

  it('given work still to do, when idle() is awaited, then it resolves after the first step that found nothing', async () => {
    const step = scriptedStep('busy', 'busy');
    const running = start(step);
    let idle = false;
    void running.idle().then(() => (idle = true));
    await settle();
    expect(step.calls).toBe(3);
    expect(idle).toBe(true);
  });
});

describe('polling loop: wake', () => {
  it('given the loop sleeping after an idle step, when woken, then the next step runs at once', async () => {
    const step = scriptedStep();
    const running = start(step);
    await settle();
    expect(step.calls).toBe(1);

    running.wake();
    await settle();
    expect(step.calls).toBe(2);
  });

  it('given a step in progress, when woken, then the pause after that step is skipped', async () => {
    const step = heldStep();
    const running = start(step);
    await settle();
    running.wake();
    step.finish('idle');
    await settle();
    expect(step.calls).toBe(2);
  });
});

describe('polling loop: backoff', () => {
  it('given failing steps, when they fail in a row, then the pauses grow by backoffDelay and each failure is logged with its count', async () => {
    const { logger, error } = fakeLogger();
    const boom = new Error('store down');
    const step = scriptedStep(boom, boom, boom);
    start(step, logger);
    await settle();
    expect(step.calls).toBe(1);

    for (const [delay, calls] of [[500, 2], [1000, 3], [2000, 4]] as const) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(step.calls).toBe(calls - 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(step.calls).toBe(calls);
    }
    expect(error.mock.calls).toEqual([
      [{ err: boom, failures: 1 }, 'step failed; retrying'],
      [{ err: boom, failures: 2 }, 'step failed; retrying'],
      [{ err: boom, failures: 3 }, 'step failed; retrying'],
    ]);
  });

  it('given failures and then a success, when a step fails again, then the backoff starts over', async () => {
    const { logger, error } = fakeLogger();
    const boom = new Error('store down');
    const step = scriptedStep(boom, boom, 'idle', boom);
    start(step, logger);
    await settle();
    await vi.advanceTimersByTimeAsync(500 + 1000); // the two backoffs: the third step succeeds
    expect(step.calls).toBe(3);
    await vi.advanceTimersByTimeAsync(IDLE_MS); // the fourth fails
    expect(step.calls).toBe(4);
    expect(error.mock.calls.at(-1)?.[0]).toEqual({ err: boom, failures: 1 });

    await vi.advanceTimersByTimeAsync(499);
    expect(step.calls).toBe(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(step.calls).toBe(5);
  });

  it('given a backoff of its own, when a step fails, then that one is used', async () => {
    const step = scriptedStep(new Error('x'), new Error('x'));
    loop = startPollingLoop({ step: step.run, idleMs: IDLE_MS, backoff: { baseMs: 10, factor: 3, capMs: 20 }, logger: fakeLogger().logger, failureMessage: 'failed' });
    await settle();
    await vi.advanceTimersByTimeAsync(10);
    expect(step.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(19);
    expect(step.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(step.calls).toBe(3);
  });
});

describe('polling loop: stop', () => {
  it('given a step in progress, when stopped, then stop resolves once the step has finished and no further step runs', async () => {
    const step = heldStep();
    const running = start(step);
    await settle();
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stopped).toBe(false);

    step.finish('busy');
    await settle();
    expect(stopped).toBe(true);
    await stopping;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(step.calls).toBe(1);
  });

  it('given the loop pausing after a failure, when stopped, then it stops without waiting for the backoff', async () => {
    const step = scriptedStep(new Error('store down'));
    const running = start(step);
    await settle();
    let stopped = false;
    void running.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(true);
    expect(step.calls).toBe(1);
  });

  it('given a step in progress that fails, when stopped, then no backoff pause is waited for', async () => {
    const step = heldStep();
    const running = start(step);
    await settle();
    let stopped = false;
    void running.stop().then(() => (stopped = true));
    step.fail(new Error('store down'));
    await settle();
    expect(stopped).toBe(true);
    expect(step.calls).toBe(1);
  });
});
