/**
 * MongoDB statement store, written for a standalone server: no multi-document transactions.
 *
 * An insert reads top to bottom: look up → decide → reserve seqs → insert → link.
 * - look up: one find for the batch's ids, the targets of its StatementRefs and stored voiders
 *   of its ids;
 * - decide, in memory and in batch order (src/storage/statement-insert.ts, shared with the
 *   SQLite adapter): conflicts, equivalent re-sends, voids-voiding, which new statements are
 *   stored voided, inherited keys. Nothing is written before the whole batch is accepted;
 * - reserve seqs: one atomic `$inc` of the counter document by the number of new statements;
 * - insert: one ordered insertMany. If the unique index on `id` refuses a document, a
 *   concurrent writer stored that id between look-up and insert: this batch deletes what it
 *   inserted (by its reserved `_id`s) and decides again, once, against the winner's statement;
 * - link, after the insert and only with monotone updates (`$set voided: true`, `$addToSet`
 *   keys): mark voided targets, re-read targets, push keys up to referrers (transitively),
 *   and look for voiders that arrived meanwhile. Because both sides of a StatementRef link
 *   after writing, of two writers storing a referrer and its target concurrently, at least
 *   one sees the other (each reads after its own insert).
 *
 * Erasing (statement-erasure.ts) deletes documents, so `maxSeq` also reads the highest erased
 * seq: the highest seq stored so far does not go back.
 *
 * Batches (and erasures) of one store instance are serialized: a seq reserved earlier is then
 * always inserted earlier, so a reader that checkpoints on seq (the projection worker) never
 * skips a statement committed late. Writers in other processes are not ordered with this one.
 */
import type {
  Equivalence,
  InsertOutcome,
  NewStatement,
  StatementQuery,
  StatementRecord,
  StatementStore,
} from '../port.js';
import { COUNTERS, isDuplicateKeyError, type CollectionLike, type CounterDocument, type DbLike } from './driver.js';
import {
  MAX_SEQ_SORT,
  LOG_SORT,
  logFilter,
  bySeqsFilter,
  RECORD_PROJECTION,
  REFERRER_PROJECTION,
  STATEMENTS,
  addKeysUpdate,
  getFilter,
  lookupFilter,
  markVoidedUpdate,
  queryFilter,
  referrersFilter,
  reservedSeqs,
  seqReservation,
  sortFor,
  toDocument,
  toRecord,
  type StatementDocument,
} from './statement-documents.js';
import { serialQueue } from './serial.js';
import { WriteContentionError } from '../contention.js';
import { decideInsert, idsToLookUp } from '../statement-insert.js';
import { ERASED_MARK, statementEraser } from './statement-erasure.js';

/** Decide, insert; after a lost race decide once more (the winner's statement is then visible). */
const MAX_ATTEMPTS = 2;

/** A statement of the batch that is not stored yet. */
interface Fresh {
  s: NewStatement;
  keys: Set<string>;
  voided: boolean;
  seq: number;
}

type Decision =
  | { kind: 'rejected'; outcome: InsertOutcome }
  /** `seqs` holds a number for a statement already stored, the Fresh entry for a new one. */
  | { kind: 'accepted'; seqs: (number | Fresh)[]; fresh: Fresh[]; voidTargets: string[] };

type Referrer = Pick<StatementDocument, '_id' | 'id' | 'keys' | 'voiding' | 'refTarget'>;

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

export function mongoStatementStore(db: DbLike): StatementStore {
  const statements: CollectionLike<StatementDocument> = db.collection(STATEMENTS);
  const counters: CollectionLike<CounterDocument> = db.collection(COUNTERS);

  /** Look up and decide (src/storage/statement-insert.ts): nothing is written here. */
  async function decide(batch: NewStatement[], equivalent: Equivalence): Promise<Decision> {
    const { ids, withTargets } = idsToLookUp(batch);
    const found = await statements.find(lookupFilter(ids, withTargets)).toArray();
    const stored = new Map(found.map((doc) => [doc.id, doc]));
    const voidedByStored = new Set(found.flatMap((doc) => (doc.voiding && doc.refTarget !== undefined ? [doc.refTarget] : [])));
    const facts = new Map([...stored].map(([id, doc]) => [id, { seq: doc._id, voiding: doc.voiding, keys: doc.keys }]));
    const decision = decideInsert(batch, { stored: facts, voidedByStored }, (c) =>
      equivalent(c.with === 'stored' ? (stored.get(c.id) as StatementDocument).statement : (batch[c.with] as NewStatement).statement, (batch[c.index] as NewStatement).statement),
    );
    if (decision.kind === 'rejected') return decision;
    if (decision.kind === 'compare') throw new Error('the insert decision asked for a comparison, but every one was answered');
    const fresh = new Map(decision.fresh.map((f) => [f, { s: batch[f.index] as NewStatement, keys: f.keys, voided: f.voided, seq: 0 }]));
    return {
      kind: 'accepted',
      seqs: decision.slots.map((slot) => (typeof slot === 'number' ? slot : (fresh.get(slot) as Fresh))),
      fresh: [...fresh.values()],
      voidTargets: decision.voidTargets,
    };
  }

  async function reserve(count: number): Promise<number[]> {
    const r = seqReservation(count);
    const counter = await counters.findOneAndUpdate(r.filter, r.update, r.options);
    if (counter === null) throw new Error('the statement counter upsert returned no document');
    return reservedSeqs(counter.seq, count);
  }

  /** Inserts the new statements; false when a concurrent writer stored one of their ids first. */
  async function write(fresh: Fresh[]): Promise<boolean> {
    const seqs = await reserve(fresh.length);
    fresh.forEach((entry, i) => (entry.seq = seqs[i] as number));
    const docs = fresh.map((entry) => toDocument(entry.s, entry.seq, [...entry.keys], entry.voided));
    try {
      await statements.insertMany(docs, { ordered: true });
      return true;
    } catch (error) {
      // All or nothing: withdraw whatever of this batch got in before the refused document.
      // The reserved _ids are this batch's alone, so deleting by them touches nothing else.
      try {
        await statements.deleteMany({ _id: { $in: seqs } });
      } catch {
        // The insert error is the one to report.
      }
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** After the insert: voiding marks and StatementRef keys, read after writing (monotone, idempotent). */
  async function link(fresh: Fresh[], voidTargets: string[]): Promise<void> {
    if (voidTargets.length > 0) await statements.updateMany({ id: { $in: voidTargets } }, markVoidedUpdate());

    // Targets again: one stored by another writer since the look-up, or grown since, gives its keys now.
    const refTargets = unique(fresh.flatMap((e) => (e.s.refTarget === null ? [] : [e.s.refTarget])));
    if (refTargets.length > 0) {
      const targets = await statements
        .find({ id: { $in: refTargets } }, { projection: { id: 1, keys: 1 } })
        .toArray();
      const keysOf = new Map(targets.map((t) => [t.id, t.keys]));
      await Promise.all(
        fresh.map((entry) => {
          const targetKeys = entry.s.refTarget === null ? undefined : keysOf.get(entry.s.refTarget);
          const missing = (targetKeys ?? []).filter((k) => !entry.keys.has(k));
          if (missing.length === 0) return undefined;
          missing.forEach((k) => entry.keys.add(k));
          return statements.updateOne({ _id: entry.seq }, addKeysUpdate(missing));
        }),
      );
    }

    // Referrers, level by level: each gets the keys of the statement it points at. A referrer
    // whose keys did not grow stops the walk (its own referrers already hold its keys), which
    // also ends cycles.
    const freshById = new Map(fresh.map((e) => [e.s.id, e]));
    let frontier = new Map(fresh.map((e) => [e.s.id, e.keys]));
    for (let level = 0; frontier.size > 0; level++) {
      const referrers = await statements
        .find(referrersFilter([...frontier.keys()]), { projection: REFERRER_PROJECTION })
        .toArray() as Referrer[];
      const next = new Map<string, Set<string>>();
      const updates: Promise<unknown>[] = [];
      const lateVoided: number[] = [];
      for (const r of referrers) {
        const pushed = r.refTarget === undefined ? undefined : frontier.get(r.refTarget);
        if (pushed === undefined) continue;
        if (level === 0 && r.voiding) {
          // A voiding statement stored by another writer while this batch was in flight.
          const target = freshById.get(r.refTarget as string);
          if (target && !target.voided) (target.voided = true, lateVoided.push(target.seq));
        }
        const have = new Set(r.keys);
        const missing = [...pushed].filter((k) => !have.has(k));
        if (missing.length === 0) continue;
        updates.push(statements.updateOne({ _id: r._id }, addKeysUpdate(missing)));
        next.set(r.id, new Set([...have, ...missing]));
      }
      if (lateVoided.length > 0) updates.push(statements.updateMany({ _id: { $in: lateVoided } }, markVoidedUpdate()));
      await Promise.all(updates);
      frontier = next;
    }
  }

  async function insert(batch: NewStatement[], equivalent: Equivalence): Promise<InsertOutcome> {
    for (let attempt = 1; ; attempt++) {
      const decision = await decide(batch, equivalent);
      if (decision.kind === 'rejected') return decision.outcome;
      if (decision.fresh.length > 0) {
        if (!(await write(decision.fresh))) {
          if (attempt < MAX_ATTEMPTS) continue;
          throw new WriteContentionError(`statement insert lost the race for an id ${MAX_ATTEMPTS} times; nothing of the batch was stored`);
        }
        await link(decision.fresh, decision.voidTargets);
      }
      return { kind: 'stored', seqs: decision.seqs.map((s) => (typeof s === 'number' ? s : s.seq)) };
    }
  }

  // Batches and erasures of this instance run one after another (see the header).
  const serialized = serialQueue();
  const erase = statementEraser(db);

  return {
    insert(batch, equivalent) {
      return serialized(() => insert(batch, equivalent));
    },

    async get(id, voided): Promise<StatementRecord | null> {
      const doc = await statements.findOne(getFilter(id, voided), { projection: RECORD_PROJECTION });
      return doc === null ? null : toRecord(doc);
    },

    async query(q: StatementQuery): Promise<StatementRecord[]> {
      // MongoDB reads limit(0) as "no limit"; the port means at most 0.
      if (q.limit <= 0) return [];
      const docs = await statements
        .find(queryFilter(q), { projection: RECORD_PROJECTION })
        .sort(sortFor(q))
        .limit(q.limit)
        .toArray();
      return docs.map(toRecord);
    },

    async maxSeq() {
      const [[last], erased] = await Promise.all([
        statements.find({}, { projection: { _id: 1 } }).sort(MAX_SEQ_SORT).limit(1).toArray(),
        counters.findOne({ _id: ERASED_MARK }),
      ]);
      return Math.max(last?._id ?? 0, erased?.seq ?? 0);
    },

    async readLog(afterSeq, limit) {
      if (limit <= 0) return [];
      const docs = await statements.find(logFilter(afterSeq), { projection: RECORD_PROJECTION }).sort(LOG_SORT).limit(limit).toArray();
      return docs.map(toRecord);
    },

    async getBySeqs(seqs) {
      if (seqs.length === 0) return [];
      const docs = await statements.find(bySeqsFilter(seqs), { projection: RECORD_PROJECTION }).sort(LOG_SORT).toArray();
      return docs.map(toRecord);
    },

    erase(seqs) {
      return serialized(() => erase(seqs));
    },
  };
}
