/**
 * MongoDB outbox: the delivery fields of `projection_members` documents (outbox-fields.ts),
 * so a profile version and its "pending" state change in one single-document write; no
 * transaction needed. Every write here touches one member document. Filters and
 * updates are exported for the tests.
 *
 * "Pending" compares two fields of a document (`$expr`), which no index can answer: `due()`
 * narrows by the `next_attempt_at` index and evaluates the comparison on what it reads.
 */
import { noOutcomes, outcomeHour, type DeadLetter, type DeliveryItem, type DeliveryOutcome, type DeliveryStore } from '../delivery-port.js';
import type { CollectionLike, DbLike, Filter } from './driver.js';
import { DELIVERY_DEFAULTS, type DeliveryFields } from './outbox-fields.js';
import { PROJECTION_MEMBERS, type MemberDocument } from './projections.js';

type MemberWithDelivery = MemberDocument & DeliveryFields;

export const PENDING: Filter = { $expr: { $and: [{ $gt: ['$version', '$deliveredVersion'] }, { $gt: ['$version', '$deadVersion'] }] } };

export function dueFilter(now: number): Filter {
  return { ...PENDING, nextAttemptAt: { $lte: now }, leaseUntil: { $lte: now } };
}

/** Live dead letters: a dead-lettered version not superseded by a delivery. */
export function deadFilter(after?: string): Filter {
  return { deadVersion: { $gt: 0 }, $expr: { $gt: ['$deadVersion', '$deliveredVersion'] }, ...(after !== undefined ? { _id: { $gt: after } } : {}) };
}

const RELEASE = { leaseUntil: 0, leaseToken: null };
const REDRIVE = { $set: { deadVersion: 0, deadLetter: null, deliveryAttempts: 0, nextAttemptAt: 0 } };

/** Members written before the outbox existed get its fields (undelivered). Idempotent; run at start-up. */
export async function backfillDeliveryFields(db: DbLike): Promise<void> {
  await db.collection(PROJECTION_MEMBERS).updateMany({ deliveredVersion: { $exists: false } }, { $set: { ...DELIVERY_DEFAULTS } });
}

function toDeadLetter(doc: MemberWithDelivery): DeadLetter {
  const entry = doc.deadLetter ?? { attempts: 0, lastError: '', payloadSample: '', at: '' };
  return { memberId: doc._id, publishedId: doc.publishedId, version: doc.deadVersion, ...entry };
}

export const DELIVERY_OUTCOMES_COLLECTION = 'delivery_outcomes';

/** One counter per hour and outcome. */
interface OutcomeDocument {
  _id: string;
  hour: number;
  outcome: DeliveryOutcome;
  count: number;
}

export function mongoDeliveryStore(db: DbLike): DeliveryStore {
  const members: CollectionLike<MemberWithDelivery> = db.collection(PROJECTION_MEMBERS);
  const outcomes: CollectionLike<OutcomeDocument> = db.collection(DELIVERY_OUTCOMES_COLLECTION);
  return {
    async due(now, limit) {
      const docs = await members.find(dueFilter(now), { projection: { _id: 1 } }).sort({ nextAttemptAt: 1, _id: 1 }).limit(limit).toArray();
      return docs.map((d) => d._id);
    },
    async claim(memberId, lease) {
      const doc = await members.findOneAndUpdate(
        { _id: memberId, ...dueFilter(lease.now) },
        { $set: { leaseUntil: lease.until, leaseToken: lease.token } },
        { upsert: false, returnDocument: 'after' },
      );
      if (doc === null) return null;
      const content = JSON.parse(doc.content) as DeliveryItem['content'];
      return { memberId: doc._id, publishedId: doc.publishedId, version: doc.version, content, updatedAt: doc.updatedAt, attempts: doc.deliveryAttempts } satisfies DeliveryItem;
    },
    async markDelivered(memberId, version, token) {
      // First the fact (only ever raised), then the lease's bookkeeping.
      await members.updateOne({ _id: memberId }, { $max: { deliveredVersion: version } });
      await members.updateOne({ _id: memberId, leaseToken: token }, { $set: { deliveryAttempts: 0, nextAttemptAt: 0, lastError: null, ...RELEASE } });
    },
    async markFailed(memberId, token, f) {
      await members.updateOne({ _id: memberId, leaseToken: token }, { $set: { deliveryAttempts: f.attempts, nextAttemptAt: f.nextAttemptAt, lastError: f.error, ...RELEASE } });
    },
    async markDead(memberId, token, entry) {
      const { version, ...rest } = entry;
      await members.updateOne(
        { _id: memberId, leaseToken: token },
        { $max: { deadVersion: version }, $set: { deadLetter: rest, lastError: entry.lastError, deliveryAttempts: 0, nextAttemptAt: 0, ...RELEASE } },
      );
    },
    async deadLetters({ limit, after }) {
      const docs = await members.find(deadFilter(after)).sort({ _id: 1 }).limit(limit).toArray();
      return docs.map(toDeadLetter);
    },
    async redrive(memberId) {
      return (await members.findOneAndUpdate({ _id: memberId, ...deadFilter() }, REDRIVE, { upsert: false, returnDocument: 'after' })) !== null;
    },
    async redriveAll() {
      return (await members.updateMany(deadFilter(), REDRIVE)).matchedCount;
    },
    async resend(memberId) {
      const doc = await members.findOne({ _id: memberId });
      if (doc === null) return false;
      if (doc.version > doc.deliveredVersion && doc.version > doc.deadVersion) return true; // pending already
      // Conditional on what was read: a delivery or a new version in between leaves it as it is (pending or sent).
      await members.updateOne(
        { _id: memberId, version: doc.version, deliveredVersion: doc.deliveredVersion, deadVersion: doc.deadVersion },
        { $set: { deliveredVersion: Math.min(doc.deliveredVersion, doc.version - 1), deadVersion: 0, deadLetter: null, deliveryAttempts: 0, nextAttemptAt: 0 } },
      );
      return true;
    },
    async status(memberId) {
      const doc = await members.findOne({ _id: memberId });
      if (doc === null) return null;
      return {
        version: doc.version,
        deliveredVersion: doc.deliveredVersion,
        deadVersion: doc.deadVersion,
        attempts: doc.deliveryAttempts,
        nextAttemptAt: doc.nextAttemptAt,
        lastError: doc.lastError,
        leaseUntil: doc.leaseUntil,
      };
    },
    async pendingCount() {
      return members.countDocuments(PENDING);
    },
    async countOutcome(at, outcome) {
      const hour = outcomeHour(at);
      await outcomes.findOneAndUpdate({ _id: `${hour}:${outcome}` }, { $inc: { count: 1 }, $setOnInsert: { hour, outcome } }, { upsert: true, returnDocument: 'after' });
    },
    async outcomes(since) {
      const counts = noOutcomes();
      for (const doc of await outcomes.find({ hour: { $gte: outcomeHour(since) } }).toArray()) counts[doc.outcome] += doc.count;
      return counts;
    },
  };
}
