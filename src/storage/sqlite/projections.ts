/**
 * SQLite projection store: a batch is one transaction covering members, links, unmatched rows and
 * checkpoints. Its members are checked against the stored ones first (CommitOutcome in
 * projection-port.ts): a stale one refuses the whole batch before anything is written.
 */
import type Database from 'better-sqlite3';
import type { CommitOutcome, ProjectionBatch, ProjectionStore } from '../projection-port.js';
import { writeTransaction } from './connection.js';
import { memberRecordOf, profileRecordOf, storedMember, type StoredMember } from '../stored-member.js';
import { emptyFold } from '../../model/member-fold.js';

/** The member columns under the names of StoredMember. */
const MEMBER_COLUMNS = `member_id AS memberId, published_id AS publishedId, content, state, version, updated_at AS updatedAt, last_seq AS lastSeq`;

/** An erased member is kept only until the marketplace has its DELETE: no one's profile. */
const NOT_ERASED = "json_extract(content, '$.status') IS NOT 'erased'";

export function sqliteProjectionStore(db: Database.Database): ProjectionStore {
  const checkpoint = db.prepare<[string], { position: number }>('SELECT position FROM projection_checkpoints WHERE name = ?');
  const setCheckpoint = db.prepare<[string, number]>(
    'INSERT INTO projection_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  );
  const upsertMember = db.prepare<[string, string, string, string, number, string, number]>(
    `INSERT INTO projection_members (member_id, published_id, content, state, version, updated_at, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET published_id = excluded.published_id, content = excluded.content, state = excluded.state,
       version = excluded.version, updated_at = excluded.updated_at, last_seq = excluded.last_seq`,
  );
  /** A stored member this record was not computed from (CommitOutcome in projection-port.ts). */
  const stale = db.prepare<[string, number, number, string, number, number], { member_id: string }>(
    `SELECT member_id FROM projection_members
     WHERE member_id = ? AND NOT ((version = ? - 1 OR (version = ? AND updated_at = ?)) AND (? OR last_seq <= ?))`,
  );
  const bumpVersion = db.prepare<[string, string, number]>('UPDATE projection_members SET version = version + 1, updated_at = ? WHERE member_id = ? AND version = ?');
  const member = db.prepare<[string], StoredMember>(`SELECT ${MEMBER_COLUMNS} FROM projection_members WHERE member_id = ?`);
  const byPublished = db.prepare<[string], StoredMember>(`SELECT ${MEMBER_COLUMNS} FROM projection_members WHERE published_id = ? AND ${NOT_ERASED}`);
  const link = db.prepare<[string, number]>('INSERT OR IGNORE INTO projection_links (member_id, seq) VALUES (?, ?)');
  const memberSeqs = db.prepare<[string], { seq: number }>('SELECT seq FROM projection_links WHERE member_id = ? ORDER BY seq');
  const membersOfSeqs = db.prepare<[string], { seq: number; member_id: string }>(
    'SELECT seq, member_id FROM projection_links WHERE seq IN (SELECT value FROM json_each(?))',
  );
  const addUnmatched = db.prepare<[string, number]>('INSERT OR IGNORE INTO projection_unmatched (key, seq) VALUES (?, ?)');
  const removeUnmatched = db.prepare<[number]>('DELETE FROM projection_unmatched WHERE seq = ?');
  const unmatchedWithKeys = db.prepare<[string], { seq: number }>(
    'SELECT DISTINCT seq FROM projection_unmatched WHERE key IN (SELECT value FROM json_each(?)) ORDER BY seq',
  );
  const unmatchedCount = db.prepare<[], { n: number }>('SELECT COUNT(DISTINCT seq) AS n FROM projection_unmatched');

  const linksOfMember = db.prepare<[string]>('DELETE FROM projection_links WHERE member_id = ?');
  const linksOfSeqs = db.prepare<[string]>('DELETE FROM projection_links WHERE seq IN (SELECT value FROM json_each(?))');
  const unmatchedOf = db.prepare<[string, string]>(
    'DELETE FROM projection_unmatched WHERE seq IN (SELECT value FROM json_each(?)) OR key IN (SELECT value FROM json_each(?))',
  );
  // Counted by statement, as unmatchedCount counts.
  const unmatchedSeqsOf = db.prepare<[string, string], number>(
    'SELECT COUNT(DISTINCT seq) FROM projection_unmatched WHERE seq IN (SELECT value FROM json_each(?)) OR key IN (SELECT value FROM json_each(?))',
  ).pluck();
  // A new version pending delivery, the dead letter (whose payload sample holds the profile) dropped.
  const emptyMember = db.prepare<[string, string, string, string]>(
    `UPDATE projection_members SET content = ?, state = ?, updated_at = ?,
       version = version + (CASE WHEN json_extract(content, '$.status') = 'erased' THEN 0 ELSE 1 END),
       dead_version = 0, dead_letter = NULL, last_error = NULL, delivery_attempts = 0, next_attempt_at = 0
     WHERE member_id = ?`,
  );
  const remove = db.prepare<[string]>('DELETE FROM projection_members WHERE member_id = ?');
  const erase = writeTransaction(db, (request: Parameters<ProjectionStore['erase']>[0]) => {
    const seqs = JSON.stringify(request.seqs);
    const keys = JSON.stringify(request.keys);
    const unmatched = unmatchedSeqsOf.get(seqs, keys) as number;
    unmatchedOf.run(seqs, keys);
    const links = linksOfMember.run(request.memberId).changes + linksOfSeqs.run(seqs).changes;
    const state = JSON.stringify(emptyFold());
    const profile = emptyMember.run(JSON.stringify(request.erased), state, request.at, request.memberId).changes > 0;
    return { links, unmatched, profile };
  });

  const commit = writeTransaction(db, (batch: ProjectionBatch): CommitOutcome => {
    const rebuild = batch.replaceAll ? 1 : 0;
    for (const m of batch.members) {
      if (stale.get(m.memberId, m.version, m.version, m.updatedAt, rebuild, m.lastSeq)) return { kind: 'conflict', memberId: m.memberId };
    }
    if (batch.replaceAll) db.exec('DELETE FROM projection_links; DELETE FROM projection_unmatched;');
    for (const m of batch.members) {
      const stored = storedMember(m);
      upsertMember.run(stored.memberId, stored.publishedId, stored.content, stored.state, stored.version, stored.updatedAt, stored.lastSeq);
    }
    for (const l of batch.links) link.run(l.memberId, l.seq);
    for (const seq of batch.resolved) removeUnmatched.run(seq);
    for (const u of batch.unmatched) for (const key of u.keys) addUnmatched.run(key, u.seq);
    for (const [name, position] of Object.entries(batch.checkpoints)) setCheckpoint.run(name, position);
    return { kind: 'committed' };
  });

  return {
    async checkpoint(name) {
      return checkpoint.get(name)?.position ?? 0;
    },
    async commit(batch) {
      return commit(batch);
    },
    async member(memberId) {
      const row = member.get(memberId);
      return row ? memberRecordOf(row) : null;
    },
    async memberSeqs(memberId) {
      return memberSeqs.all(memberId).map((r) => r.seq);
    },
    async membersOfSeqs(seqs) {
      if (seqs.length === 0) return new Map();
      return new Map(membersOfSeqs.all(JSON.stringify(seqs)).map((r) => [r.seq, r.member_id]));
    },
    async unmatchedWithKeys(keys) {
      if (keys.length === 0) return [];
      return unmatchedWithKeys.all(JSON.stringify(keys)).map((r) => r.seq);
    },
    async unmatchedCount() {
      return unmatchedCount.get()?.n ?? 0;
    },
    async profile(publishedId) {
      const row = byPublished.get(publishedId);
      return row ? profileRecordOf(row) : null;
    },
    async profiles({ after, limit, updatedSince }) {
      const where: string[] = [NOT_ERASED];
      const params: (string | number)[] = [];
      if (after !== undefined) (where.push('published_id > ?'), params.push(after));
      if (updatedSince !== undefined) (where.push('updated_at >= ?'), params.push(updatedSince));
      params.push(limit + 1);
      const rows = db
        .prepare<(string | number)[], StoredMember>(`SELECT ${MEMBER_COLUMNS} FROM projection_members WHERE ${where.join(' AND ')} ORDER BY published_id LIMIT ?`)
        .all(...params);
      const page = rows.slice(0, limit);
      return { profiles: page.map(profileRecordOf), next: rows.length > limit ? (page[page.length - 1]?.publishedId ?? null) : null };
    },
    async bumpVersion(memberId, fromVersion, updatedAt) {
      return bumpVersion.run(updatedAt, memberId, fromVersion).changes > 0;
    },
    async erase(request) {
      return erase(request);
    },
    async remove(memberId) {
      return remove.run(memberId).changes > 0;
    },
  };
}

