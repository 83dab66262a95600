/**
 * The MongoDB identity adapter's own logic — indexes, key claims, crash windows, races
 * between processes — run on test/storage/mingo-db.ts, an in-process TEST DOUBLE for a MongoDB
 * server built on mingo (not a database). The contract it shares with SQLite is in
 * identity.contract.int.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { mongoStoreFromDb } from '../../src/storage/mongodb/index.js';
import {
  EMPLOYEES,
  IDENTITY_AUDIT,
  IDENTITY_INDEXES,
  IDENTITY_KEYS,
  STALE_CLAIM_MS,
  toAuditDocuments,
  toEmployeeDocument,
  type EmployeeDocument,
} from '../../src/storage/mongodb/identity.js';
import type { Store } from '../../src/storage/port.js';
import { identityKey } from '../../projections/identity/keys.js';
import { MingoDb } from './mingo-db.js';
import { employee, row } from './identity.contract.js';

const STANDIN = 'MongoDB identity adapter on mingo stand-in';
const T1 = '2026-01-05T09:00:00.000Z';
const T2 = '2026-01-05T09:00:30.000Z';
const LATER = new Date(Date.parse(T1) + STALE_CLAIM_MS + 1000).toISOString();

async function twoProcesses(): Promise<{ db: MingoDb; one: Store; two: Store }> {
  const db = new MingoDb();
  return { db, one: await mongoStoreFromDb(db, async () => {}), two: await mongoStoreFromDb(db, async () => {}) };
}

const employeeDocs = (db: MingoDb) => db.collection(EMPLOYEES).all() as unknown as EmployeeDocument[];
const claims = (db: MingoDb) => db.collection(IDENTITY_KEYS).all() as { _id: string; employeeId: string }[];

describe(`${STANDIN}: documents and indexes`, () => {
  it(`${STANDIN}: creates the designed indexes at start-up, idempotently`, async () => {
    const db = new MingoDb();
    await mongoStoreFromDb(db, async () => {});
    await mongoStoreFromDb(db, async () => {});
    for (const [collection, indexes] of Object.entries(IDENTITY_INDEXES)) {
      expect(db.collection(collection).indexes).toEqual(indexes);
    }
  });

  it(`${STANDIN}: an employee document holds its committed keys and changeSeq; claims name their holder`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    const r = row(employee('E1'));
    await store.identity.upsert(r, 'hris-csv', T1);
    const [doc] = employeeDocs(db);
    expect(doc).toMatchObject({ _id: 'E1', email: 'e1@acme.example', keys: r.keys, changeSeq: 1, updatedAt: T1 });
    expect(doc).not.toHaveProperty('employeeId');
    expect(doc).not.toHaveProperty('pendingAudit'); // copied to identity_audit and cleared
    expect(claims(db).map((c) => c._id).sort()).toEqual([...r.keys].sort());
    expect(db.collection(IDENTITY_AUDIT).all().map((a) => a._id)).toEqual(['1.0', '1.1']);
  });
});

describe(`${STANDIN}: recovery from a crash between two writes`, () => {
  it(`${STANDIN}: audit entries left pending on the employee are copied by the next audit read, once`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    // The state a crash right after the employee write leaves behind.
    const e = employee('E1');
    const entries = toAuditDocuments([{ at: T1, action: 'employee.created', employeeId: 'E1', source: 'hris-csv', details: {} }], 7);
    await db.collection(EMPLOYEES).insertMany([toEmployeeDocument(e, row(e).keys, 7, T1, entries) as unknown as Record<string, unknown>], { ordered: true });
    expect(await store.identity.audit({ limit: 10 })).toEqual([{ at: T1, action: 'employee.created', employeeId: 'E1', source: 'hris-csv', details: {} }]);
    expect(await store.identity.audit({ limit: 10 })).toHaveLength(1);
    expect(employeeDocs(db)[0]).not.toHaveProperty('pendingAudit');
  });

  it(`${STANDIN}: holders ignores a claim its holder never committed, and the holder's next change removes it`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    await store.identity.upsert(row(employee('E1')), 'hris-csv', T1);
    // A claim left by an attempt that died before writing the employee.
    await db.collection(IDENTITY_KEYS).insertMany([{ _id: 'email:stray@acme.example', employeeId: 'E1', claimedAt: T1 }], { ordered: true });
    expect(await store.identity.holders(['email:stray@acme.example'])).toEqual(new Map());
    await store.identity.upsert(row(employee('E1', { jobTitle: 'Lead' })), 'hris-csv', T2);
    expect(claims(db).map((c) => c._id)).not.toContain('email:stray@acme.example');
  });

  it(`${STANDIN}: another employee's uncommitted claim blocks a key until it is stale, then is taken over`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    await store.identity.upsert(row(employee('E1')), 'hris-csv', T1);
    const wanted = identityKey.email('ana@acme.example');
    await db.collection(IDENTITY_KEYS).insertMany([{ _id: wanted, employeeId: 'E1', claimedAt: T1 }], { ordered: true });
    const ana = row(employee('E2', { email: 'ana@acme.example' }));
    expect(await store.identity.upsert(ana, 'hris-csv', T2)).toMatchObject({ kind: 'key-taken', key: wanted, heldBy: 'E1' });
    expect(claims(db).filter((c) => c.employeeId === 'E2')).toEqual([]); // E2's other claims were given back
    expect(await store.identity.upsert(ana, 'hris-csv', LATER)).toMatchObject({ kind: 'created' });
    expect(await store.identity.holders([wanted])).toEqual(new Map([[wanted, 'E2']]));
  });
});

describe(`${STANDIN}: two processes without transactions`, () => {
  it(`${STANDIN}: losing the race to create an employee decides again against the winner's document`, async () => {
    const { db, one, two } = await twoProcesses();
    db.beforeInsertMany(EMPLOYEES, async () => {
      expect((await two.identity.upsert(row(employee('E1')), 'hris-csv', T1)).kind).toBe('created');
    });
    const outcome = await one.identity.upsert(row(employee('E1', { jobTitle: 'Lead' })), 'hris-csv', T2);
    expect(outcome).toMatchObject({ kind: 'updated', fields: ['jobTitle'] });
    expect(employeeDocs(db)).toHaveLength(1);
    expect((await one.identity.get('E1'))?.jobTitle).toBe('Lead');
    expect((await one.identity.audit({ employeeId: 'E1', limit: 10 })).map((a) => a.action)).toEqual([
      'employee.updated',
      'identity.key-added',
      'employee.created',
    ]);
  });

  it(`${STANDIN}: the same event delivered to two processes at once is applied once, the other is a duplicate`, async () => {
    const { db, one, two } = await twoProcesses();
    const hire = row(employee('E1'));
    db.beforeInsertMany('hris_events', async () => {
      // The second delivery arrives once the first has written the employee.
      expect(await two.identity.upsert(hire, 'hris-event:ev-1', T1, 'ev-1')).toMatchObject({ kind: 'unchanged' });
    });
    expect(await one.identity.upsert(hire, 'hris-event:ev-1', T1, 'ev-1')).toEqual({ kind: 'duplicate-event', employeeId: 'E1', eventId: 'ev-1' });
    expect(await one.identity.upsert(hire, 'hris-event:ev-1', T2, 'ev-1')).toMatchObject({ kind: 'duplicate-event' });
    expect((await one.identity.audit({ limit: 10 })).filter((a) => a.action === 'employee.created')).toHaveLength(1);
  });

  it(`${STANDIN}: two employees racing for one address: one gets it, the other is refused with nothing left claimed`, async () => {
    const { db, one, two } = await twoProcesses();
    db.beforeInsertMany(IDENTITY_KEYS, async () => {
      expect((await two.identity.upsert(row(employee('E2', { email: 'shared@acme.example' })), 'hris-csv', T1)).kind).toBe('created');
    });
    const outcome = await one.identity.upsert(row(employee('E1', { email: 'shared@acme.example' })), 'hris-csv', T1);
    expect(outcome).toMatchObject({ kind: 'key-taken', heldBy: 'E2' });
    expect(await one.identity.get('E1')).toBeNull();
    expect(claims(db).every((c) => c.employeeId === 'E2')).toBe(true);
  });

  it(`${STANDIN}: upserts of one instance are serialized, so changeSeqs are committed in order`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    const outcomes = await Promise.all(['E1', 'E2', 'E3', 'E4'].map((id) => store.identity.upsert(row(employee(id)), 's', T1)));
    expect(outcomes.map((o) => (o as { changeSeq: number }).changeSeq)).toEqual([1, 2, 3, 4]);
    expect((await store.identity.changesSince(0, 10)).map((e) => e.employeeId)).toEqual(['E1', 'E2', 'E3', 'E4']);
  });
});
