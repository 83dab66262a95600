/**
 * The marketplace outbox (ARCHITECTURE.md §7), part of the projection aggregate. There is no separate
 * outbox row: the member record carries its delivery state beside its profile, so "pending" is
 * `version > deliveredVersion` (and above a dead-lettered version), and a profile change and its
 * outbox entry are written by the one commit that writes the member (one row in SQLite, one
 * document in MongoDB). The projector never writes these fields; the deliverer writes only these.
 *
 * A deliverer works on a member under a lease (`claim`): one sender per member at a time, across
 * processes. Each mark is conditional on the lease token, except `markDelivered`, which only
 * ever raises `deliveredVersion` (so a late or duplicate acknowledgement cannot lower it).
 */
import type { ProfileContent } from '../model/profile.js';

export interface DeliveryItem {
  /** HRIS employee id (the outbox key; DLQ entries are named by it). */
  memberId: string;
  /** The id the marketplace knows the member by (pseudonymous for contractors). */
  publishedId: string;
  /** The newest version, the only one worth sending (coalescing). */
  version: number;
  /** The profile content at `version`, rendered with it and `updatedAt` into the PUT body; a terminated member is deleted instead. */
  content: ProfileContent;
  updatedAt: string;
  /** Failed attempts since the last delivery, dead-letter or redrive. */
  attempts: number;
}

export interface DeadLetter {
  memberId: string;
  publishedId: string;
  /** The version that could not be delivered. */
  version: number;
  attempts: number;
  lastError: string;
  /** The beginning of the request body (or a note for a DELETE). */
  payloadSample: string;
  /** When it was dead-lettered (UTC ISO 8601). */
  at: string;
}

export interface DeliveryStatus {
  version: number;
  deliveredVersion: number;
  /** Dead-lettered version, 0 for none; an entry is live while it is above deliveredVersion. */
  deadVersion: number;
  attempts: number;
  /** Earliest next attempt, ms since the epoch (0: now). */
  nextAttemptAt: number;
  lastError: string | null;
  /** Lease expiry, ms since the epoch (0: not leased). */
  leaseUntil: number;
}

export interface Lease {
  /** Unique per claim; marks are accepted only with it. */
  token: string;
  /** Now, ms since the epoch. */
  now: number;
  /** Lease expiry, ms since the epoch. */
  until: number;
}

/** What became of one push attempt, counted per hour for the delivery success rate (no member ids: nothing to erase). */
export const DELIVERY_OUTCOMES = ['delivered_first_attempt', 'delivered_after_retry', 'dead_lettered', 'failed_attempt'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];
/** The hour an outcome is counted in (hours since the epoch). */
export const outcomeHour = (at: number): number => Math.floor(at / 3_600_000);
export const noOutcomes = (): Record<DeliveryOutcome, number> => ({ delivered_first_attempt: 0, delivered_after_retry: 0, dead_lettered: 0, failed_attempt: 0 });

export interface DeliveryStore {
  /** Members with an undelivered, not dead-lettered version whose next attempt is due and that nobody leases; earliest due first. */
  due(now: number, limit: number): Promise<string[]>;
  /** Leases a due member and returns its newest version; null when it is not due, or leased by someone else. */
  claim(memberId: string, lease: Lease): Promise<DeliveryItem | null>;
  /** Records `version` as delivered (never lowers it); with the lease, also resets attempts and releases it. */
  markDelivered(memberId: string, version: number, token: string): Promise<void>;
  /** Records a failed attempt to retry at `nextAttemptAt` and releases the lease (only with the lease). */
  markFailed(memberId: string, token: string, failure: { attempts: number; nextAttemptAt: number; error: string }): Promise<void>;
  /** Dead-letters `entry.version` and releases the lease (only with the lease); a newer version stays pending. */
  markDead(memberId: string, token: string, entry: Omit<DeadLetter, 'memberId' | 'publishedId'>): Promise<void>;
  /** Live dead letters (not superseded by a delivery), by member id, after `after`. */
  deadLetters(options: { limit: number; after?: string }): Promise<DeadLetter[]>;
  /** Makes a dead-lettered member pending again (its newest version is sent); false when it has no live entry. */
  redrive(memberId: string): Promise<boolean>;
  /** Redrives every live entry; returns how many. */
  redriveAll(): Promise<number>;
  /**
   * Makes the newest version pending again although it was delivered (or dead-lettered): the
   * marketplace lost it (ARCHITECTURE.md §9). A member already pending keeps its schedule.
   * False when there is no such member.
   */
  resend(memberId: string): Promise<boolean>;
  status(memberId: string): Promise<DeliveryStatus | null>;
  /** Members with an undelivered, not dead-lettered version (due or backing off). */
  pendingCount(): Promise<number>;
  /** Counts one outcome in the hour of `at` (ms since the epoch). */
  countOutcome(at: number, outcome: DeliveryOutcome): Promise<void>;
  /** The outcomes counted in the hours from the one holding `since` (ms) on. */
  outcomes(since: number): Promise<Record<DeliveryOutcome, number>>;
}
