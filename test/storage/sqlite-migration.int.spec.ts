/**
 * Migration 8 (statement keys as dictionary codes) on a store written by schema 7: a real
 * SQLite file is migrated to version 7, filled the way the schema-7 adapter wrote statements
 * (JSON body, one `(key text, seq)` row per own and inherited key), then opened by the current
 * adapter. Every query must find what the same statements find when stored by the current
 * adapter, and the old key tables must be gone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/storage/sqlite/migrations.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { NewStatement, StatementQuery, Store } from '../../src/storage/port.js';
import { agent, activity, equivalent, ref, statement, verb, voiding } from './statements.contract.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-migration-'));
  dirs.push(dir);
  return path.join(dir, 'lrs.db');
}

/** Writes statements as the schema-7 adapter did; `keys` of a StatementRef include its target's. */
function writeSchema7Store(file: string, batch: NewStatement[]): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const m of migrations.filter((m) => m.version <= 7)) db.exec(m.sql);
  db.pragma('user_version = 7');
  const insert = db.prepare('INSERT INTO statements (id, stored, voided, voiding, ref_target, body) VALUES (?, ?, ?, ?, ?, ?)');
  const insertKey = db.prepare('INSERT OR IGNORE INTO statement_keys (key, seq) VALUES (?, ?)');
  const keysOf = new Map<string, string[]>();
  const voidedIds = new Set(batch.filter((s) => s.voiding).map((s) => s.refTarget));
  for (const s of batch) {
    const keys = [...new Set([...s.keys, ...(s.refTarget === null ? [] : (keysOf.get(s.refTarget) ?? []))])];
    keysOf.set(s.id, keys);
    const seq = Number(insert.run(s.id, s.statement.stored, voidedIds.has(s.id) ? 1 : 0, s.voiding ? 1 : 0, s.refTarget, JSON.stringify(s.statement)).lastInsertRowid);
    for (const k of keys) insertKey.run(k, seq);
  }
  db.close();
}

function fixture(): NewStatement[] {
  const target = statement({ actor: agent('bob'), verb: verb('completed'), object: activity('course'), context: { registration: 'a8c7e1f2-5b7d-4c3e-9f1a-2b3c4d5e6f70' } });
  const others = [
    statement({ actor: agent('ana'), verb: verb('attempted'), object: activity('course') }),
    statement({ actor: agent('ana'), verb: verb('completed'), object: { objectType: 'Agent', mbox: 'mailto:bob@example.com' } }),
    statement({ actor: agent('carol'), verb: verb('experienced'), object: activity('intro'), context: { instructor: agent('bob'), contextActivities: { parent: [activity('course')] } } }),
  ];
  const comment = statement({ actor: agent('dave'), verb: verb('commented'), object: ref(target.id) });
  const voided = statement({ actor: agent('erin'), object: activity('quiz') });
  return [target, ...others, comment, voided, voiding(voided)];
}

describe('SQLite migration 8: a schema-7 store, migrated in place', () => {
  it('answers every query as a store written by the current adapter does, keeps seqs and bodies, and drops the text key index', async () => {
    const batch = fixture();
    const oldFile = tempFile();
    writeSchema7Store(oldFile, batch);
    const migrated = openSqliteStore(oldFile);
    stores.push(migrated);
    const fresh = openSqliteStore(tempFile());
    stores.push(fresh);
    expect(await fresh.statements.insert(batch, equivalent)).toMatchObject({ kind: 'stored' });

    const allKeys = [...new Set(batch.flatMap((s) => s.keys))];
    expect(allKeys.length).toBeGreaterThan(15);
    const queries: Partial<StatementQuery>[] = [
      {},
      ...allKeys.map((k) => ({ keys: [k] })),
      ...allKeys.slice(0, 12).flatMap((a, i) => allKeys.slice(i + 1, i + 6).map((b) => ({ keys: [a, b] }))),
    ];
    let nonEmpty = 0;
    for (const q of queries) {
      const query: StatementQuery = { keys: [], ascending: true, limit: 100, ...q };
      const expected = (await fresh.statements.query(query)).map((r) => [r.seq, r.id, r.json]);
      expect((await migrated.statements.query(query)).map((r) => [r.seq, r.id, r.json]), JSON.stringify(q)).toEqual(expected);
      if (expected.length > 0) nonEmpty += 1;
    }
    expect(nonEmpty).toBeGreaterThan(allKeys.length);
    for (const s of batch) {
      expect((await migrated.statements.get(s.id, s.id === batch.at(-2)?.id))?.statement).toEqual(s.statement);
    }

    const db = new Database(oldFile, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(8);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").pluck().all();
      expect(tables).toContain('statement_key_names');
      expect(tables).not.toContain('statement_keys_seq');
      // Migration 10: the migrated entries are in the main part; a fresh store's are in the recent one.
      expect(tables).toContain('statement_keys_recent');
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('statement_keys');
      expect(columns).toEqual(['key_id', 'seq', 'kinds']);
    } finally {
      db.close();
    }
  });

  it('a statement stored after the migration inherits the keys of a target stored before it', async () => {
    const [target] = fixture() as [NewStatement];
    const file = tempFile();
    writeSchema7Store(file, [target]);
    const store = openSqliteStore(file);
    stores.push(store);
    const late = statement({ actor: agent('zoe'), verb: verb('commented'), object: ref(target.id) });
    expect(await store.statements.insert([late], equivalent)).toMatchObject({ kind: 'stored' });
    const found = await store.statements.query({ keys: target.keys.filter((k) => k.startsWith('registration:')), ascending: true, limit: 10 });
    expect(found.map((r) => r.id)).toEqual([target.id, late.id]);
  });
});
