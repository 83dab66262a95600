/**
 * The projector and a commit refused as a conflict (projection-port.ts CommitOutcome): the batch
 * is read and folded again from the checkpoints, and after MAX_CONFLICT_ATTEMPTS refusals in a
 * row the projector gives up with a WriteContentionError (the worker loop retries it later).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/port.js';
import type { ProjectionStore } from '../../src/storage/projection-port.js';
import { WriteContentionError } from '../../src/storage/contention.js';
import { MAX_CONFLICT_ATTEMPTS, Projector } from '../../projections/worker/projector.js';
import { monotonicClock } from '../../src/clock.js';
import { employee, IDENTITY_RULES, openProjectionBench, type ProjectionBench } from './support.js';

const completed = (n: number) => ({
  actor: { objectType: 'Agent', mbox: 'mailto:e1@acme.example' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
  object: { objectType: 'Activity', id: `https://lms.acme.example/courses/c${n}` },
});

describe('projector: conflicts are redone from fresh reads', () => {
  let bench: ProjectionBench;
  beforeEach(async () => {
    bench = openProjectionBench();
    await bench.hire(employee('E1'));
  });
  afterEach(async () => bench.close());

  /** A projector over the bench's store whose commits go through `commit`. */
  function projectorWith(commit: (inner: ProjectionStore, batch: Parameters<ProjectionStore['commit']>[0]) => ReturnType<ProjectionStore['commit']>): Projector {
    const inner = bench.store.projections;
    const store: Store = { ...bench.store, projections: { ...inner, commit: (batch) => commit(inner, batch) } };
    return new Projector({ store, mapping: bench.mapping, identity: IDENTITY_RULES, now: monotonicClock() });
  }

  it('a batch another writer got ahead of is refused, then redone on top of what that writer committed', async () => {
    await bench.post([completed(1)]);
    let calls = 0;
    const outcomes: string[] = [];
    const racing = projectorWith(async (inner, batch) => {
      calls += 1;
      if (calls === 1) {
        // Between this projector's reads and its commit, another one folds a later statement too.
        await bench.post([completed(2)]);
        await bench.projector.runBatch();
      }
      const outcome = await inner.commit(batch);
      outcomes.push(outcome.kind);
      return outcome;
    });
    const result = await racing.runBatch();
    expect(outcomes).toEqual(['conflict', 'committed']);
    // The redone batch starts from the other writer's checkpoints: nothing was left to fold.
    expect(result).toEqual({ statements: 0, employees: 0, membersChanged: 0 });
    const stored = await bench.store.projections.member('E1');
    expect(Object.keys(stored?.state.activities ?? {}).sort()).toEqual(['https://lms.acme.example/courses/c1', 'https://lms.acme.example/courses/c2']);
  });

  it(`gives up with a WriteContentionError after ${MAX_CONFLICT_ATTEMPTS} conflicts in a row, having committed nothing`, async () => {
    await bench.post([completed(1)]);
    let calls = 0;
    const refused = projectorWith(async () => {
      calls += 1;
      return { kind: 'conflict', memberId: 'E1' };
    });
    await expect(refused.runBatch()).rejects.toBeInstanceOf(WriteContentionError);
    expect(calls).toBe(MAX_CONFLICT_ATTEMPTS);
    await expect(refused.rebuildAll()).rejects.toThrow(/rebuild conflicted/);
    expect(await bench.store.projections.checkpoint('statements')).toBe(0);
    expect(await bench.store.projections.member('E1')).toBeNull();
  });
});
