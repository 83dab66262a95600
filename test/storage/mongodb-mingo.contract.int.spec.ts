/**
 * The MongoDB adapter's own code (filters, updates, indexes, conflict and race handling) run
 * against test/storage/mingo-db.ts — an in-process TEST DOUBLE for a MongoDB server built on
 * mingo, not a database. The same contract runs on a real server in mongodb.contract.int.spec.ts
 * when MONGODB_URL is set.
 */
import { describe, expect, it } from 'vitest';
import { mongoStoreFromDb } from '../../src/storage/mongodb/index.js';
import { STATEMENT_INDEXES, type StatementDocument } from '../../src/storage/mongodb/statement-documents.js';
import type { Store } from '../../src/storage/port.js';
import { WriteContentionError } from '../../src/storage/contention.js';
import { DuplicateKeyError, MingoDb } from './mingo-db.js';
import { describeStoreContracts } from './contracts.js';
import { STANDIN, openMingoStore } from './backends.js';
import {
  agent,
  agentKey,
  equivalent,
  ref,
  statement,
  verb,
  voiding,
} from './statements.contract.js';


describeStoreContracts(STANDIN, openMingoStore);

/** Two adapter instances over one stand-in database: two LRS processes sharing a server. */
async function twoWriters(): Promise<{ db: MingoDb; one: Store; two: Store }> {
  const db = new MingoDb();
  return { db, one: await mongoStoreFromDb(db, async () => {}), two: await mongoStoreFromDb(db, async () => {}) };
}

const docs = (db: MingoDb) => db.collection('statements').all() as unknown as StatementDocument[];

describe(`${STANDIN}: documents, indexes and round trips`, () => {
  it(`${STANDIN}: creates the designed indexes at start-up, idempotently`, async () => {
    const db = new MingoDb();
    await mongoStoreFromDb(db, async () => {});
    await mongoStoreFromDb(db, async () => {});
    expect(db.collection('statements').indexes).toEqual(STATEMENT_INDEXES);
  });

  it(`${STANDIN}: stores the designed document shape and a counter document`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    const t = statement();
    const v = voiding(t);
    await store.statements.insert([t, v], equivalent);
    const [dt, dv] = docs(db);
    expect(dt).toEqual({ _id: 1, id: t.id, stored: t.statement.stored, voided: true, voiding: false, keys: t.keys, statement: t.statement });
    expect(dt).not.toHaveProperty('refTarget');
    expect(dv).toMatchObject({ _id: 2, id: v.id, voided: false, voiding: true, refTarget: t.id });
    expect(new Set(dv?.keys)).toEqual(new Set([...v.keys, ...t.keys]));
    expect(db.collection('counters').all()).toEqual([{ _id: 'statements', seq: 2 }]);
  });

  it(`${STANDIN}: statements are inserted already carrying inherited keys and voided flags (no window without them)`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    const u = statement({ actor: agent('uma') });
    await store.statements.insert([u], equivalent);
    // In one batch, referrers before their targets: c → r → t → u (u already stored); v voids t.
    const t = statement({ actor: agent('bob'), verb: verb('commented'), object: ref(u.id) });
    const r = statement({ actor: agent('carol'), verb: verb('commented'), object: ref(t.id) });
    const c = statement({ actor: agent('dave'), verb: verb('commented'), object: ref(r.id) });
    const v = voiding(t);
    let inserted: StatementDocument[] = [];
    db.beforeInsertMany('statements', (batch) => {
      inserted = batch as unknown as StatementDocument[];
    });
    db.calls.length = 0;
    await store.statements.insert([v, c, r, t], equivalent);
    const byId = new Map(inserted.map((d) => [d.id, d]));
    expect(byId.get(c.id)?.keys).toEqual(expect.arrayContaining([agentKey('dave'), agentKey('carol'), agentKey('bob'), agentKey('uma')]));
    expect(byId.get(v.id)?.keys).toEqual(expect.arrayContaining([agentKey('bob'), agentKey('uma')]));
    expect(byId.get(t.id)?.voided).toBe(true);
    expect(db.calls.filter((x) => x.method === 'updateOne' || x.method === 'updateMany')).toEqual([]);
  });

  it(`${STANDIN}: one counter round trip and one insertMany per batch, no transaction`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    db.calls.length = 0;
    await store.statements.insert([statement(), statement(), statement()], equivalent);
    const count = (method: string) => db.calls.filter((c) => c.method === method).length;
    expect(count('findOneAndUpdate')).toBe(1);
    expect(count('insertMany')).toBe(1);
    expect(db.calls.map((c) => `${c.collection}.${c.method}`)).toEqual([
      'statements.find', // look-up
      'counters.findOneAndUpdate', // seq reservation
      'statements.insertMany',
      'statements.find', // referrers of the new statements
    ]);
  });

  it(`${STANDIN}: an equivalent re-send writes nothing`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    const a = statement();
    await store.statements.insert([a], equivalent);
    db.calls.length = 0;
    expect(await store.statements.insert([a], equivalent)).toEqual({ kind: 'stored', seqs: [1] });
    expect(db.calls).toEqual([{ collection: 'statements', method: 'find' }]);
  });

  it(`${STANDIN}: batches of one instance are serialized, so seq order is insert order`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.statements.insert([statement(), statement()], equivalent)),
    );
    expect(results.flatMap((r) => (r.kind === 'stored' ? r.seqs : []))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(docs(db).map((d) => d._id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe(`${STANDIN}: concurrent writers without transactions`, () => {
  it(`${STANDIN}: losing the race to an equivalent statement withdraws the batch and stores it against the winner`, async () => {
    const { db, one, two } = await twoWriters();
    const [a, b, c] = [statement(), statement(), statement()];
    db.beforeInsertMany('statements', async () => {
      expect(await two.statements.insert([b], equivalent)).toEqual({ kind: 'stored', seqs: [4] });
    });
    // Seqs 1–3 are reserved and given up; the re-evaluated batch reuses b's seq 4.
    expect(await one.statements.insert([a, b, c], equivalent)).toEqual({ kind: 'stored', seqs: [5, 4, 6] });
    expect(docs(db).map((d) => [d._id, d.id])).toEqual([
      [4, b.id],
      [5, a.id],
      [6, c.id],
    ]);
  });

  it(`${STANDIN}: losing the race to a different statement reports a conflict and deletes what the batch inserted`, async () => {
    const { db, one, two } = await twoWriters();
    const [a, b, c] = [statement(), statement(), statement()];
    const rival = statement({ id: b.id, verb: verb('completed') });
    let insertedBeforeRefusal: unknown;
    db.beforeInsertMany('statements', async () => {
      await two.statements.insert([rival], equivalent);
    });
    const original = db.collection('statements').insertMany.bind(db.collection('statements'));
    db.collection('statements').insertMany = async (...args) => {
      try {
        return await original(...args);
      } catch (error) {
        insertedBeforeRefusal = error instanceof DuplicateKeyError ? error.insertedIds : undefined;
        throw error;
      }
    };
    expect(await one.statements.insert([a, b, c], equivalent)).toEqual({ kind: 'conflict', id: b.id });
    expect(insertedBeforeRefusal).toEqual({ 0: 1 }); // a got in before the refusal…
    expect(docs(db).map((d) => d.id)).toEqual([rival.id]); // …and was deleted again.
    expect(await one.statements.get(a.id, false)).toBeNull();
    expect(await one.statements.maxSeq()).toBe(4);
  });

  it(`${STANDIN}: losing the race twice fails without storing anything of the batch`, async () => {
    const { db, one, two } = await twoWriters();
    const [a, b] = [statement(), statement()];
    db.beforeInsertMany('statements', async () => {
      await two.statements.insert([a], equivalent);
      db.beforeInsertMany('statements', async () => {
        await two.statements.insert([b], equivalent);
      });
    });
    const lost = one.statements.insert([a, b], equivalent);
    await expect(lost).rejects.toThrow(/lost the race/);
    await expect(lost).rejects.toBeInstanceOf(WriteContentionError);
    expect(docs(db).map((d) => d.id)).toEqual([a.id, b.id]);
    expect(docs(db).map((d) => d._id)).toEqual([3, 5]); // the rival's; 1–2 and 4 were withdrawn
  });

  it(`${STANDIN}: a voiding statement stored while its target's batch was in flight still voids it`, async () => {
    const { db, one, two } = await twoWriters();
    const t = statement();
    const v = voiding(t);
    db.beforeInsertMany('statements', async () => {
      await two.statements.insert([v], equivalent);
    });
    await one.statements.insert([t], equivalent);
    expect(await one.statements.get(t.id, false)).toBeNull();
    expect(await one.statements.get(t.id, true)).not.toBeNull();
  });

  it(`${STANDIN}: a target stored while its referrer's batch was in flight still gives its keys`, async () => {
    const { db, one, two } = await twoWriters();
    const t = statement({ actor: agent('bob') });
    const r = statement({ actor: agent('carol'), verb: verb('commented'), object: ref(t.id) });
    db.beforeInsertMany('statements', async () => {
      await two.statements.insert([t], equivalent);
    });
    await one.statements.insert([r], equivalent);
    const found = await one.statements.query({ keys: [agentKey('bob')], ascending: true, limit: 10 });
    expect(found.map((s) => s.id).sort()).toEqual([t.id, r.id].sort());
  });

  it(`${STANDIN}: a referrer stored while its target's batch was in flight still gets the target's keys`, async () => {
    const { db, one, two } = await twoWriters();
    const t = statement({ actor: agent('bob') });
    const r = statement({ actor: agent('carol'), verb: verb('commented'), object: ref(t.id) });
    db.beforeInsertMany('statements', async () => {
      await two.statements.insert([r], equivalent);
    });
    await one.statements.insert([t], equivalent);
    const found = await one.statements.query({ keys: [agentKey('bob')], ascending: true, limit: 10 });
    expect(found.map((s) => s.id).sort()).toEqual([t.id, r.id].sort());
  });
});

describe('mingo stand-in for a MongoDB server (test double): the driver behaviour the adapter relies on', () => {
  it('mingo stand-in: an ordered insertMany stops at a duplicate key with an error shaped like the driver’s', async () => {
    const c = new MingoDb().collection('things');
    await c.createIndex({ id: 1 }, { name: 'id_unique', unique: true });
    await c.insertMany([{ _id: 1, id: 'x' }], { ordered: true });
    const error = await c.insertMany([{ _id: 2, id: 'y' }, { _id: 3, id: 'x' }, { _id: 4, id: 'z' }], { ordered: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateKeyError);
    expect(error).toMatchObject({
      name: 'MongoBulkWriteError',
      code: 11000,
      writeErrors: [{ index: 1, code: 11000, keyValue: { id: 'x' } }],
      insertedCount: 1,
      insertedIds: { 0: 2 },
    });
    expect((error as Error).message).toMatch(/^E11000 duplicate key error collection: \S+ index: id_unique/);
    expect(c.all().map((d) => d._id)).toEqual([1, 2]);
  });

  it('mingo stand-in: an unordered insertMany goes on after a duplicate key; _id is always unique', async () => {
    const c = new MingoDb().collection('things');
    await c.insertMany([{ _id: 1 }], { ordered: true });
    await expect(c.insertMany([{ _id: 1 }, { _id: 2 }], { ordered: false })).rejects.toMatchObject({ code: 11000 });
    expect(c.all().map((d) => d._id)).toEqual([1, 2]);
  });

  it('mingo stand-in: findOneAndUpdate upserts and increments, returning the document after', async () => {
    const c = new MingoDb().collection('counters');
    const opts = { upsert: true, returnDocument: 'after' } as const;
    expect(await c.findOneAndUpdate({ _id: 's' }, { $inc: { seq: 3 } }, opts)).toEqual({ _id: 's', seq: 3 });
    expect(await c.findOneAndUpdate({ _id: 's' }, { $inc: { seq: 2 } }, opts)).toEqual({ _id: 's', seq: 5 });
    expect(await c.findOneAndUpdate({ _id: 't' }, { $inc: { seq: 1 } }, { upsert: false, returnDocument: 'after' })).toBeNull();
  });

  it('mingo stand-in: updates apply $set and $addToSet with $each; returned documents are copies', async () => {
    const c = new MingoDb().collection('things');
    await c.insertMany([{ _id: 1, keys: ['a'], voided: false }], { ordered: true });
    await c.updateOne({ _id: 1 }, { $addToSet: { keys: { $each: ['a', 'b'] } } });
    await c.updateMany({ _id: { $in: [1] } }, { $set: { voided: true } });
    const got = await c.findOne({ _id: 1 });
    expect(got).toEqual({ _id: 1, keys: ['a', 'b'], voided: true });
    (got?.keys as string[]).push('mutated');
    expect(c.all()).toEqual([{ _id: 1, keys: ['a', 'b'], voided: true }]);
    await expect(c.updateOne({ _id: 1 }, { voided: false })).rejects.toThrow(/update operators/);
  });

  it('mingo stand-in: find filters, sorts, limits and projects', async () => {
    const c = new MingoDb().collection('things');
    await c.insertMany([1, 2, 3, 4].map((n) => ({ _id: n, even: n % 2 === 0, body: { n } })), { ordered: true });
    expect(await c.find({ even: true }, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray()).toEqual([{ _id: 4 }]);
    expect(await c.deleteMany({ _id: { $in: [1, 2] } })).toEqual({ deletedCount: 2 });
    expect((await c.find({}).toArray()).map((d) => d._id)).toEqual([3, 4]);
  });
});
