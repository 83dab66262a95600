/**
 * The MongoDB statement store's pure documents (filters, sorts, updates, index definitions) and
 * how the driver's duplicate-key errors are read. Where a document's meaning matters (not only
 * its shape), it is evaluated with mingo, an in-process implementation of MongoDB's query language.
 */
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import {
  STATEMENT_INDEXES,
  addKeysUpdate,
  getFilter,
  lookupFilter,
  markVoidedUpdate,
  orderKeysBySelectivity,
  queryFilter,
  referrersFilter,
  reservedSeqs,
  seqReservation,
  sortFor,
  toDocument,
  toRecord,
} from '../../src/storage/mongodb/statement-documents.js';
import { isDuplicateKeyError } from '../../src/storage/mongodb/driver.js';
import type { StatementQuery } from '../../src/storage/port.js';
import { recordFields, statement, voiding } from './statements.contract.js';

const q = (over: Partial<StatementQuery> = {}): StatementQuery => ({ keys: [], ascending: false, limit: 10, ...over });
const matches = (filter: Record<string, unknown>, doc: Record<string, unknown>) => new Query(filter).test(doc);

describe('MongoDB statement documents: indexes', () => {
  it('defines the unique id, multikey keys+seq, partial refTarget and stored indexes', () => {
    expect(STATEMENT_INDEXES).toEqual([
      { key: { id: 1 }, options: { name: 'id_unique', unique: true } },
      { key: { keys: 1, _id: -1 }, options: { name: 'keys_seq' } },
      { key: { refTarget: 1 }, options: { name: 'ref_target', partialFilterExpression: { refTarget: { $exists: true } } } },
      { key: { stored: 1 }, options: { name: 'stored' } },
    ]);
  });

  it('the referrer filter implies the partial index filter (so the index can serve it)', () => {
    expect(referrersFilter(['a', 'b'])).toEqual({ refTarget: { $in: ['a', 'b'], $exists: true } });
  });
});

describe('MongoDB statement documents: queryFilter and sortFor', () => {
  it('without keys or bounds: only non-voided statements', () => {
    expect(queryFilter(q())).toEqual({ voided: false });
  });

  it('keys become one $all, most selective kind first (the index bounds the scan on the first)', () => {
    expect(queryFilter(q({ keys: ['verb:v', 'activity:x', 'agent:mbox:a', 'registration:r'] }))).toEqual({
      keys: { $all: ['registration:r', 'agent:mbox:a', 'activity:x', 'verb:v'] },
      voided: false,
    });
    expect(orderKeysBySelectivity(['verb:v', 'verb:v', 'ractivity:y', 'ragent:z'])).toEqual(['ragent:z', 'ractivity:y', 'verb:v']);
  });

  it('omits $all when there are no keys, because MongoDB matches nothing with $all: []', () => {
    expect(matches({ keys: { $all: [] } }, { keys: ['a'] })).toBe(false);
    expect(matches(queryFilter(q()), { keys: ['a'], voided: false })).toBe(true);
  });

  it('since is exclusive and until inclusive on stored', () => {
    const filter = queryFilter(q({ since: '2024-01-01T00:00:00.000Z', until: '2024-01-02T00:00:00.000Z' }));
    expect(filter).toEqual({ voided: false, stored: { $gt: '2024-01-01T00:00:00.000Z', $lte: '2024-01-02T00:00:00.000Z' } });
    expect(matches(filter, { voided: false, stored: '2024-01-01T00:00:00.000Z' })).toBe(false);
    expect(matches(filter, { voided: false, stored: '2024-01-01T00:00:00.001Z' })).toBe(true);
    expect(matches(filter, { voided: false, stored: '2024-01-02T00:00:00.000Z' })).toBe(true);
    expect(matches(filter, { voided: false, stored: '2024-01-02T00:00:00.001Z' })).toBe(false);
  });

  it('afterSeq bounds _id below when descending and above when ascending; maxSeq caps it', () => {
    expect(queryFilter(q({ afterSeq: 7 }))._id).toEqual({ $lt: 7 });
    expect(queryFilter(q({ afterSeq: 7, ascending: true }))._id).toEqual({ $gt: 7 });
    expect(queryFilter(q({ maxSeq: 9 }))._id).toEqual({ $lte: 9 });
    const both = queryFilter(q({ afterSeq: 3, maxSeq: 9, ascending: true, keys: ['agent:x'] }));
    expect(both).toEqual({ keys: { $all: ['agent:x'] }, voided: false, _id: { $gt: 3, $lte: 9 } });
    expect([3, 4, 9, 10].filter((seq) => matches(both, { _id: seq, keys: ['agent:x', 'verb:y'], voided: false }))).toEqual([4, 9]);
    expect(matches(both, { _id: 5, keys: ['agent:x'], voided: true })).toBe(false);
  });

  it('sorts by seq in the requested direction', () => {
    expect(sortFor({ ascending: true })).toEqual({ _id: 1 });
    expect(sortFor({ ascending: false })).toEqual({ _id: -1 });
  });

  it('get selects by lower-case id and voided state', () => {
    expect(getFilter('ABC-D', true)).toEqual({ id: 'abc-d', voided: true });
  });
});

describe('MongoDB statement documents: insert path', () => {
  it('the look-up finds the batch ids, the ref targets and stored voiders of the batch ids', () => {
    const filter = lookupFilter(['a', 'b'], ['t', 'a']);
    expect(filter).toEqual({
      $or: [{ id: { $in: ['a', 'b', 't'] } }, { refTarget: { $in: ['a', 'b'], $exists: true }, voiding: true }],
    });
    expect(matches(filter, { id: 't' })).toBe(true);
    expect(matches(filter, { id: 'v', refTarget: 'b', voiding: true })).toBe(true);
    expect(matches(filter, { id: 'r', refTarget: 'b', voiding: false })).toBe(false);
    expect(matches(filter, { id: 'x' })).toBe(false);
  });

  it('reserves a batch of seqs with one atomic upserting $inc', () => {
    expect(seqReservation(3)).toEqual({
      filter: { _id: 'statements' },
      update: { $inc: { seq: 3 } },
      options: { upsert: true, returnDocument: 'after' },
    });
    expect(reservedSeqs(10, 3)).toEqual([8, 9, 10]);
    expect(reservedSeqs(1, 1)).toEqual([1]);
  });

  it('voiding and key propagation are monotone updates', () => {
    expect(markVoidedUpdate()).toEqual({ $set: { voided: true } });
    expect(addKeysUpdate(['k1', 'k2'])).toEqual({ $addToSet: { keys: { $each: ['k1', 'k2'] } } });
  });

  it('a document carries seq as _id, and refTarget only for StatementRefs', () => {
    const t = statement();
    const v = voiding(t);
    const dt = toDocument(t, 5, t.keys, false);
    expect(dt).toEqual({ _id: 5, id: t.id, stored: t.statement.stored, voided: false, voiding: false, keys: t.keys, statement: t.statement });
    expect('refTarget' in dt).toBe(false);
    expect(toDocument(v, 6, ['k'], true)).toMatchObject({ _id: 6, refTarget: t.id, voiding: true, voided: true, keys: ['k'] });
    expect(recordFields(toRecord(dt))).toEqual({ seq: 5, id: t.id, statement: t.statement, voided: false, stored: t.statement.stored, json: JSON.stringify(t.statement) });
  });

  it('recognises the driver’s duplicate key errors and nothing else', () => {
    const bulk = new MongoBulkWriteError(
      { message: 'E11000 duplicate key error', code: 11000, writeErrors: [] },
      // The result is irrelevant to the check.
      {} as ConstructorParameters<typeof MongoBulkWriteError>[1],
    );
    expect(isDuplicateKeyError(bulk)).toBe(true);
    expect(isDuplicateKeyError(new MongoServerError({ message: 'E11000', code: 11000 }))).toBe(true);
    expect(isDuplicateKeyError({ writeErrors: [{ code: 11000 }] })).toBe(true);
    expect(isDuplicateKeyError({ writeErrors: { code: 11000 } })).toBe(true);
    expect(isDuplicateKeyError(new MongoServerError({ message: 'not primary', code: 10107 }))).toBe(false);
    expect(isDuplicateKeyError(new Error('network'))).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
  });
});
