/**
 * The MongoDB statement store's documents, filters, updates and index definitions: pure
 * shaping, no I/O (ARCHITECTURE.md §2). statements.ts sends these to the server; the unit
 * tests assert them and the contract suite evaluates them with an in-process query engine.
 */
import type { NewStatement, StatementQuery, StatementRecord } from '../port.js';
import { recordFromStatement } from '../statement-record.js';
import type { Filter, IndexDefinition, Update } from './driver.js';

/** A statement as stored in the `statements` collection. `_id` is the statement's seq. */
export interface StatementDocument {
  _id: number;
  /** Lower-case statement id (unique index). */
  id: string;
  /** The statement's `stored` timestamp (UTC ISO 8601 with milliseconds; compares as a string). */
  stored: string;
  voided: boolean;
  voiding: boolean;
  /** Present only on statements whose object is a StatementRef (partial index). */
  refTarget?: string;
  /** Own query keys plus those inherited through StatementRefs (lrs/statements/keys.ts). */
  keys: string[];
  statement: Record<string, unknown>;
}

export const STATEMENTS = 'statements';
export const STATEMENT_COUNTER = 'statements';

// ---------------------------------------------------------------------------------------------
// Indexes (created at start-up)
// ---------------------------------------------------------------------------------------------

export const STATEMENT_INDEXES: readonly IndexDefinition[] = [
  /** One statement per id; also what turns a lost insert race into a duplicate-key error. */
  { key: { id: 1 }, options: { name: 'id_unique', unique: true } },
  /** Multikey: equality on one key, newest (or oldest) first by seq, without an in-memory sort. */
  { key: { keys: 1, _id: -1 }, options: { name: 'keys_seq' } },
  /** Referrers of a statement (voiding, key propagation); only StatementRef statements carry it. */
  { key: { refTarget: 1 }, options: { name: 'ref_target', partialFilterExpression: { refTarget: { $exists: true } } } },
  /** since / until without a key. */
  { key: { stored: 1 }, options: { name: 'stored' } },
];

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

export function toDocument(s: NewStatement, seq: number, keys: string[], voided: boolean): StatementDocument {
  const doc: StatementDocument = {
    _id: seq,
    id: s.id,
    stored: s.statement.stored as string,
    voided,
    voiding: s.voiding,
    keys,
    statement: s.statement,
  };
  if (s.refTarget !== null) doc.refTarget = s.refTarget;
  return doc;
}

/** What reads fetch: everything but the keys. */
export const RECORD_PROJECTION = { _id: 1, id: 1, stored: 1, statement: 1, voided: 1 } as const;

export function toRecord(doc: Pick<StatementDocument, '_id' | 'id' | 'stored' | 'statement' | 'voided'>): StatementRecord {
  return recordFromStatement({ seq: doc._id, id: doc.id, voided: doc.voided, stored: doc.stored }, doc.statement);
}

// ---------------------------------------------------------------------------------------------
// Filters, sorts, updates
// ---------------------------------------------------------------------------------------------

/** The single statement GET wants: by id, voided or not. */
export function getFilter(id: string, voided: boolean): Filter {
  return { id: id.toLowerCase(), voided };
}

/**
 * Everything the insert decision reads in one round trip: statements that already have one of
 * the batch's ids (equivalence, seq), the targets of its StatementRefs (voids-voiding, inherited
 * keys), and stored voiding statements that void one of the batch's ids (stored voided).
 */
export function lookupFilter(ids: string[], refTargets: string[]): Filter {
  const byId: Filter = { id: { $in: [...new Set([...ids, ...refTargets])] } };
  const voiders: Filter = { refTarget: { $in: ids, $exists: true }, voiding: true };
  return { $or: [byId, voiders] };
}

/** Statements whose StatementRef points at one of `ids` (the `$exists` lets the partial index serve it). */
export function referrersFilter(ids: string[]): Filter {
  return { refTarget: { $in: ids, $exists: true } };
}

export const REFERRER_PROJECTION = { _id: 1, id: 1, keys: 1, voiding: 1, refTarget: 1 } as const;

/** The seq reservation: one atomic `findOneAndUpdate` per batch on the counter document. */
export function seqReservation(count: number): {
  filter: Filter;
  update: Update;
  options: { upsert: true; returnDocument: 'after' };
} {
  return {
    filter: { _id: STATEMENT_COUNTER },
    update: { $inc: { seq: count } },
    options: { upsert: true, returnDocument: 'after' },
  };
}

/** The seqs a reservation of `count` returning counter value `last` hands out, in order. */
export function reservedSeqs(last: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}

export function markVoidedUpdate(): Update {
  return { $set: { voided: true } };
}

export function addKeysUpdate(keys: string[]): Update {
  return { $addToSet: { keys: { $each: keys } } };
}

/** Most selective key kinds first: MongoDB bounds a multikey `$all` scan on its first element. */
const KEY_SELECTIVITY = ['registration:', 'agent:', 'activity:', 'ragent:', 'ractivity:', 'verb:'];
function selectivity(k: string): number {
  const rank = KEY_SELECTIVITY.findIndex((prefix) => k.startsWith(prefix));
  return rank === -1 ? KEY_SELECTIVITY.length : rank;
}

export function orderKeysBySelectivity(keys: string[]): string[] {
  return [...new Set(keys)].sort((a, b) => selectivity(a) - selectivity(b));
}

/**
 * The query document of StatementStore.query. No `keys` condition when there are none
 * (`$all: []` matches nothing in MongoDB).
 */
export function queryFilter(q: StatementQuery): Filter {
  const filter: Filter = {};
  if (q.keys.length > 0) filter.keys = { $all: orderKeysBySelectivity(q.keys) };
  filter.voided = false;
  const stored: Filter = {};
  if (q.since !== undefined) stored.$gt = q.since;
  if (q.until !== undefined) stored.$lte = q.until;
  if (Object.keys(stored).length > 0) filter.stored = stored;
  const seq: Filter = {};
  if (q.afterSeq !== undefined) seq[q.ascending ? '$gt' : '$lt'] = q.afterSeq;
  if (q.maxSeq !== undefined) seq.$lte = q.maxSeq;
  if (Object.keys(seq).length > 0) filter._id = seq;
  return filter;
}

export function sortFor(q: Pick<StatementQuery, 'ascending'>): Record<string, 1 | -1> {
  return { _id: q.ascending ? 1 : -1 };
}

/** Highest seq: the last document by `_id`. */
export const MAX_SEQ_SORT: Record<string, 1 | -1> = { _id: -1 };

/** The projection's log: seq order, voided statements included. */
export const LOG_SORT: Record<string, 1 | -1> = { _id: 1 };

export function logFilter(afterSeq: number): Filter {
  return { _id: { $gt: afterSeq } };
}

export function bySeqsFilter(seqs: number[]): Filter {
  return { _id: { $in: seqs } };
}
