/** The insert decision (pure): given what is stored and a batch, what to write, or why not. */
import { describe, expect, it } from 'vitest';
import { decideInsert, idsToLookUp, type Comparison, type InsertCandidate, type InsertLookup, type StoredFacts } from './statement-insert.js';

const candidate = (id: string, keys: string[] = [], more: Partial<InsertCandidate<string>> = {}): InsertCandidate<string> => ({ id, refTarget: null, voiding: false, keys, ...more });
const voider = (id: string, target: string) => candidate(id, [`v:${id}`], { refTarget: target, voiding: true });
const ref = (id: string, target: string, keys: string[] = []) => candidate(id, keys, { refTarget: target });
const lookup = (stored: Record<string, StoredFacts<string>> = {}, voidedByStored: string[] = []): InsertLookup<string> => ({
  stored: new Map(Object.entries(stored)),
  voidedByStored: new Set(voidedByStored),
});
const always = (answer: boolean | undefined) => () => answer;

describe('decideInsert', () => {
  it('given new statements, then each is fresh with its own keys, in batch order', () => {
    const d = decideInsert([candidate('a', ['k1']), candidate('b', ['k2'])], lookup(), always(false));
    expect(d.kind).toBe('accepted');
    if (d.kind !== 'accepted') return;
    expect(d.fresh.map((f) => [f.index, [...f.keys], f.voided])).toEqual([
      [0, ['k1'], false],
      [1, ['k2'], false],
    ]);
    expect(d.slots).toEqual(d.fresh);
    expect(d.voidTargets).toEqual([]);
  });

  it('given a stored id, when the sent statement is equivalent, then its slot is the stored seq and nothing is written for it', () => {
    const asked: Comparison[] = [];
    const d = decideInsert([candidate('a'), candidate('b')], lookup({ a: { seq: 7, voiding: false, keys: [] } }), (c) => (asked.push(c), true));
    expect(asked).toEqual([{ index: 0, id: 'a', with: 'stored' }]);
    expect(d).toMatchObject({ kind: 'accepted', slots: [7, { index: 1 }] });
  });

  it('given a stored id, when the sent statement differs, then the batch is a conflict on that id', () => {
    expect(decideInsert([candidate('x'), candidate('a')], lookup({ a: { seq: 7, voiding: false, keys: [] } }), always(false))).toEqual({
      kind: 'rejected',
      outcome: { kind: 'conflict', id: 'a' },
    });
  });

  it('given the same id twice in the batch, then the second is compared with the first and shares its slot', () => {
    const asked: Comparison[] = [];
    const d = decideInsert([candidate('a'), candidate('b'), candidate('a')], lookup(), (c) => (asked.push(c), true));
    expect(asked).toEqual([{ index: 2, id: 'a', with: 0 }]);
    if (d.kind !== 'accepted') throw new Error(d.kind);
    expect(d.fresh).toHaveLength(2);
    expect(d.slots[2]).toBe(d.slots[0]);
  });

  it('given comparisons it cannot answer, then it asks for all of them, in batch order, and writes nothing', () => {
    const stored = lookup({ a: { seq: 1, voiding: false, keys: [] }, c: { seq: 3, voiding: false, keys: [] } });
    expect(decideInsert([candidate('a'), candidate('b'), candidate('c')], stored, always(undefined))).toEqual({
      kind: 'compare',
      comparisons: [
        { index: 0, id: 'a', with: 'stored' },
        { index: 2, id: 'c', with: 'stored' },
      ],
    });
  });

  it('given an unanswered comparison before a definite rejection, then it asks first (the comparison may be the conflict)', () => {
    const stored = lookup({ a: { seq: 1, voiding: false, keys: [] }, v1: { seq: 2, voiding: true, keys: [] } });
    const batch = [candidate('a'), voider('v2', 'v1'), candidate('z')];
    expect(decideInsert(batch, stored, always(undefined))).toEqual({ kind: 'compare', comparisons: [{ index: 0, id: 'a', with: 'stored' }] });
    expect(decideInsert(batch, stored, always(true))).toEqual({ kind: 'rejected', outcome: { kind: 'voids-voiding', id: 'v2', target: 'v1' } });
  });

  it('given a voiding statement whose target is voiding (stored or earlier in the batch), then the batch is rejected', () => {
    expect(decideInsert([voider('v2', 'v1')], lookup({ v1: { seq: 2, voiding: true, keys: [] } }), always(true))).toMatchObject({ outcome: { kind: 'voids-voiding' } });
    expect(decideInsert([candidate('t'), voider('v1', 't'), voider('v2', 'v1')], lookup(), always(true))).toEqual({
      kind: 'rejected',
      outcome: { kind: 'voids-voiding', id: 'v2', target: 'v1' },
    });
  });

  it('given voiding, then a target in the batch is written voided (either order) and one outside it is named for the adapter', () => {
    const d = decideInsert([voider('v1', 't1'), candidate('t1'), voider('v2', 'stored-t')], lookup({ 'stored-t': { seq: 1, voiding: false, keys: [] } }), always(true));
    if (d.kind !== 'accepted') throw new Error(d.kind);
    expect(d.fresh.map((f) => [f.index, f.voided])).toEqual([
      [0, false],
      [1, true],
      [2, false],
    ]);
    expect(d.voidTargets).toEqual(['stored-t']);
  });

  it('given a stored voiding statement of a new id, then that statement is written voided', () => {
    const d = decideInsert([candidate('late')], lookup({}, ['late']), always(true));
    expect(d).toMatchObject({ kind: 'accepted', fresh: [{ index: 0, voided: true }] });
  });

  it('given StatementRefs, then each inherits its target keys transitively, stored or in the batch, whatever the order', () => {
    const stored = lookup({ t: { seq: 1, voiding: false, keys: ['kt', 'kt0'] } });
    const d = decideInsert([ref('c', 'r', ['kc']), ref('r', 't', ['kr']), ref('x', 'missing', ['kx'])], stored, always(true));
    if (d.kind !== 'accepted') throw new Error(d.kind);
    const keys = d.fresh.map((f) => [...f.keys].sort());
    expect(keys).toEqual([
      ['kc', 'kr', 'kt', 'kt0'],
      ['kr', 'kt', 'kt0'],
      ['kx'],
    ]);
  });

  it('idsToLookUp: the batch ids, and those with the StatementRef targets, without repeats', () => {
    expect(idsToLookUp([candidate('a'), ref('b', 'a'), ref('c', 't'), candidate('a')])).toEqual({ ids: ['a', 'b', 'c'], withTargets: ['a', 'b', 'c', 't'] });
  });
});
