/** SQLite statement store: one transaction per batch, keys in a WITHOUT ROWID table. */
import type Database from 'better-sqlite3';
import type {
  Equivalence,
  InsertOutcome,
  NewStatement,
  StatementQuery,
  StatementRecord,
  StatementStore,
} from '../port.js';

interface Row {
  seq: number;
  id: string;
  body: string;
  voided: number;
  voiding: number;
}

/** Thrown inside the transaction to roll it back; turned into an InsertOutcome outside. */
class Rejected {
  constructor(readonly outcome: InsertOutcome) {}
}

/** Most selective key kinds first: the query is driven by the first key's index range. */
const KEY_SELECTIVITY = ['registration:', 'agent:', 'activity:', 'ragent:', 'ractivity:', 'verb:'];
function selectivity(k: string): number {
  const rank = KEY_SELECTIVITY.findIndex((prefix) => k.startsWith(prefix));
  return rank === -1 ? KEY_SELECTIVITY.length : rank;
}

function toRecord(row: Row): StatementRecord {
  return { seq: row.seq, id: row.id, statement: JSON.parse(row.body) as Record<string, unknown>, voided: row.voided === 1 };
}

export function sqliteStatementStore(db: Database.Database): StatementStore {
  const byId = db.prepare<[string], Row>('SELECT seq, id, body, voided, voiding FROM statements WHERE id = ?');
  const insertRow = db.prepare<[string, string, number, number, string | null, string]>(
    'INSERT INTO statements (id, stored, voided, voiding, ref_target, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertKey = db.prepare<[string, number | bigint]>('INSERT OR IGNORE INTO statement_keys (key, seq) VALUES (?, ?)');
  const keysOf = db.prepare<[number], { key: string }>('SELECT key FROM statement_keys WHERE seq = ?');
  const referrers = db.prepare<[string], { seq: number; id: string }>('SELECT seq, id FROM statements WHERE ref_target = ?');
  const voidedBy = db.prepare<[string], { seq: number }>('SELECT seq FROM statements WHERE ref_target = ? AND voiding = 1 LIMIT 1');
  const markVoided = db.prepare<[number]>('UPDATE statements SET voided = 1 WHERE seq = ?');
  const maxSeq = db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM statements');
  const log = db.prepare<[number, number], Row>('SELECT seq, id, body, voided, voiding FROM statements WHERE seq > ? ORDER BY seq LIMIT ?');
  const bySeqs = db.prepare<[string], Row>(
    'SELECT seq, id, body, voided, voiding FROM statements WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq',
  );

  /** Gives every statement that refers (directly or through a chain) to `id` the keys of the target. */
  function propagateKeys(id: string, keys: string[], visited: Set<string>): void {
    for (const referrer of referrers.all(id)) {
      if (visited.has(referrer.id)) continue;
      visited.add(referrer.id);
      for (const k of keys) insertKey.run(k, referrer.seq);
      propagateKeys(referrer.id, keys, visited);
    }
  }

  function insertOne(s: NewStatement, equivalent: Equivalence): number {
    const existing = byId.get(s.id);
    if (existing) {
      if (!equivalent(JSON.parse(existing.body) as Record<string, unknown>, s.statement)) {
        throw new Rejected({ kind: 'conflict', id: s.id });
      }
      return existing.seq;
    }
    const target = s.refTarget === null ? undefined : byId.get(s.refTarget);
    if (s.voiding && target?.voiding === 1) {
      throw new Rejected({ kind: 'voids-voiding', id: s.id, target: target.id });
    }
    // A voiding statement may arrive before its target; the target is then stored voided.
    const alreadyVoided = voidedBy.get(s.id) !== undefined;
    const info = insertRow.run(
      s.id,
      s.statement.stored as string,
      alreadyVoided ? 1 : 0,
      s.voiding ? 1 : 0,
      s.refTarget,
      JSON.stringify(s.statement),
    );
    const seq = Number(info.lastInsertRowid);
    const keys = target ? [...new Set([...s.keys, ...keysOf.all(target.seq).map((row) => row.key)])] : s.keys;
    for (const k of keys) insertKey.run(k, seq);
    if (s.voiding && target) markVoided.run(target.seq);
    propagateKeys(s.id, keys, new Set([s.id]));
    return seq;
  }

  const insertBatch = db.transaction((batch: NewStatement[], equivalent: Equivalence) =>
    batch.map((s) => insertOne(s, equivalent)),
  );

  return {
    async insert(batch, equivalent) {
      try {
        return { kind: 'stored', seqs: insertBatch(batch, equivalent) };
      } catch (error) {
        if (error instanceof Rejected) return error.outcome;
        throw error;
      }
    },

    async get(id, voided) {
      const row = byId.get(id.toLowerCase());
      return row && row.voided === (voided ? 1 : 0) ? toRecord(row) : null;
    },

    async query(q: StatementQuery) {
      const keys = [...q.keys].sort((a, b) => selectivity(a) - selectivity(b));
      const params: (string | number)[] = [];
      const where: string[] = ['s.voided = 0'];
      let from = 'statements s';
      let seqColumn = 's.seq';
      const [driver, ...rest] = keys;
      if (driver !== undefined) {
        from = 'statement_keys k0 JOIN statements s ON s.seq = k0.seq';
        seqColumn = 'k0.seq';
        where.unshift('k0.key = ?');
        params.push(driver);
        for (const k of rest) {
          where.push('EXISTS (SELECT 1 FROM statement_keys k WHERE k.key = ? AND k.seq = k0.seq)');
          params.push(k);
        }
      }
      if (q.since !== undefined) (where.push('s.stored > ?'), params.push(q.since));
      if (q.until !== undefined) (where.push('s.stored <= ?'), params.push(q.until));
      if (q.maxSeq !== undefined) (where.push(`${seqColumn} <= ?`), params.push(q.maxSeq));
      if (q.afterSeq !== undefined) {
        where.push(`${seqColumn} ${q.ascending ? '>' : '<'} ?`);
        params.push(q.afterSeq);
      }
      params.push(q.limit);
      const sql = `SELECT s.seq, s.id, s.body, s.voided FROM ${from} WHERE ${where.join(' AND ')}
        ORDER BY ${seqColumn} ${q.ascending ? 'ASC' : 'DESC'} LIMIT ?`;
      return db.prepare<(string | number)[], Row>(sql).all(...params).map(toRecord);
    },

    async maxSeq() {
      return maxSeq.get()?.seq ?? 0;
    },

    async readLog(afterSeq, limit) {
      return log.all(afterSeq, limit).map(toRecord);
    },

    async getBySeqs(seqs) {
      return seqs.length === 0 ? [] : bySeqs.all(JSON.stringify(seqs)).map(toRecord);
    },
  };
}
