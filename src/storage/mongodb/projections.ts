/**
 * MongoDB projection store, written for a standalone server: no multi-document transactions.
 * Documents, filters, updates and indexes are exported for the tests; the store only sends them.
 *
 * Collections:
 * - `projection_members`: `_id` = member id; content and fold state as JSON text, so they
 *   round-trip exactly as in SQLite (activity ids and extension keys are IRIs full of dots,
 *   and `undefined` would come back as `null` from BSON);
 * - `projection_links_0|1`: `{ _id: seq, memberId }`, one per attributed statement;
 * - `projection_unmatched_0|1`: `{ _id: seq, keys }`, one per unmatched statement, so
 *   "distinct seqs" is simply "documents";
 * - `projection_checkpoints`: ONE document `{ _id: 'projection', positions, generation }`.
 *   Writing it is the commit point of a batch: all positions (and, for a rebuild, the switch
 *   to the rebuilt links) change in one single-document write.
 * Links and unmatched rows live in two slots; `generation % 2` is the one readers use. A
 * rebuild (`replaceAll`) fills the other slot and switches `generation`, so readers see either
 * the previous rows or the rebuilt ones, never a mix.
 *
 * An incremental commit writes, in this order (each step idempotent, so a crash anywhere
 * followed by a replay of the batch from the old checkpoints converges):
 * 1. links (insert, a seq already linked keeps its member: first wins, as in SQLite) and
 *    unmatched rows (insert, keys merged into an existing row);
 * 2. each member, with a conditional upsert: applied only if the stored version is the one
 *    this record was computed from (same, or one less when the content changed) and the
 *    stored lastSeq is not beyond this record's. A single worker always passes (a replay
 *    writes the very record already stored); a refusal means another writer got ahead, and
 *    the commit stops there, answering `conflict` (projection-port.ts CommitOutcome) before
 *    the checkpoints move, so the projector redoes the batch from fresh reads.
 *    This keeps members from going backwards; it is not a full compare-and-set (the port's
 *    record does not carry the one it was computed from): one worker per store, as on SQLite;
 * 3. resolved unmatched rows deleted (only now: until the members that folded them are
 *    written, a replay must still find them to recompute those members);
 * 4. the checkpoint document.
 * Replay safety also needs the projector to skip folding a statement whose seq is at or
 * below the stored member's lastSeq (projections/worker/projector.ts `foldedThrough`): a
 * member written before the crash already holds it. Links are written before members, so a
 * statement folded into a member is always linked to it (a recompute in between sees it).
 *
 * A rebuild writes: clear the staging slot → links, unmatched rows, resolved into it →
 * members (conditional on the version only: a rebuild may lower lastSeq) → the checkpoint
 * document with the next generation (the switch; conditional on the generation read, so two
 * rebuilds cannot both switch) → clear the old slot. A crash before the switch leaves links,
 * unmatched rows and checkpoints as they were; members already rewritten hold their rebuilt
 * record (each write is atomic) — running the rebuild again finishes it and converges. A crash
 * after the switch leaves a complete rebuilt projection and garbage in the old slot, which the
 * next rebuild clears first. Neither a rebuild nor incremental batches may run concurrently
 * with a rebuild (as with SQLite, whose rebuild also resets the checkpoints).
 *
 * An erasure writes: the member's and the seqs' links and unmatched rows deleted, in both slots
 * (the other one may hold a crashed rebuild's rows, unmatched keys being emails) → the member,
 * with a write conditional on the version and content read. Each step is idempotent and an
 * erased member keeps its version, so running the erasure again after a crash converges.
 */
import type { CommitOutcome, MemberRecord, ProjectionBatch, ProjectionStore } from '../projection-port.js';
import type { ProfileContent } from '../../model/profile.js';
import { emptyFold } from '../../model/member-fold.js';
import { duplicateKeyFields, insertIgnoringDuplicates, isDuplicateKeyError, type CollectionLike, type DbLike, type Filter, type IndexDefinition, type Update } from './driver.js';
import { DEAD_LETTER_DROPPED, DELIVERY_DEFAULTS, DELIVERY_INDEXES } from './outbox-fields.js';
import { memberRecordOf, profileRecordOf, storedMember, type StoredMember } from '../stored-member.js';
import { WriteContentionError } from '../contention.js';

export const PROJECTION_MEMBERS = 'projection_members';
export const PROJECTION_CHECKPOINTS = 'projection_checkpoints';
/** The two slots of links and of unmatched rows; `generation % 2` is the one in use. */
export const PROJECTION_LINKS = ['projection_links_0', 'projection_links_1'] as const;
export const PROJECTION_UNMATCHED = ['projection_unmatched_0', 'projection_unmatched_1'] as const;
/** `_id` of the single document in projection_checkpoints. */
export const PROJECTION_STATE_ID = 'projection';

/** A member document: the StoredMember, keyed by its member id. */
/** `erased`: set by an erasure (content status `erased`), so reads of profiles can leave the member out without parsing its content. */
export type MemberDocument = Omit<StoredMember, 'memberId'> & { _id: string; erased?: true };

/** Not an erased member (kept only until the marketplace has its DELETE). */
const NOT_ERASED: Filter = { erased: { $ne: true } };

export interface LinkDocument {
  /** The statement's seq. */
  _id: number;
  memberId: string;
}

export interface UnmatchedDocument {
  /** The statement's seq. */
  _id: number;
  /** Identity keys to retry it with. */
  keys: string[];
}

export interface StateDocument {
  _id: typeof PROJECTION_STATE_ID;
  /** Checkpoint name → position. */
  positions: Record<string, number>;
  /** Rebuilds switched so far; `generation % 2` is the slot of links and unmatched rows in use. */
  generation: number;
}

/** This store's driver subset, DbLike plus `countDocuments` once, DbLike itself now (driver.ts); the names stay for the tests. */
export type ProjectionCollectionLike<T> = CollectionLike<T>;
export type ProjectionDbLike = DbLike;

export const PROJECTION_INDEXES: Readonly<Record<string, readonly IndexDefinition[]>> = {
  [PROJECTION_MEMBERS]: [
    /** profile(publishedId), and profiles() in published-id order. */
    { key: { publishedId: 1 }, options: { name: 'published_id_unique', unique: true } },
    /** profiles({ updatedSince }). */
    { key: { updatedAt: 1 }, options: { name: 'updated_at' } },
    ...DELIVERY_INDEXES,
  ],
  ...Object.fromEntries(PROJECTION_LINKS.map((name) => [name, [
    /** memberSeqs: one member's seqs in order. */
    { key: { memberId: 1, _id: 1 }, options: { name: 'member_seq' } },
  ]])),
  ...Object.fromEntries(PROJECTION_UNMATCHED.map((name) => [name, [
    /** unmatchedWithKeys (multikey). */
    { key: { keys: 1 }, options: { name: 'keys' } },
  ]])),
};

export async function createProjectionIndexes(db: DbLike): Promise<void> {
  for (const [collection, indexes] of Object.entries(PROJECTION_INDEXES)) {
    for (const index of indexes) await db.collection(collection).createIndex(index.key, index.options);
  }
}

// ---------------------------------------------------------------------------------------------
// Documents, filters, updates (pure)
// ---------------------------------------------------------------------------------------------

export function toMemberDocument(m: MemberRecord): MemberDocument {
  const { memberId, ...rest } = storedMember(m);
  return { _id: memberId, ...rest };
}

export function toMemberRecord(doc: MemberDocument): MemberRecord {
  const { _id, ...rest } = doc;
  return memberRecordOf({ memberId: _id, ...rest });
}

/**
 * The conditional write of a member (an upsert: a new member is inserted, with the outbox
 * fields' defaults; an update leaves them alone, so the version it writes is pending exactly
 * when it is above deliveredVersion — the outbox entry is in the same single-document write).
 * Applied only to the document the record was computed from (CommitOutcome in
 * projection-port.ts): version one less, or the same with the same updatedAt; and lastSeq
 * never decreases but in a rebuild. When the stored document does not match, the upsert's
 * insert hits the `_id` index: a duplicate key error.
 */
export function memberWrite(m: MemberRecord, rebuild: boolean): { filter: Filter; update: Update } {
  const { _id, ...set } = toMemberDocument(m);
  const filter: Filter = { _id, $or: [{ version: m.version - 1 }, { version: m.version, updatedAt: m.updatedAt }] };
  if (!rebuild) filter.lastSeq = { $lte: m.lastSeq };
  // The outbox fields are the deliverer's: set on insert only (a new member is pending).
  return { filter, update: { $set: set, $setOnInsert: { ...DELIVERY_DEFAULTS } } };
}

/** Checkpoint names become field names of the state document. */
const CHECKPOINT_NAME = /^[A-Za-z0-9_-]+$/;

function positionsSet(checkpoints: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(checkpoints).map(([name, position]) => {
      if (!CHECKPOINT_NAME.test(name)) throw new Error(`checkpoint name ${JSON.stringify(name)} must match ${CHECKPOINT_NAME}`);
      return [`positions.${name}`, position];
    }),
  );
}

/** Advances checkpoints (upsert). `$max` gives a new state document generation 0 and leaves an existing one alone. */
export function checkpointsWrite(checkpoints: Record<string, number>): { filter: Filter; update: Update } {
  return { filter: { _id: PROJECTION_STATE_ID }, update: { $set: positionsSet(checkpoints), $max: { generation: 0 } } };
}

/** A rebuild's commit point: the checkpoints and the switch to the rebuilt slot, only from the generation it started on. */
export function generationSwitch(checkpoints: Record<string, number>, from: number): { filter: Filter; update: Update } {
  return { filter: { _id: PROJECTION_STATE_ID, generation: from }, update: { $set: { ...positionsSet(checkpoints), generation: from + 1 } } };
}

export const slotOf = (generation: number): 0 | 1 => (generation % 2 === 0 ? 0 : 1);

export function profilesFilter(options: { after?: string; updatedSince?: string }): Filter {
  const filter: Filter = { ...NOT_ERASED };
  if (options.after !== undefined) filter.publishedId = { $gt: options.after };
  if (options.updatedSince !== undefined) filter.updatedAt = { $gte: options.updatedSince };
  return filter;
}

export const PROFILES_SORT: Record<string, 1 | -1> = { publishedId: 1 };
export const SEQ_SORT: Record<string, 1 | -1> = { _id: 1 };

/** Seqs in `resolved` that this batch does not also mark unmatched (SQLite deletes first, then inserts). */
export function resolvedToDelete(batch: Pick<ProjectionBatch, 'resolved' | 'unmatched'>): number[] {
  const unmatched = new Set(batch.unmatched.map((u) => u.seq));
  return [...new Set(batch.resolved)].filter((seq) => !unmatched.has(seq));
}

/** Unmatched rows as documents: keys merged per seq; a statement without keys has no row (as in SQLite). */
export function toUnmatchedDocuments(unmatched: ProjectionBatch['unmatched']): UnmatchedDocument[] {
  const bySeq = new Map<number, Set<string>>();
  for (const u of unmatched) {
    if (u.keys.length === 0) continue;
    const keys = bySeq.get(u.seq) ?? new Set<string>();
    for (const key of u.keys) keys.add(key);
    bySeq.set(u.seq, keys);
  }
  return [...bySeq].map(([seq, keys]) => ({ _id: seq, keys: [...keys] }));
}

/** Links as documents: the first link of a seq wins (as SQLite's INSERT OR IGNORE). */
export function toLinkDocuments(links: ProjectionBatch['links']): LinkDocument[] {
  const bySeq = new Map<number, string>();
  for (const l of links) if (!bySeq.has(l.seq)) bySeq.set(l.seq, l.memberId);
  return [...bySeq].map(([seq, memberId]) => ({ _id: seq, memberId }));
}

export type ErasureRequest = Parameters<ProjectionStore['erase']>[0];

/** The links and unmatched rows an erasure deletes (null: none). */
export function erasedRowsFilters(request: Pick<ErasureRequest, 'memberId' | 'seqs' | 'keys'>): { links: Filter; unmatched: Filter | null } {
  const seqs = [...new Set(request.seqs)];
  const keys = [...new Set(request.keys)];
  const links: Filter = seqs.length === 0 ? { memberId: request.memberId } : { $or: [{ memberId: request.memberId }, { _id: { $in: seqs } }] };
  const unmatched = [...(seqs.length === 0 ? [] : [{ _id: { $in: seqs } }]), ...(keys.length === 0 ? [] : [{ keys: { $in: keys } }])];
  return { links, unmatched: unmatched.length === 0 ? null : { $or: unmatched } };
}

/**
 * The erasure of a member document as read: `erased` content, an empty fold state and no dead
 * letter, a new version unless its content is erased already. Conditional on the version and
 * content read, so a projector's commit in between is not overwritten with a stale version.
 */
export function memberErasure(doc: Pick<MemberDocument, '_id' | 'content' | 'version'>, erased: ProfileContent, at: string): { filter: Filter; update: Update } {
  const already = (JSON.parse(doc.content) as ProfileContent).status === 'erased';
  return {
    filter: { _id: doc._id, version: doc.version, content: doc.content },
    update: { $set: { content: JSON.stringify(erased), state: JSON.stringify(emptyFold()), version: already ? doc.version : doc.version + 1, updatedAt: at, erased: true, ...DEAD_LETTER_DROPPED } },
  };
}

/** Read, write conditionally; after a lost race read again, a bounded number of times. */
const ERASE_ATTEMPTS = 3;

/** A member whose published id another member holds: a fault of the data, not a race to redo. */
export class PublishedIdTakenError extends Error {
  constructor(memberId: string, publishedId: string, options: { cause: unknown }) {
    super(`projection member ${memberId} was not written: its publishedId ${publishedId} belongs to another member; the checkpoints were not advanced`, options);
    this.name = 'PublishedIdTakenError';
  }
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

/** The links and unmatched collections of one slot. */
interface Slot {
  links: CollectionLike<LinkDocument>;
  unmatched: CollectionLike<UnmatchedDocument>;
}

export function mongoProjectionStore(db: DbLike): ProjectionStore {
  const members: CollectionLike<MemberDocument> = db.collection(PROJECTION_MEMBERS);
  const state: CollectionLike<StateDocument> = db.collection(PROJECTION_CHECKPOINTS);
  const slots = ([0, 1] as const).map((n): Slot => ({ links: db.collection(PROJECTION_LINKS[n]), unmatched: db.collection(PROJECTION_UNMATCHED[n]) }));

  async function readState(): Promise<StateDocument | null> {
    return state.findOne({ _id: PROJECTION_STATE_ID });
  }

  const slot = (generation: number): Slot => slots[slotOf(generation)] as Slot;

  /** The slot readers use now. */
  async function current(): Promise<Slot> {
    return slot((await readState())?.generation ?? 0);
  }


  /** Step 1 of a commit (links and unmatched rows), into one slot. */
  async function writeRows(target: Slot, batch: ProjectionBatch): Promise<void> {
    await insertIgnoringDuplicates(target.links, toLinkDocuments(batch.links));
    const rows = toUnmatchedDocuments(batch.unmatched);
    if (!(await insertIgnoringDuplicates(target.unmatched, rows))) {
      // Some were there already (a replay, or keys added to a known seq): merge every row's keys.
      for (const row of rows) await target.unmatched.updateOne({ _id: row._id }, { $addToSet: { keys: { $each: row.keys } } });
    }
  }

  /** Step 2: the conditional upserts; a refused one (the upsert's insert hits `_id`) is the conflict, and stops the commit. */
  async function writeMembers(batch: ProjectionBatch, rebuild: boolean): Promise<CommitOutcome> {
    for (const m of batch.members) {
      const { filter, update } = memberWrite(m, rebuild);
      try {
        await members.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        if (duplicateKeyFields(error).includes('_id')) return { kind: 'conflict', memberId: m.memberId };
        throw new PublishedIdTakenError(m.memberId, m.publishedId, { cause: error });
      }
    }
    return { kind: 'committed' };
  }

  async function deleteResolved(target: Slot, batch: ProjectionBatch): Promise<void> {
    const seqs = resolvedToDelete(batch);
    if (seqs.length > 0) await target.unmatched.deleteMany({ _id: { $in: seqs } });
  }

  async function commitIncremental(batch: ProjectionBatch): Promise<CommitOutcome> {
    const target = await current();
    await writeRows(target, batch);
    const written = await writeMembers(batch, false);
    if (written.kind === 'conflict') return written;
    await deleteResolved(target, batch);
    if (Object.keys(batch.checkpoints).length > 0) {
      const { filter, update } = checkpointsWrite(batch.checkpoints);
      await state.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' });
    }
    return written;
  }

  async function commitRebuild(batch: ProjectionBatch): Promise<CommitOutcome> {
    const generation = (await readState())?.generation ?? 0;
    const old = slot(generation);
    const staging = slot(generation + 1);
    // Left over from a rebuild that crashed before its switch, or from the one before the last.
    await staging.links.deleteMany({});
    await staging.unmatched.deleteMany({});
    await writeRows(staging, batch);
    await deleteResolved(staging, batch);
    const written = await writeMembers(batch, true);
    if (written.kind === 'conflict') return written;
    const { filter, update } = generationSwitch(batch.checkpoints, generation);
    try {
      await state.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new Error(`projection rebuild lost the switch from generation ${generation}: another rebuild switched first`, { cause: error });
      throw error;
    }
    await old.links.deleteMany({});
    await old.unmatched.deleteMany({});
    return written;
  }

  return {
    async checkpoint(name) {
      const positions = (await readState())?.positions;
      return positions !== undefined && Object.hasOwn(positions, name) ? (positions[name] ?? 0) : 0;
    },

    async commit(batch) {
      return batch.replaceAll ? commitRebuild(batch) : commitIncremental(batch);
    },

    async member(memberId) {
      const doc = await members.findOne({ _id: memberId });
      return doc === null ? null : toMemberRecord(doc);
    },

    async memberSeqs(memberId) {
      const { links: collection } = await current();
      const docs = await collection.find({ memberId }, { projection: { _id: 1 } }).sort(SEQ_SORT).toArray();
      return docs.map((d) => d._id);
    },

    async membersOfSeqs(seqs) {
      if (seqs.length === 0) return new Map();
      const { links: collection } = await current();
      const docs = await collection.find({ _id: { $in: [...new Set(seqs)] } }).toArray();
      return new Map(docs.map((d) => [d._id, d.memberId]));
    },

    async unmatchedWithKeys(keys) {
      if (keys.length === 0) return [];
      const { unmatched: collection } = await current();
      const docs = await collection.find({ keys: { $in: [...new Set(keys)] } }, { projection: { _id: 1 } }).sort(SEQ_SORT).toArray();
      return docs.map((d) => d._id);
    },

    async unmatchedCount() {
      const { unmatched: collection } = await current();
      return collection.countDocuments({});
    },

    async profile(publishedId) {
      const doc = await members.findOne({ publishedId, ...NOT_ERASED });
      return doc === null ? null : profileRecordOf({ ...doc, memberId: doc._id });
    },

    async profiles({ after, limit, updatedSince }) {
      const docs = await members.find(profilesFilter({ after, updatedSince })).sort(PROFILES_SORT).limit(limit + 1).toArray();
      const page = docs.slice(0, limit);
      return { profiles: page.map((doc) => profileRecordOf({ ...doc, memberId: doc._id })), next: docs.length > limit ? (page.at(-1)?.publishedId ?? null) : null };
    },

    async bumpVersion(memberId, fromVersion, updatedAt) {
      const doc = await members.findOneAndUpdate({ _id: memberId, version: fromVersion }, { $set: { version: fromVersion + 1, updatedAt } }, { upsert: false, returnDocument: 'after' });
      return doc !== null;
    },

    async erase(request) {
      const filters = erasedRowsFilters(request);
      const inUse = await current();
      let links = 0;
      let unmatched = 0;
      for (const target of slots) {
        const deleted = await target.links.deleteMany(filters.links);
        const deletedUnmatched = filters.unmatched === null ? 0 : (await target.unmatched.deleteMany(filters.unmatched)).deletedCount;
        // Counted in the slot readers use; the other one holds no rows but a crashed rebuild's.
        if (target === inUse) (links = deleted.deletedCount), (unmatched = deletedUnmatched);
      }
      for (let attempt = 1; attempt <= ERASE_ATTEMPTS; attempt++) {
        const doc = await members.findOne({ _id: request.memberId }, { projection: { _id: 1, content: 1, version: 1 } });
        if (doc === null) return { links, unmatched, profile: false };
        const { filter, update } = memberErasure(doc, request.erased, request.at);
        if ((await members.findOneAndUpdate(filter, update, { upsert: false, returnDocument: 'after' })) !== null) return { links, unmatched, profile: true };
      }
      throw new WriteContentionError(`projection erase of ${request.memberId} lost the race for its member document ${ERASE_ATTEMPTS} times; its links and unmatched rows are deleted, the member is not`);
    },

    async remove(memberId) {
      return (await members.deleteMany({ _id: memberId })).deletedCount > 0;
    },
  };
}
