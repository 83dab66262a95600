/**
 * MongoDB erasure records and tombstone (erasure-port.ts), without transactions.
 *
 * Collections: `erasures` (`_id` = erasure id, which sorts by request time), `erasure_tombstones`
 * (`_id` = hash: stored once however often it is added) and `erasure_settings` (the HMAC key).
 *
 * One running erasure per member: a running record carries `running` = its member id, under a
 * unique index partial on `running` existing, and finish unsets it. So `begin` is one insert that
 * a running erasure of the same member refuses, whichever process holds it; done records do
 * not count. The insert also carries the tombstone hashes (`pendingTombstones`, marked by
 * `tombstonesPending`, partial index) until they are copied to `erasure_tombstones`: a crash
 * in between loses none, since every read of the tombstone finishes pending copies first (as
 * identity.ts does with audit entries).
 */
import type { ErasureRecord, ErasureStore } from '../erasure-port.js';
import { duplicateKeyFields, insertIgnoringDuplicates, isDuplicateKeyError, type CollectionLike, type DbLike, type IndexDefinition } from './driver.js';
import { WriteContentionError } from '../contention.js';

export const ERASURES = 'erasures';
export const ERASURE_TOMBSTONES = 'erasure_tombstones';
export const ERASURE_SETTINGS = 'erasure_settings';

export interface ErasureDocument extends Omit<ErasureRecord, 'id'> {
  _id: string;
  /** The member id, while the erasure runs (unique: one running erasure per member). */
  running?: string;
  /** Tombstone hashes still to copy to erasure_tombstones; `tombstonesPending` marks them (partial index). */
  pendingTombstones?: string[];
  tombstonesPending?: 1;
}

interface TombstoneDocument {
  _id: string;
}

interface SettingDocument {
  _id: string;
  value: string;
}

export const ERASURE_INDEXES: Readonly<Record<string, readonly IndexDefinition[]>> = {
  [ERASURES]: [
    /** One running erasure per member; also unfinished(). */
    { key: { running: 1 }, options: { name: 'running_unique', unique: true, partialFilterExpression: { running: { $exists: true } } } },
    /** Records whose tombstone hashes still wait to be copied. */
    { key: { tombstonesPending: 1 }, options: { name: 'tombstones_pending', partialFilterExpression: { tombstonesPending: { $exists: true } } } },
  ],
};

export async function createErasureIndexes(db: DbLike): Promise<void> {
  for (const [collection, indexes] of Object.entries(ERASURE_INDEXES)) {
    for (const index of indexes) await db.collection(collection).createIndex(index.key, index.options);
  }
}

const TOMBSTONE_KEY = 'tombstone-key';
/** Insert, or read the running one; again when that one finished in between, a bounded number of times. */
const BEGIN_ATTEMPTS = 3;

export function toErasureDocument(record: ErasureRecord, tombstones: string[]): ErasureDocument {
  if (record.subject === null) throw new Error(`erasure ${record.id} begins without a subject`);
  const { id, ...fields } = record;
  const doc: ErasureDocument = { _id: id, ...fields, running: record.subject.memberId };
  if (tombstones.length > 0) (doc.pendingTombstones = [...new Set(tombstones)]), (doc.tombstonesPending = 1);
  return doc;
}

export function toErasureRecord(doc: ErasureDocument): ErasureRecord {
  const { _id, subject, requestedBy, requestedAt, status, counts, finishedAt } = doc;
  return { id: _id, subject, requestedBy, requestedAt, status, counts, finishedAt };
}

export function mongoErasureStore(db: DbLike): ErasureStore {
  const erasures: CollectionLike<ErasureDocument> = db.collection(ERASURES);
  const tombstones: CollectionLike<TombstoneDocument> = db.collection(ERASURE_TOMBSTONES);
  const settings: CollectionLike<SettingDocument> = db.collection(ERASURE_SETTINGS);

  /** Copies a record's pending tombstone hashes, then clears them. */
  async function copyTombstones(doc: ErasureDocument): Promise<void> {
    if (doc.pendingTombstones === undefined) return;
    await insertIgnoringDuplicates(tombstones, doc.pendingTombstones.map((hash) => ({ _id: hash })));
    await erasures.updateOne({ _id: doc._id }, { $unset: { pendingTombstones: '', tombstonesPending: '' } });
  }

  /** Inserts a record; null when it went in, else the fields of the unique key that refused it. */
  async function insertRefusal(doc: ErasureDocument): Promise<string[] | null> {
    try {
      await erasures.insertMany([doc], { ordered: true });
      return null;
    } catch (error) {
      if (isDuplicateKeyError(error)) return duplicateKeyFields(error);
      throw error;
    }
  }

  /** Finishes copies a crash interrupted (usually none), so a read of the tombstone is complete. */
  async function settled(): Promise<void> {
    for (const doc of await erasures.find({ tombstonesPending: { $exists: true } }).toArray()) await copyTombstones(doc);
  }

  return {
    async tombstoneKey(generated) {
      await insertIgnoringDuplicates(settings, [{ _id: TOMBSTONE_KEY, value: generated }]);
      const setting = await settings.findOne({ _id: TOMBSTONE_KEY });
      if (setting === null) throw new Error('the tombstone key setting vanished after it was written');
      return setting.value;
    },

    async begin(record, hashes) {
      const doc = toErasureDocument(record, hashes);
      for (let attempt = 1; attempt <= BEGIN_ATTEMPTS; attempt++) {
        const refused = await insertRefusal(doc);
        if (refused === null) {
          await copyTombstones(doc);
          return { kind: 'started', record };
        }
        // The same id again (a retried request) is that erasure; otherwise the member's running one.
        const running = await erasures.findOne(refused.includes('_id') ? { _id: doc._id } : { running: doc.running });
        if (running !== null) return { kind: 'running', record: toErasureRecord(running) };
      }
      throw new WriteContentionError(`erasure ${record.id} found another erasure of its member running, then gone, ${BEGIN_ATTEMPTS} times`);
    },

    async update(id, change) {
      const set = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
      if (Object.keys(set).length === 0) return;
      // A done erasure has forgotten its subject: a late update must not bring it back.
      await erasures.updateOne({ _id: id, status: { $ne: 'done' } }, { $set: set });
    },

    async finish(id, at) {
      const doc = await erasures.findOne({ _id: id });
      if (doc === null || doc.status === 'done') return;
      // Its hashes are in the tombstone before it stops counting as running.
      await copyTombstones(doc);
      await erasures.updateOne({ _id: id, status: { $ne: 'done' } }, { $set: { status: 'done', subject: null, finishedAt: at }, $unset: { running: '' } });
    },

    async get(id) {
      const doc = await erasures.findOne({ _id: id });
      return doc === null ? null : toErasureRecord(doc);
    },

    async unfinished() {
      const docs = await erasures.find({ running: { $exists: true } }).sort({ _id: 1 }).toArray();
      return docs.map(toErasureRecord);
    },

    async list({ limit, before }) {
      // MongoDB reads limit(0) as "no limit"; the port means at most 0.
      if (limit <= 0) return [];
      const docs = await erasures.find(before === undefined ? {} : { _id: { $lt: before } }).sort({ _id: -1 }).limit(limit).toArray();
      return docs.map(toErasureRecord);
    },

    async tombstoned(hashes) {
      if (hashes.length === 0) return false;
      await settled();
      return (await tombstones.findOne({ _id: { $in: [...new Set(hashes)] } })) !== null;
    },

    async tombstoneCount() {
      await settled();
      return tombstones.countDocuments({});
    },

    async tombstones() {
      await settled();
      return (await tombstones.find({}).toArray()).map((t) => t._id);
    },
  };
}
