/**
 * SQLite outbox: the delivery columns of projection_members (migration 7). The projector's
 * upsert names its own columns only, so it never touches these; a new member starts pending
 * (delivered_version 0). Partial indexes cover the two questions asked often: what is due, and
 * what is dead-lettered.
 */
import type Database from 'better-sqlite3';
import { noOutcomes, outcomeHour, type DeadLetter, type DeliveryItem, type DeliveryOutcome, type DeliveryStore } from '../delivery-port.js';
import { writeTransaction } from './connection.js';

/** Must match the partial index projection_members_due word for word, so the planner uses it. */
const PENDING = 'version > delivered_version AND version > dead_version';
/** Must match the partial index projection_members_dead. */
const DEAD = 'dead_version > delivered_version';

interface ClaimRow {
  member_id: string;
  published_id: string;
  content: string;
  version: number;
  updated_at: string;
  delivery_attempts: number;
}

interface DeadRow {
  member_id: string;
  published_id: string;
  dead_version: number;
  dead_letter: string;
}

interface StatusRow {
  version: number;
  delivered_version: number;
  dead_version: number;
  delivery_attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_until: number;
}

function toDeadLetter(row: DeadRow): DeadLetter {
  const entry = JSON.parse(row.dead_letter) as Omit<DeadLetter, 'memberId' | 'publishedId' | 'version'>;
  return { memberId: row.member_id, publishedId: row.published_id, version: row.dead_version, attempts: entry.attempts, lastError: entry.lastError, payloadSample: entry.payloadSample, at: entry.at };
}

export function sqliteDeliveryStore(db: Database.Database): DeliveryStore {
  const due = db.prepare<[number, number, number], { member_id: string }>(
    `SELECT member_id FROM projection_members WHERE ${PENDING} AND next_attempt_at <= ? AND lease_until <= ? ORDER BY next_attempt_at, member_id LIMIT ?`,
  );
  const claim = db.prepare<[number, string, string, number, number], ClaimRow>(
    `UPDATE projection_members SET lease_until = ?, lease_token = ?
     WHERE member_id = ? AND ${PENDING} AND next_attempt_at <= ? AND lease_until <= ?
     RETURNING member_id, published_id, content, version, updated_at, delivery_attempts`,
  );
  const raiseDelivered = db.prepare<[number, string]>('UPDATE projection_members SET delivered_version = MAX(delivered_version, ?) WHERE member_id = ?');
  const releaseDelivered = db.prepare<[string, string]>(
    `UPDATE projection_members SET delivery_attempts = 0, next_attempt_at = 0, last_error = NULL, lease_until = 0, lease_token = NULL
     WHERE member_id = ? AND lease_token = ?`,
  );
  const failed = db.prepare<[number, number, string, string, string]>(
    `UPDATE projection_members SET delivery_attempts = ?, next_attempt_at = ?, last_error = ?, lease_until = 0, lease_token = NULL
     WHERE member_id = ? AND lease_token = ?`,
  );
  const dead = db.prepare<[number, string, string, string, string]>(
    `UPDATE projection_members SET dead_version = MAX(dead_version, ?), dead_letter = ?, last_error = ?,
       delivery_attempts = 0, next_attempt_at = 0, lease_until = 0, lease_token = NULL
     WHERE member_id = ? AND lease_token = ?`,
  );
  const deadLetters = db.prepare<[string, number], DeadRow>(
    `SELECT member_id, published_id, dead_version, dead_letter FROM projection_members WHERE ${DEAD} AND member_id > ? ORDER BY member_id LIMIT ?`,
  );
  const redrive = db.prepare<[string]>(
    `UPDATE projection_members SET dead_version = 0, dead_letter = NULL, delivery_attempts = 0, next_attempt_at = 0 WHERE member_id = ? AND ${DEAD}`,
  );
  const redriveAll = db.prepare<[]>(`UPDATE projection_members SET dead_version = 0, dead_letter = NULL, delivery_attempts = 0, next_attempt_at = 0 WHERE ${DEAD}`);
  const resend = db.prepare<[string]>(
    `UPDATE projection_members SET delivered_version = MIN(delivered_version, version - 1), dead_version = 0, dead_letter = NULL,
       delivery_attempts = 0, next_attempt_at = 0 WHERE member_id = ? AND NOT (${PENDING})`,
  );
  const exists = db.prepare<[string], { n: number }>('SELECT 1 AS n FROM projection_members WHERE member_id = ?');
  const status = db.prepare<[string], StatusRow>(
    'SELECT version, delivered_version, dead_version, delivery_attempts, next_attempt_at, last_error, lease_until FROM projection_members WHERE member_id = ?',
  );
  const pendingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM projection_members WHERE ${PENDING}`);
  const countOutcome = db.prepare<[number, string]>(
    'INSERT INTO delivery_outcomes (hour, outcome, count) VALUES (?, ?, 1) ON CONFLICT (hour, outcome) DO UPDATE SET count = count + 1',
  );
  const outcomes = db.prepare<[number], { outcome: DeliveryOutcome; n: number }>('SELECT outcome, SUM(count) AS n FROM delivery_outcomes WHERE hour >= ? GROUP BY outcome');

  const markDelivered = writeTransaction(db, (memberId: string, version: number, token: string) => {
    raiseDelivered.run(version, memberId);
    releaseDelivered.run(memberId, token);
  });

  return {
    async due(now, limit) {
      return due.all(now, now, limit).map((r) => r.member_id);
    },
    async claim(memberId, lease) {
      const row = claim.get(lease.until, lease.token, memberId, lease.now, lease.now);
      if (!row) return null;
      const content = JSON.parse(row.content) as DeliveryItem['content'];
      return { memberId: row.member_id, publishedId: row.published_id, version: row.version, content, updatedAt: row.updated_at, attempts: row.delivery_attempts } satisfies DeliveryItem;
    },
    async markDelivered(memberId, version, token) {
      markDelivered(memberId, version, token);
    },
    async markFailed(memberId, token, f) {
      failed.run(f.attempts, f.nextAttemptAt, f.error, memberId, token);
    },
    async markDead(memberId, token, entry) {
      const { version, ...rest } = entry;
      dead.run(version, JSON.stringify(rest), entry.lastError, memberId, token);
    },
    async deadLetters({ limit, after }) {
      return deadLetters.all(after ?? '', limit).map(toDeadLetter);
    },
    async redrive(memberId) {
      return redrive.run(memberId).changes > 0;
    },
    async redriveAll() {
      return redriveAll.run().changes;
    },
    async resend(memberId) {
      return resend.run(memberId).changes > 0 || exists.get(memberId) !== undefined;
    },
    async status(memberId) {
      const row = status.get(memberId);
      if (!row) return null;
      return {
        version: row.version,
        deliveredVersion: row.delivered_version,
        deadVersion: row.dead_version,
        attempts: row.delivery_attempts,
        nextAttemptAt: row.next_attempt_at,
        lastError: row.last_error,
        leaseUntil: row.lease_until,
      };
    },
    async pendingCount() {
      return pendingCount.get()?.n ?? 0;
    },
    async countOutcome(at, outcome) {
      countOutcome.run(outcomeHour(at), outcome);
    },
    async outcomes(since) {
      const counts = noOutcomes();
      for (const row of outcomes.all(outcomeHour(since))) counts[row.outcome] = row.n;
      return counts;
    },
  };
}
