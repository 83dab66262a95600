/**
 * The projection-store contract on the MongoDB adapter run against test/storage/mingo-db.ts —
 * an in-process TEST DOUBLE for a MongoDB server built on mingo, not a database — plus the
 * adapter's own logic: documents, indexes, conditional member writes (their refusal, a conflict,
 * is in the shared contract), the rebuild's slot
 * switch and its crash windows. The projector-level crash/replay test is in
 * mongodb-mingo.projections-replay.int.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { mongoStoreFromDb } from '../../src/storage/mongodb/index.js';
import { DELIVERY_DEFAULTS } from '../../src/storage/mongodb/outbox-fields.js';
import {
  PROJECTION_CHECKPOINTS,
  PROJECTION_INDEXES,
  PROJECTION_LINKS,
  PROJECTION_MEMBERS,
  PROJECTION_STATE_ID,
  PROJECTION_UNMATCHED,
  PublishedIdTakenError,
  checkpointsWrite,
  generationSwitch,
  memberWrite,
  toMemberDocument,
} from '../../src/storage/mongodb/projections.js';
import { MingoDb } from './mingo-db.js';
import { batch, member } from './projections.contract.js';

import { STANDIN } from './backends.js';


const open = async () => {
  const db = new MingoDb();
  return { db, store: await mongoStoreFromDb(db, async () => {}) };
};

describe(`${STANDIN}: projection documents, indexes and write order`, () => {
  it(`${STANDIN}: creates the designed indexes at start-up, idempotently`, async () => {
    const db = new MingoDb();
    await mongoStoreFromDb(db, async () => {});
    await mongoStoreFromDb(db, async () => {});
    for (const [collection, indexes] of Object.entries(PROJECTION_INDEXES)) expect(db.collection(collection).indexes).toEqual(indexes);
    expect(Object.keys(PROJECTION_INDEXES).sort()).toEqual([PROJECTION_MEMBERS, ...PROJECTION_LINKS, ...PROJECTION_UNMATCHED].sort());
  });

  it(`${STANDIN}: stores the designed documents: JSON text for content and state, one row per seq, one state document`, async () => {
    const { db, store } = await open();
    const e1 = member('E1', { lastSeq: 4 });
    await store.projections.commit(batch({
      checkpoints: { statements: 5, identity: 1 },
      members: [e1],
      links: [{ memberId: 'E1', seq: 4 }, { memberId: 'E1', seq: 1 }],
      unmatched: [{ seq: 5, keys: ['sha1:aaa', 'email:a@example.com'] }, { seq: 5, keys: ['sha1:aaa', 'account:E9'] }],
    }));
    expect(db.collection(PROJECTION_MEMBERS).all()).toEqual([
      { _id: 'E1', publishedId: 'E1', content: JSON.stringify(e1.content), state: JSON.stringify(e1.state), version: 1, updatedAt: e1.updatedAt, lastSeq: 4, ...DELIVERY_DEFAULTS },
    ]);
    expect(db.collection(PROJECTION_LINKS[0]).all()).toEqual([{ _id: 4, memberId: 'E1' }, { _id: 1, memberId: 'E1' }]);
    expect(db.collection(PROJECTION_UNMATCHED[0]).all()).toEqual([{ _id: 5, keys: ['sha1:aaa', 'email:a@example.com', 'account:E9'] }]);
    expect(db.collection(PROJECTION_CHECKPOINTS).all()).toEqual([{ _id: PROJECTION_STATE_ID, positions: { statements: 5, identity: 1 }, generation: 0 }]);
    expect(db.collection(PROJECTION_LINKS[1]).all()).toEqual([]);
  });

  it(`${STANDIN}: a commit writes links and unmatched rows, then members, then deletes resolved rows, then the checkpoints`, async () => {
    const { db, store } = await open();
    await store.projections.commit(batch({ unmatched: [{ seq: 2, keys: ['sha1:aaa'] }] }));
    db.calls.length = 0;
    await store.projections.commit(batch({
      checkpoints: { statements: 9, identity: 4 },
      members: [member('E1', { lastSeq: 9 }), member('E2', { lastSeq: 8 })],
      links: [{ memberId: 'E1', seq: 9 }, { memberId: 'E1', seq: 2 }, { memberId: 'E2', seq: 8 }],
      unmatched: [{ seq: 7, keys: ['sha1:bbb'] }],
      resolved: [2],
    }));
    const writes = db.calls.filter((c) => !['find', 'findOne', 'countDocuments'].includes(c.method));
    expect(writes).toEqual([
      { collection: PROJECTION_LINKS[0], method: 'insertMany' },
      { collection: PROJECTION_UNMATCHED[0], method: 'insertMany' },
      { collection: PROJECTION_MEMBERS, method: 'findOneAndUpdate' },
      { collection: PROJECTION_MEMBERS, method: 'findOneAndUpdate' },
      { collection: PROJECTION_UNMATCHED[0], method: 'deleteMany' },
      { collection: PROJECTION_CHECKPOINTS, method: 'findOneAndUpdate' },
    ]);
  });

  it(`${STANDIN}: member writes are conditional: the stored version must be one less, or this one with this updatedAt, and lastSeq not beyond this one`, () => {
    const m = member('E1', { version: 4, lastSeq: 20 });
    const computedFrom = { $or: [{ version: 3 }, { version: 4, updatedAt: m.updatedAt }] };
    expect(memberWrite(m, false).filter).toEqual({ _id: 'E1', ...computedFrom, lastSeq: { $lte: 20 } });
    expect(memberWrite(m, true).filter).toEqual({ _id: 'E1', ...computedFrom });
    const { _id, ...fields } = toMemberDocument(m);
    expect(memberWrite(m, false).update).toEqual({ $set: fields, $setOnInsert: DELIVERY_DEFAULTS });
  });

  it(`${STANDIN}: a published id taken by another member fails the commit before the checkpoints move`, async () => {
    const { store } = await open();
    await store.projections.commit(batch({ members: [member('E1', { lastSeq: 1 })] }));
    const taken = store.projections.commit(batch({ checkpoints: { statements: 3 }, members: [member('E2', { publishedId: 'E1', lastSeq: 2 })] }));
    await expect(taken).rejects.toThrow(/publishedId/);
    await expect(taken).rejects.toBeInstanceOf(PublishedIdTakenError);
    expect(await store.projections.checkpoint('statements')).toBe(0);
  });

  it(`${STANDIN}: a rebuild fills the other slot and switches the generation with the checkpoints, then clears the old slot`, async () => {
    const { db, store } = await open();
    await store.projections.commit(batch({ checkpoints: { statements: 3 }, links: [{ memberId: 'E1', seq: 1 }], unmatched: [{ seq: 2, keys: ['sha1:aaa'] }] }));
    db.calls.length = 0;
    await store.projections.commit(batch({ replaceAll: true, checkpoints: { statements: 3, identity: 1 }, members: [member('E1', { lastSeq: 2 })], links: [{ memberId: 'E1', seq: 2 }], unmatched: [{ seq: 1, keys: ['sha1:bbb'] }] }));
    const writes = db.calls.filter((c) => !['find', 'findOne', 'countDocuments'].includes(c.method));
    expect(writes).toEqual([
      { collection: PROJECTION_LINKS[1], method: 'deleteMany' },
      { collection: PROJECTION_UNMATCHED[1], method: 'deleteMany' },
      { collection: PROJECTION_LINKS[1], method: 'insertMany' },
      { collection: PROJECTION_UNMATCHED[1], method: 'insertMany' },
      { collection: PROJECTION_MEMBERS, method: 'findOneAndUpdate' },
      { collection: PROJECTION_CHECKPOINTS, method: 'findOneAndUpdate' },
      { collection: PROJECTION_LINKS[0], method: 'deleteMany' },
      { collection: PROJECTION_UNMATCHED[0], method: 'deleteMany' },
    ]);
    expect(db.collection(PROJECTION_CHECKPOINTS).all()).toEqual([{ _id: PROJECTION_STATE_ID, positions: { statements: 3, identity: 1 }, generation: 1 }]);
    expect(db.collection(PROJECTION_LINKS[0]).all()).toEqual([]);
    expect(db.collection(PROJECTION_LINKS[1]).all()).toEqual([{ _id: 2, memberId: 'E1' }]);
    expect(db.collection(PROJECTION_UNMATCHED[1]).all()).toEqual([{ _id: 1, keys: ['sha1:bbb'] }]);
    expect(checkpointsWrite({ statements: 1 }).update).toEqual({ $set: { 'positions.statements': 1 }, $max: { generation: 0 } });
    expect(generationSwitch({ statements: 1 }, 1)).toEqual({ filter: { _id: PROJECTION_STATE_ID, generation: 1 }, update: { $set: { 'positions.statements': 1, generation: 2 } } });
  });

  it(`${STANDIN}: checkpoint names must be plain field names`, async () => {
    const { store } = await open();
    await expect(store.projections.commit(batch({ checkpoints: { 'a.b': 1 } }))).rejects.toThrow(/checkpoint name/);
    await expect(store.projections.commit(batch({ checkpoints: { $where: 1 } }))).rejects.toThrow(/checkpoint name/);
  });
});
