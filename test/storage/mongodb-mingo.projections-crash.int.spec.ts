/**
 * Crash windows of the MongoDB projection store, which has no transactions: a crash is
 * simulated by failing the n-th write to a projection collection, for every n, on
 * test/storage/mingo-db.ts — an in-process TEST DOUBLE for a MongoDB server built on mingo,
 * not a database.
 * - store level: a commit that crashed anywhere, committed again, gives the uncrashed result;
 *   a rebuild that crashed before its switch leaves the previous links, unmatched rows and
 *   checkpoints as readers saw them, and running it again converges;
 * - projector level (projections/worker/projector.ts, real write path, mapping and identity):
 *   a batch that crashed anywhere (and again during its replay) and is then replayed by the
 *   worker gives the same projection as an uncrashed run, which equals the SQLite adapter's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mongoStoreFromDb } from '../../src/storage/mongodb/index.js';
import { PROJECTION_CHECKPOINTS, PROJECTION_MEMBERS, type ProjectionDbLike } from '../../src/storage/mongodb/projections.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { Store } from '../../src/storage/port.js';
import type { Employee } from '../../src/storage/identity-port.js';
import type { ProjectionBatch } from '../../src/storage/projection-port.js';
import { actorIdentityKeys, employeeIdentityKeys, type IdentityConfig } from '../../projections/identity/keys.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { CHECKPOINT, Projector } from '../../projections/worker/projector.js';
import { identityRules } from '../../projections/worker/runtime.js';
import { storeStatements } from '../../lrs/statements/write.js';
import { MingoDb } from './mingo-db.js';
import { batch, member } from './projections.contract.js';
import { employee } from '../projections/support.js';

const STANDIN = 'MongoDB projection adapter on mingo stand-in';
const WRITES = new Set(['insertMany', 'updateOne', 'updateMany', 'deleteMany', 'findOneAndUpdate']);

class Crash extends Error {
  constructor(readonly at: string) {
    super(`simulated crash before ${at}`);
  }
}

/**
 * The stand-in seen through a hook run before every write to a `projection_*` collection:
 * `crashAt(n)` fails the n-th write from now (the write is not applied), `before(n, run)`
 * runs something (a concurrent writer) just before it.
 */
function hooked(db: MingoDb) {
  let count = 0;
  let armed: { n: number; run: () => Promise<void> } | null = null;
  const proxy: ProjectionDbLike = {
    collection(name) {
      const collection = db.collection(name);
      return new Proxy(collection, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown;
          if (typeof value !== 'function') return value;
          if (typeof prop !== 'string' || !WRITES.has(prop) || !name.startsWith('projection_')) return value.bind(target);
          return async (...args: unknown[]) => {
            count += 1;
            if (armed && count === armed.n) {
              const { run } = armed;
              armed = null;
              await run();
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
  return {
    db: proxy,
    /** Writes to projection collections so far. */
    get writes() {
      return count;
    },
    crashAt(n: number) {
      armed = { n: count + n, run: async () => { throw new Crash(`projection write ${n}`); } };
    },
    before(n: number, run: () => Promise<void>) {
      armed = { n: count + n, run };
    },
    disarm() {
      armed = null;
    },
  };
}

/** What readers of the projection can see, for these members, seqs and keys. */
async function view(store: Store, memberIds: string[], seqs: number[], keys: string[]) {
  const members = await Promise.all(memberIds.map(async (id) => [id, await store.projections.member(id), await store.projections.memberSeqs(id)] as const));
  return {
    members,
    owners: [...(await store.projections.membersOfSeqs(seqs))].sort(([a], [b]) => a - b),
    unmatched: await store.projections.unmatchedWithKeys(keys),
    unmatchedCount: await store.projections.unmatchedCount(),
    checkpoints: [await store.projections.checkpoint('statements'), await store.projections.checkpoint('identity')],
  };
}

// ---------------------------------------------------------------------------------------------
// Store level
// ---------------------------------------------------------------------------------------------

const KEYS = ['sha1:aaa', 'email:a@example.com', 'email:b@example.com', 'account:E9'];
const SEQS = Array.from({ length: 12 }, (_, i) => i + 1);
const IDS = ['E1', 'E2', 'E3'];

const before: ProjectionBatch = batch({
  checkpoints: { statements: 6, identity: 2 },
  members: [member('E1', { lastSeq: 4 }), member('E2', { lastSeq: 5 })],
  links: [{ memberId: 'E1', seq: 1 }, { memberId: 'E1', seq: 4 }, { memberId: 'E2', seq: 5 }],
  unmatched: [{ seq: 2, keys: ['sha1:aaa', 'email:a@example.com'] }, { seq: 3, keys: ['email:b@example.com'] }, { seq: 6, keys: ['account:E9'] }],
});

const incremental: ProjectionBatch = batch({
  checkpoints: { statements: 10, identity: 3 },
  members: [member('E1', { extra: 1, version: 2, updatedAt: '2026-02-01T00:00:00.000Z', lastSeq: 9 }), member('E3', { lastSeq: 8 }), member('E2', { lastSeq: 7 })],
  links: [{ memberId: 'E1', seq: 9 }, { memberId: 'E3', seq: 2 }, { memberId: 'E3', seq: 8 }, { memberId: 'E2', seq: 7 }],
  unmatched: [{ seq: 10, keys: ['email:b@example.com', 'sha1:aaa'] }],
  resolved: [2],
});

const rebuild: ProjectionBatch = batch({
  replaceAll: true,
  checkpoints: { statements: 12, identity: 3 },
  members: [member('E1', { extra: 1, version: 2, updatedAt: '2026-02-01T00:00:00.000Z', lastSeq: 11 }), member('E2', { lastSeq: 3 }), member('E3', { lastSeq: 12 })],
  links: [{ memberId: 'E1', seq: 1 }, { memberId: 'E1', seq: 11 }, { memberId: 'E2', seq: 3 }, { memberId: 'E3', seq: 12 }],
  unmatched: [{ seq: 4, keys: ['email:a@example.com'] }, { seq: 6, keys: ['account:E9'] }],
});

async function storeWith(prior: ProjectionBatch[]) {
  const mingo = new MingoDb();
  const hook = hooked(mingo);
  const store = await mongoStoreFromDb(hook.db, async () => {});
  for (const b of prior) await store.projections.commit(b);
  return { mingo, hook, store };
}

async function writesOf(prior: ProjectionBatch[], b: ProjectionBatch): Promise<number> {
  const { hook, store } = await storeWith(prior);
  const start = hook.writes;
  await store.projections.commit(b);
  return hook.writes - start;
}

describe(`${STANDIN}: a commit that crashed anywhere`, () => {
  it(`${STANDIN}: an incremental commit crashed at any write, committed again, equals the uncrashed commit`, async () => {
    const { store: clean } = await storeWith([before, incremental]);
    const expected = await view(clean, IDS, SEQS, KEYS);
    const writes = await writesOf([before], incremental);
    expect(writes).toBeGreaterThanOrEqual(6);
    for (let n = 1; n <= writes; n++) {
      const { hook, store } = await storeWith([before]);
      hook.crashAt(n);
      await expect(store.projections.commit(incremental)).rejects.toBeInstanceOf(Crash);
      // Until the checkpoint document is written, the batch is not committed as far as the worker knows.
      expect(await store.projections.checkpoint('statements')).toBe(6);
      await store.projections.commit(incremental);
      expect(await view(store, IDS, SEQS, KEYS), `crash at write ${n}`).toEqual(expected);
    }
  });

  it(`${STANDIN}: a rebuild crashed before its switch leaves the previous rows and checkpoints; run again it converges`, async () => {
    const { store: clean } = await storeWith([before, incremental, rebuild]);
    const expected = await view(clean, IDS, SEQS, KEYS);
    const { store: old } = await storeWith([before, incremental]);
    const previous = await view(old, IDS, SEQS, KEYS);
    const writes = await writesOf([before, incremental], rebuild);
    let beforeSwitch = 0;
    for (let n = 1; n <= writes; n++) {
      const { mingo, hook, store } = await storeWith([before, incremental]);
      hook.crashAt(n);
      await expect(store.projections.commit(rebuild)).rejects.toBeInstanceOf(Crash);
      const seen = await view(store, IDS, SEQS, KEYS);
      const switched = (mingo.collection(PROJECTION_CHECKPOINTS).all()[0] as { generation: number }).generation === 1;
      if (!switched) {
        beforeSwitch += 1;
        // Members already rewritten are the rebuilt ones; everything else is as before.
        expect({ ...seen, members: [] }, `crash at write ${n}`).toEqual({ ...previous, members: [] });
        for (const [id, record, seqs] of seen.members) {
          const rebuilt = rebuild.members.find((m) => m.memberId === id);
          expect([previous.members.find(([p]) => p === id)?.[1] ?? null, rebuilt]).toContainEqual(record);
          expect(seqs).toEqual(previous.members.find(([p]) => p === id)?.[2]);
        }
      } else {
        expect(seen, `crash at write ${n} (after the switch)`).toEqual(expected);
      }
      await store.projections.commit(rebuild);
      expect(await view(store, IDS, SEQS, KEYS), `crash at write ${n}, rebuilt again`).toEqual(expected);
      // And incremental batches carry on from the rebuilt slot.
      await store.projections.commit(batch({ checkpoints: { statements: 13 }, links: [{ memberId: 'E2', seq: 13 }] }));
      expect(await store.projections.memberSeqs('E2')).toEqual([3, 13]);
    }
    expect(beforeSwitch).toBeGreaterThanOrEqual(5);
  });

  it(`${STANDIN}: of two rebuilds racing, the one that switches second fails and leaves the winner's rows`, async () => {
    const { hook, store } = await storeWith([before]);
    const other = batch({ replaceAll: true, checkpoints: { statements: 6, identity: 2 }, links: [{ memberId: 'E2', seq: 1 }], unmatched: [] });
    const writes = await writesOf([before], rebuild);
    // Just before the switch of `rebuild` (its last-but-two write), `other` runs to completion.
    hook.before(writes - 2, async () => {
      await store.projections.commit(other);
    });
    await expect(store.projections.commit(rebuild)).rejects.toThrow(/lost the switch/);
    expect(await store.projections.membersOfSeqs(SEQS)).toEqual(new Map([[1, 'E2']]));
    expect(await store.projections.unmatchedCount()).toBe(0);
    expect(await store.projections.checkpoint('statements')).toBe(6);
  });
});

// ---------------------------------------------------------------------------------------------
// Projector level
// ---------------------------------------------------------------------------------------------

const NOW = '2026-03-02T08:00:00.000Z';
const IDENTITY: IdentityConfig = { hrisAccountHomePage: 'https://hris.acme.example', emailDomainAliases: new Map() };
const IDENTITY_RULES = identityRules(IDENTITY, 'test-key');
const mapping = loadMapping();

const ADL = 'http://adlnet.gov/expapi/verbs/';
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const at = (minute: number) => new Date(Date.parse('2026-03-01T09:00:00.000Z') + minute * 60_000).toISOString();

function xapi(n: number, who: string, verb: string, course: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uuid(n),
    actor: { objectType: 'Agent', mbox: `mailto:${who}` },
    verb: { id: `${ADL}${verb}`, display: { 'en-US': verb } },
    object: { objectType: 'Activity', id: `https://lms.example.com/courses/${course}`, definition: { name: { 'en-US': `Course ${course}` } } },
    timestamp: at(n),
    ...extra,
  };
}

const voids = (n: number, target: number) => ({
  id: uuid(n), actor: { objectType: 'Agent', mbox: 'mailto:admin@acme.example' }, verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: uuid(target) }, timestamp: at(n),
});

/** The scenario: a first batch, then one batch with everything a replay must get right. */
const FIRST = [
  xapi(1, 'e1@acme.example', 'registered', 'safety.101'),
  xapi(2, 'e1@acme.example', 'completed', 'safety.101', { result: { score: { scaled: 0.7 }, success: true, completion: true } }),
  xapi(3, 'e2@acme.example', 'scored', 'typescript', { result: { score: { raw: 40, min: 0, max: 50 } } }),
  xapi(4, 'e3@acme.example', 'passed', 'negotiation'),
  xapi(5, 'stranger@elsewhere.example', 'launched', 'safety.101'),
];
const SECOND = [
  // More for E1 (incremental fold: counted once even when replayed after E1 was written).
  xapi(10, 'e1@acme.example', 'scored', 'safety.101', { result: { score: { scaled: 0.9 } } }),
  xapi(11, 'e1@acme.example', 'scored', 'safety.101', { result: { score: { scaled: 0.8 } } }),
  // E2's score is voided (recompute).
  voids(12, 3),
  xapi(13, 'e2@acme.example', 'completed', 'typescript'),
  // E3 is hired in this batch: statement 4 stops being unmatched (resolved, recompute).
  xapi(14, 'e3@acme.example', 'scored', 'negotiation', { result: { score: { raw: 77 } } }),
  xapi(15, 'stranger@elsewhere.example', 'completed', 'safety.101'),
];
const MEMBERS = ['E1', 'E2', 'E3'];
const ACTOR_KEYS = ['e1', 'e2', 'e3'].flatMap((e) => actorIdentityKeys({ mbox: `mailto:${e}@acme.example` }, IDENTITY)).concat(actorIdentityKeys({ mbox: 'mailto:stranger@elsewhere.example' }, IDENTITY));

async function bench(store: Store) {
  const projector = new Projector({ store, mapping, identity: IDENTITY_RULES, now: () => NOW });
  const authority = { objectType: 'Agent', account: { homePage: 'urn:lrs:credential', name: 'test' } };
  const post = (statements: Record<string, unknown>[]) =>
    storeStatements({ statements, asArray: true, attachments: [] }, { store: store.statements, attachments: store.attachments, activities: store.activities, authority, now: () => NOW });
  const hire = async (e: Employee) => {
    await store.identity.upsert({ employee: e, keys: employeeIdentityKeys(e, IDENTITY) }, 'test', NOW);
  };
  const drain = async () => {
    for (let i = 0; i < 100; i++) {
      const r = await projector.runBatch(500);
      if (r.statements === 0 && r.employees === 0) return;
    }
    throw new Error('projection did not drain');
  };
  await hire(employee('E1'));
  await hire(employee('E2'));
  await post(FIRST);
  await drain();
  await hire(employee('E3'));
  await post(SECOND);
  return { projector, drain };
}

const projection = (store: Store) => view(store, MEMBERS, Array.from({ length: 16 }, (_, i) => i), ACTOR_KEYS);

function withoutVersions(p: Awaited<ReturnType<typeof projection>>) {
  return { ...p, members: p.members.map(([id, m, seqs]) => [id, m && { ...m, version: 0 }, seqs] as const) };
}

async function mingoBench() {
  const mingo = new MingoDb();
  const hook = hooked(mingo);
  const store = await mongoStoreFromDb(hook.db, async () => {});
  return { mingo, hook, store, ...(await bench(store)) };
}

/** The scenario's batch run without a crash: how many projection writes it makes, and the projection it leaves. */
async function uncrashedRun() {
  const clean = await mingoBench();
  const start = clean.hook.writes;
  await clean.projector.runBatch(500);
  const writes = clean.hook.writes - start;
  await clean.drain();
  return { writes, expected: await projection(clean.store) };
}

describe(`${STANDIN}: the projector's batch crashed anywhere, then replayed`, () => {
  it(`${STANDIN}: equals the uncrashed run, which equals the SQLite adapter's projection`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-projection-crash-'));
    const sqlite = openSqliteStore(path.join(dir, 'lrs.db'));
    try {
      await (await bench(sqlite)).drain();
      const reference = await projection(sqlite);

      const { writes, expected } = await uncrashedRun();
      expect(expected).toEqual(reference);
      // The scenario does what it says: E1 folded incrementally, E2 recomputed, E3 resolved, one unmatched left.
      expect(expected.members.map(([id, m]) => [id, m?.lastSeq, m?.content.scores[0]?.attempts])).toEqual([['E1', 7, 3], ['E2', 9, undefined], ['E3', 10, 1]]);
      expect(expected.unmatchedCount).toBe(2);

      let membersAheadOfCheckpoint = 0;
      for (let n = 1; n <= writes; n++) {
        const run = await mingoBench();
        run.hook.crashAt(n);
        await expect(run.projector.runBatch(500)).rejects.toBeInstanceOf(Crash);
        const checkpoint = await run.store.projections.checkpoint(CHECKPOINT.statements);
        const written = (run.mingo.collection(PROJECTION_MEMBERS).all() as { lastSeq: number }[]).filter((m) => m.lastSeq > checkpoint);
        if (written.length > 0) membersAheadOfCheckpoint += 1;
        // Crash again at the same point of the replay, if it gets that far; then let the worker finish.
        run.hook.crashAt(n);
        await run.projector.runBatch(500).catch((error: unknown) => {
          if (!(error instanceof Crash)) throw error;
        });
        run.hook.disarm();
        await run.drain();
        expect(await projection(run.store), `crash at projection write ${n}`).toEqual(expected);
      }
      // Some crashes left members written ahead of the checkpoint: the replays skipped what they held.
      expect(membersAheadOfCheckpoint).toBeGreaterThan(0);
    } finally {
      await sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`${STANDIN}: members rebuilt between the crash and the replay (lrs rebuild --member) still converge`, async () => {
    // Links are written before members: whatever a member holds is linked to it, so a
    // recompute in the crash window folds it, and the replay then skips it.
    const { writes, expected } = await uncrashedRun();
    for (let n = 1; n <= writes; n++) {
      const run = await mingoBench();
      run.hook.crashAt(n);
      await expect(run.projector.runBatch(500)).rejects.toBeInstanceOf(Crash);
      for (const id of MEMBERS) await run.projector.rebuildMember(id);
      await run.drain();
      // A member rebuilt before the worker catches up may publish an extra version (as on SQLite): compare all but versions.
      expect(withoutVersions(await projection(run.store)), `crash at projection write ${n}`).toEqual(withoutVersions(expected));
    }
  });

  it(`${STANDIN}: a rebuild crashed anywhere and run again equals an uncrashed rebuild`, async () => {
    const clean = await mingoBench();
    await clean.drain();
    const start = clean.hook.writes;
    await clean.projector.rebuildAll(4);
    const writes = clean.hook.writes - start;
    const expected = await projection(clean.store);

    for (let n = 1; n <= writes; n++) {
      const run = await mingoBench();
      await run.drain();
      const previous = await projection(run.store);
      run.hook.crashAt(n);
      await expect(run.projector.rebuildAll(4)).rejects.toBeInstanceOf(Crash);
      const seen = await projection(run.store);
      const switched = (run.mingo.collection(PROJECTION_CHECKPOINTS).all()[0] as { generation: number }).generation === 1;
      if (!switched) expect({ ...seen, members: seen.members.map(([id, , seqs]) => [id, seqs]) }).toEqual({ ...previous, members: previous.members.map(([id, , seqs]) => [id, seqs]) });
      await run.projector.rebuildAll(4);
      expect(await projection(run.store), `crash at projection write ${n}`).toEqual(expected);
    }
  });
});
