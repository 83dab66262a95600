/**
 * SQLite statement store. Queries (GET /statements pages) run on the statement reader thread
 * (reader-thread.ts), the other reads on the process's connection; inserts go to the statement
 * writer thread (statement-writer.ts), which decides and writes in one transaction and asks
 * back here when a re-sent statement must be compared with the stored one.
 *
 * Schema (migrations 8 and 10): `statements` holds each statement's JSON once, with its id,
 * stored, voiding flags and the codes of its keys; `statement_keys` is the key index, integer
 * rows (name id, seq, kinds), its newest entries in `statement_keys_recent` until the writer
 * moves them; `statement_key_names` maps each key text to its id (key-dictionary.ts).
 * A query names its keys by text and the SQL looks their ids up, so this side needs no cache
 * of the dictionary.
 */
import type Database from 'better-sqlite3';
import type { Equivalence, NewStatement, StatementQuery, StatementRecord, StatementStore } from '../port.js';
import { recordFromJson } from '../statement-record.js';
import { comparisonKey, insertRequest } from './statement-writer.js';
import { SELF, indexEntry } from './key-dictionary.js';
import type { WriterClient } from './writer-client.js';
import type { ReaderClient } from './reader-client.js';

/** A statement row as better-sqlite3's raw mode gives it (arrays, not objects: a page makes hundreds). */
type Row = [seq: number, id: string, stored: string, body: string, voided: number];

const COLUMNS = 's.seq, s.id, s.stored, s.body, s.voided';

/** Most selective key kinds first: the query is driven by the first key's index range. */
const KEY_SELECTIVITY = ['registration:', 'agent:', 'activity:', 'ragent:', 'ractivity:', 'verb:'];
function selectivity(k: string): number {
  const rank = KEY_SELECTIVITY.findIndex((prefix) => k.startsWith(prefix));
  return rank === -1 ? KEY_SELECTIVITY.length : rank;
}

/** The condition that an index entry (alias `k`) holds `key`, with its parameter: the entry by name, and the key's bit of its kinds unless it is the name itself. */
function keyCondition(alias: string, key: string): { sql: string; param: string } {
  const { name, bit } = indexEntry(key);
  const byName = `${alias}.key_id = (SELECT id FROM statement_key_names WHERE key = ?)`;
  return { sql: bit === SELF ? byName : `${byName} AND ${alias}.kinds & ${bit} != 0`, param: name };
}

/** The two parts of the key index (migration 10): every entry is in exactly one of them. */
const KEY_TABLES = ['statement_keys', 'statement_keys_recent'] as const;

/**
 * The SQL of a query and its parameters. With keys, the first (most selective) key drives: the
 * page is read from each part of the key index in seq order and the two are merged (SQLite
 * merges the two ordered, limited arms of the UNION ALL); the other keys are checked in both.
 */
function querySql(q: StatementQuery): { sql: string; params: (string | number)[] } {
  const keys = [...new Set(q.keys)].sort((a, b) => selectivity(a) - selectivity(b));
  const order = q.ascending ? 'ASC' : 'DESC';
  const [driver, ...rest] = keys;

  /** The conditions on a statement (and on its seq, named by `seqColumn`) besides the driving key. */
  function filters(seqColumn: string): { where: string[]; params: (string | number)[] } {
    const where: string[] = ['s.voided = 0'];
    const params: (string | number)[] = [];
    for (const k of rest) {
      const c = keyCondition('k', k);
      where.push(`(${KEY_TABLES.map((t) => `EXISTS (SELECT 1 FROM ${t} k WHERE ${c.sql} AND k.seq = ${seqColumn})`).join(' OR ')})`);
      params.push(c.param, c.param);
    }
    if (q.since !== undefined) (where.push('s.stored > ?'), params.push(q.since));
    if (q.until !== undefined) (where.push('s.stored <= ?'), params.push(q.until));
    if (q.maxSeq !== undefined) (where.push(`${seqColumn} <= ?`), params.push(q.maxSeq));
    if (q.afterSeq !== undefined) (where.push(`${seqColumn} ${q.ascending ? '>' : '<'} ?`), params.push(q.afterSeq));
    return { where, params };
  }

  if (driver === undefined) {
    const { where, params } = filters('s.seq');
    return { sql: `SELECT ${COLUMNS} FROM statements s WHERE ${where.join(' AND ')} ORDER BY s.seq ${order} LIMIT ?`, params: [...params, q.limit] };
  }
  const first = keyCondition('k0', driver);
  const { where, params } = filters('k0.seq');
  const arm = (table: string) =>
    `SELECT ${COLUMNS} FROM ${table} k0 JOIN statements s ON s.seq = k0.seq WHERE ${[first.sql, ...where].join(' AND ')} ORDER BY k0.seq ${order} LIMIT ?`;
  const armParams = [first.param, ...params, q.limit];
  return {
    sql: `SELECT * FROM (${arm(KEY_TABLES[0])}) UNION ALL SELECT * FROM (${arm(KEY_TABLES[1])}) ORDER BY seq ${order} LIMIT ?`,
    params: [...armParams, ...armParams, q.limit],
  };
}

const toRecord = ([seq, id, stored, body, voided]: Row): StatementRecord => recordFromJson({ seq, id, voided: voided === 1, stored }, body);

const toWire = (s: NewStatement) => ({ id: s.id, json: JSON.stringify(s.statement), stored: s.statement.stored as string, refTarget: s.refTarget, voiding: s.voiding, keys: s.keys });

export function sqliteStatementStore(db: Database.Database, writer: WriterClient, reader: ReaderClient): StatementStore {
  const rows = <P extends unknown[]>(sql: string) => db.prepare<P, Row>(sql).raw();
  const byId = rows<[string]>(`SELECT ${COLUMNS} FROM statements s WHERE s.id = ?`);
  // AUTOINCREMENT's record of the highest seq given: an erasure of the newest statements does not lower it.
  const maxSeq = db.prepare<[], number | null>("SELECT seq FROM sqlite_sequence WHERE name = 'statements'").pluck();
  const log = rows<[number, number]>(`SELECT ${COLUMNS} FROM statements s WHERE s.seq > ? ORDER BY s.seq LIMIT ?`);
  const bySeqs = rows<[string]>(`SELECT ${COLUMNS} FROM statements s WHERE s.seq IN (SELECT value FROM json_each(?)) ORDER BY s.seq`);

  return {
    async insert(batch, equivalent: Equivalence) {
      // Only the JSON text is kept from here on: the parsed statements can be collected while the
      // writer works (held across its commit, they would outlive the young generation).
      const statements = batch.map(toWire);
      const parsed = (i: number) => JSON.parse((statements[i] as { json: string }).json) as Record<string, unknown>;
      const known: string[] = [];
      for (;;) {
        const result = await writer.request(insertRequest(statements, known));
        if (result.op !== 'insert') throw new Error(`the statement writer answered ${result.op} to an insert`);
        const { reply } = result;
        if (reply.kind !== 'compare') return reply;
        // Comparisons come in batch order: the first that fails is the batch's conflict.
        for (const c of reply.comparisons) {
          const against = c.with === 'stored' ? (JSON.parse(c.storedJson as string) as Record<string, unknown>) : parsed(c.with);
          if (!equivalent(against, parsed(c.index))) return { kind: 'conflict', id: c.id };
          known.push(comparisonKey(c));
        }
      }
    },

    async get(id, voided) {
      const row = byId.get(id.toLowerCase());
      return row && row[4] === (voided ? 1 : 0) ? toRecord(row) : null;
    },

    async query(q: StatementQuery) {
      return ((await reader.request(querySql(q))) as Row[]).map(toRecord);
    },

    async maxSeq() {
      return maxSeq.get() ?? 0;
    },

    async readLog(afterSeq, limit) {
      return log.all(afterSeq, limit).map(toRecord);
    },

    async getBySeqs(seqs) {
      return seqs.length === 0 ? [] : bySeqs.all(JSON.stringify(seqs)).map(toRecord);
    },

    async erase(seqs) {
      if (seqs.length === 0) return { seqs: [], attachments: 0 };
      const result = await writer.request({ op: 'erase', seqs });
      if (result.op !== 'erase') throw new Error(`the statement writer answered ${result.op} to an erase`);
      return result.erased;
    },
  };
}
