/**
 * The outbox's part of a `projection_members` document (ARCHITECTURE.md §7): the fields and
 * indexes of delivery.ts, kept apart from projections.ts, which only gives a new member their
 * defaults when it inserts one (pending: version > 0) and, erasing a member, drops its dead letter
 * (DEAD_LETTER_DROPPED); it never writes them otherwise.
 */
import type { IndexDefinition } from './driver.js';

/** The outbox fields of a member document: written by the deliverer only. */
export interface DeliveryFields {
  deliveredVersion: number;
  deliveryAttempts: number;
  /** ms since the epoch. */
  nextAttemptAt: number;
  lastError: string | null;
  /** ms since the epoch; 0: not leased. */
  leaseUntil: number;
  leaseToken: string | null;
  /** Dead-lettered version, 0 for none. */
  deadVersion: number;
  deadLetter: { attempts: number; lastError: string; payloadSample: string; at: string } | null;
}

export const DELIVERY_DEFAULTS: Readonly<DeliveryFields> = {
  deliveredVersion: 0,
  deliveryAttempts: 0,
  nextAttemptAt: 0,
  lastError: null,
  leaseUntil: 0,
  leaseToken: null,
  deadVersion: 0,
  deadLetter: null,
};

/**
 * An erased member's outbox fields: the dead letter goes (its payload sample holds the profile)
 * and the next attempt is due at once, so the new version is delivered; the lease and
 * deliveredVersion stay the deliverer's.
 */
export const DEAD_LETTER_DROPPED: Readonly<Pick<DeliveryFields, 'deadVersion' | 'deadLetter' | 'lastError' | 'deliveryAttempts' | 'nextAttemptAt'>> = {
  deadVersion: 0,
  deadLetter: null,
  lastError: null,
  deliveryAttempts: 0,
  nextAttemptAt: 0,
};

/** Indexes of the member collection that serve the deliverer. */
export const DELIVERY_INDEXES: readonly IndexDefinition[] = [
  /** due(). */
  { key: { nextAttemptAt: 1 }, options: { name: 'next_attempt_at' } },
  /** The dead-letter queue: only members with a dead-lettered version. */
  { key: { _id: 1, deadVersion: 1 }, options: { name: 'dead_letters', partialFilterExpression: { deadVersion: { $gt: 0 } } } },
];
