/** MongoDB leases and reconciliation runs: one document per lease, one per run. */
import type { LeaseStore } from '../lease-port.js';
import type { ReconciliationStore } from '../reconciliation-port.js';
import { isDuplicateKeyError, type CollectionLike, type DbLike } from './driver.js';

export const LEASES = 'leases';
export const RECONCILIATIONS = 'reconciliations';

interface LeaseDocument {
  _id: string;
  holder: string;
  until: number;
}

interface RunDocument {
  _id: string;
  report: Record<string, unknown>;
}

export function mongoLeaseStore(db: DbLike): LeaseStore {
  const leases: CollectionLike<LeaseDocument> = db.collection(LEASES);
  return {
    async acquire(name, holder, now, until) {
      try {
        // Held by someone else and not expired: the filter misses and the upsert's insert hits `_id`.
        await leases.findOneAndUpdate({ _id: name, $or: [{ until: { $lte: now } }, { holder }] }, { $set: { holder, until } }, { upsert: true, returnDocument: 'after' });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },
    async release(name, holder) {
      await leases.deleteMany({ _id: name, holder });
    },
  };
}

export function mongoReconciliationStore(db: DbLike): ReconciliationStore {
  const runs: CollectionLike<RunDocument> = db.collection(RECONCILIATIONS);
  const runOf = (doc: RunDocument) => ({ id: doc._id, report: doc.report });
  return {
    async save(run) {
      await runs.findOneAndUpdate({ _id: run.id }, { $set: { report: run.report } }, { upsert: true, returnDocument: 'after' });
    },
    async list({ limit, before }) {
      const docs = await runs.find(before === undefined ? {} : { _id: { $lt: before } }).sort({ _id: -1 }).limit(limit).toArray();
      return docs.map(runOf);
    },
    async get(id) {
      const doc = await runs.findOne({ _id: id });
      return doc === null ? null : runOf(doc);
    },
  };
}
