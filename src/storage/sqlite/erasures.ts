/** SQLite erasure records and tombstone (migration 11), on the process's connection. */
import type Database from 'better-sqlite3';
import type { ErasureRecord, ErasureStore } from '../erasure-port.js';
import { writeTransaction } from './connection.js';

interface Row {
  id: string;
  subject: string | null;
  requested_by: string;
  requested_at: string;
  status: ErasureRecord['status'];
  counts: string;
  finished_at: string | null;
}

const TOMBSTONE_KEY_SETTING = 'tombstone-key';
const COLUMNS = 'id, subject, requested_by, requested_at, status, counts, finished_at';

const recordOf = (row: Row): ErasureRecord => ({
  id: row.id,
  subject: row.subject === null ? null : (JSON.parse(row.subject) as ErasureRecord['subject']),
  requestedBy: row.requested_by,
  requestedAt: row.requested_at,
  status: row.status,
  counts: JSON.parse(row.counts) as ErasureRecord['counts'],
  finishedAt: row.finished_at,
});

export function sqliteErasureStore(db: Database.Database): ErasureStore {
  const insertSetting = db.prepare<[string, string]>('INSERT OR IGNORE INTO erasure_settings (name, value) VALUES (?, ?)');
  const setting = db.prepare<[string], string>('SELECT value FROM erasure_settings WHERE name = ?').pluck();
  const running = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM erasures WHERE member_id = ? AND status != 'done'`);
  const insert = db.prepare<[string, string, string, string, string, string, string]>(
    'INSERT INTO erasures (id, member_id, subject, requested_by, requested_at, status, counts) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const addTombstone = db.prepare<[string]>('INSERT OR IGNORE INTO erasure_tombstones (hash) VALUES (?)');
  const byId = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM erasures WHERE id = ?`);
  const unfinished = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM erasures WHERE status != 'done' ORDER BY id`);
  const list = db.prepare<[string, number], Row>(`SELECT ${COLUMNS} FROM erasures WHERE id < ? ORDER BY id DESC LIMIT ?`);
  const finish = db.prepare<[string, string]>("UPDATE erasures SET status = 'done', member_id = NULL, subject = NULL, finished_at = ? WHERE id = ?");
  const tombstoned = db.prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM erasure_tombstones WHERE hash IN (SELECT value FROM json_each(?)))').pluck();
  const tombstoneCount = db.prepare<[], number>('SELECT COUNT(*) FROM erasure_tombstones').pluck();
  const tombstones = db.prepare<[], string>('SELECT hash FROM erasure_tombstones').pluck();

  const begin = writeTransaction(db, (record: ErasureRecord, hashes: string[]) => {
    const memberId = record.subject?.memberId ?? '';
    const current = running.get(memberId);
    if (current) return { kind: 'running' as const, record: recordOf(current) };
    insert.run(record.id, memberId, JSON.stringify(record.subject), record.requestedBy, record.requestedAt, record.status, JSON.stringify(record.counts));
    for (const hash of hashes) addTombstone.run(hash);
    return { kind: 'started' as const, record };
  });

  return {
    async tombstoneKey(generated) {
      insertSetting.run(TOMBSTONE_KEY_SETTING, generated);
      return setting.get(TOMBSTONE_KEY_SETTING) as string;
    },
    async begin(record, hashes) {
      return begin(record, hashes);
    },
    async update(id, change) {
      const sets: string[] = [];
      const params: string[] = [];
      if (change.status !== undefined) (sets.push('status = ?'), params.push(change.status));
      if (change.counts !== undefined) (sets.push('counts = ?'), params.push(JSON.stringify(change.counts)));
      if (change.subject !== undefined) (sets.push('subject = ?'), params.push(JSON.stringify(change.subject)));
      if (sets.length > 0) db.prepare(`UPDATE erasures SET ${sets.join(', ')} WHERE id = ? AND status != 'done'`).run(...params, id);
    },
    async finish(id, at) {
      finish.run(at, id);
    },
    async get(id) {
      const row = byId.get(id);
      return row ? recordOf(row) : null;
    },
    async unfinished() {
      return unfinished.all().map(recordOf);
    },
    async list({ limit, before }) {
      // Every id sorts below U+FFFF: "before nothing" is every erasure.
      return list.all(before ?? '\uffff', limit).map(recordOf);
    },
    async tombstoned(hashes) {
      return hashes.length > 0 && tombstoned.get(JSON.stringify(hashes)) === 1;
    },
    async tombstoneCount() {
      return tombstoneCount.get() as number;
    },
    async tombstones() {
      return tombstones.all();
    },
  };
}
