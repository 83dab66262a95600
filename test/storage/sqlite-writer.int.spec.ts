/**
 * The SQLite statement writer: group commits on a real file. In-process (statement-writer.ts,
 * what the writer thread runs) for what one group does, and through the store (the real writer
 * thread) for concurrent callers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openConnection } from '../../src/storage/sqlite/connection.js';
import { migrate } from '../../src/storage/sqlite/migrations.js';
import { insertRequest, statementWriter, type WriterRequest } from '../../src/storage/sqlite/statement-writer.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { NewStatement } from '../../src/storage/port.js';
import { agent, agentKey, equivalent, statement, verb } from './statements.contract.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-writer-'));
  dirs.push(dir);
  return path.join(dir, 'lrs.db');
}

const wire = (s: NewStatement) => ({ id: s.id, json: JSON.stringify(s.statement), stored: s.statement.stored as string, refTarget: s.refTarget, voiding: s.voiding, keys: s.keys });
const insert = (...batch: NewStatement[]): WriterRequest => insertRequest(batch.map(wire), []);

describe('SQLite statement writer: one group commit', () => {
  it('applies each request of a group all or nothing: a failing request leaves the others written', () => {
    const db = openConnection(tempFile(), { cacheMiB: 2 });
    migrate(db);
    const writer = statementWriter(db);
    const a = statement({ actor: agent('ana') });
    const b = statement({ actor: agent('bob') });
    // A NOT NULL column refuses the second write of the second request, after its first was made.
    const broken: WriterRequest = {
      op: 'definitions',
      writes: [
        { id: 'http://example.com/a1', expected: null, definition: '{}' },
        { id: 'http://example.com/a2', expected: null, definition: null as unknown as string },
      ],
    };
    const replies = writer.commit([insert(a), broken, insert(b)]);
    expect(replies.map((r) => r.ok)).toEqual([true, false, true]);
    expect(replies[1]).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_NOTNULL' } });
    expect(db.prepare('SELECT id FROM statements ORDER BY seq').pluck().all()).toEqual([a.id, b.id]);
    expect(db.prepare('SELECT COUNT(*) FROM activities').pluck().get()).toBe(0);
    db.close();
  });

  it('a later request of the group sees what an earlier one wrote (re-send, StatementRef target)', () => {
    const db = openConnection(tempFile(), { cacheMiB: 2 });
    migrate(db);
    const writer = statementWriter(db);
    const a = statement({ actor: agent('ana') });
    const referrer = statement({ actor: agent('carl'), verb: verb('commented'), object: { objectType: 'StatementRef', id: a.id } });
    const [first, again, ref] = writer.commit([insert(a), insert(a), insert(referrer)]);
    expect(first).toMatchObject({ ok: true, result: { reply: { kind: 'stored' } } });
    expect(again).toMatchObject({ ok: true, result: { reply: { kind: 'compare', comparisons: [{ index: 0, id: a.id, with: 'stored', storedJson: JSON.stringify(a.statement) }] } } });
    expect(ref).toMatchObject({ ok: true, result: { reply: { kind: 'stored' } } });
    const codes = db.prepare('SELECT key_codes FROM statements WHERE id = ?').pluck().get(referrer.id) as string;
    const targetCodes = (db.prepare('SELECT key_codes FROM statements WHERE id = ?').pluck().get(a.id) as string).split(',');
    expect(codes.split(',')).toEqual(expect.arrayContaining(targetCodes));
    db.close();
  });
});

describe('SQLite statement writer thread: concurrent callers', () => {
  it('stores concurrent batches each all or nothing, and a conflicting one stores nothing of itself only', async () => {
    const store = openSqliteStore(tempFile());
    try {
      const existing = statement({ actor: agent('zoe') });
      expect(await store.statements.insert([existing], equivalent)).toMatchObject({ kind: 'stored' });
      const batches = Array.from({ length: 30 }, (_, i) => Array.from({ length: 5 }, () => statement({ actor: agent(`p${i}`) })));
      const clash = [statement({ actor: agent('x') }), statement({ id: existing.id, verb: verb('completed') })];
      const outcomes = await Promise.all([...batches, clash].map((batch) => store.statements.insert(batch, equivalent)));
      expect(outcomes.slice(0, 30).every((o) => o.kind === 'stored')).toBe(true);
      expect(outcomes[30]).toEqual({ kind: 'conflict', id: existing.id });
      expect(await store.statements.get((clash[0] as NewStatement).id, false)).toBeNull();
      const seqs = outcomes.slice(0, 30).flatMap((o) => (o.kind === 'stored' ? o.seqs : []));
      expect(new Set(seqs).size).toBe(150);
      for (const [i, batch] of batches.entries()) {
        const found = await store.statements.query({ keys: [agentKey(`p${i}`)], ascending: true, limit: 10 });
        expect(found.map((r) => r.id)).toEqual(batch.map((s) => s.id));
      }
    } finally {
      await store.close();
    }
  });

  it('keeps answering after close and reopen of the store (the thread is started again on demand)', async () => {
    const file = tempFile();
    const first = openSqliteStore(file);
    const a = statement({ id: randomUUID() });
    await first.statements.insert([a], equivalent);
    await first.close();
    const second = openSqliteStore(file);
    try {
      expect(await second.statements.insert([statement()], equivalent)).toMatchObject({ kind: 'stored' });
      expect((await second.statements.get(a.id, false))?.id).toBe(a.id);
    } finally {
      await second.close();
    }
  });
});

describe('SQLite store checkpoint', () => {
  it('moves what the writer journaled into the database file (the writer leaves it to this)', async () => {
    const file = tempFile();
    const store = openSqliteStore(file);
    try {
      await store.statements.insert(Array.from({ length: 200 }, () => statement()), equivalent);
      const before = fs.statSync(file).size;
      await store.checkpoint();
      expect(fs.statSync(file).size).toBeGreaterThan(before + 100_000);
      expect((await store.statements.query({ keys: [], ascending: true, limit: 500 })).length).toBe(200);
    } finally {
      await store.close();
    }
  });
});

