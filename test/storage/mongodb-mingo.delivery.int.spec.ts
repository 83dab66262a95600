/**
 * The delivery-store (outbox) contract on the MongoDB adapter run against test/storage/mingo-db.ts
 * — an in-process TEST DOUBLE for a MongoDB server built on mingo, not a database — plus the
 * adapter's own documents: the outbox fields on the member document, the backfill of members
 * written before the outbox existed, and the filters.
 */
import { describe, expect, it } from 'vitest';
import { mongoStoreFromDb } from '../../src/storage/mongodb/index.js';
import { DELIVERY_DEFAULTS } from '../../src/storage/mongodb/outbox-fields.js';
import { PROJECTION_MEMBERS } from '../../src/storage/mongodb/projections.js';
import { deadFilter, dueFilter } from '../../src/storage/mongodb/delivery.js';
import { MingoDb } from './mingo-db.js';
import { batch, member } from './projections.contract.js';

import { STANDIN } from './backends.js';


describe(`${STANDIN}: outbox documents`, () => {
  it(`${STANDIN}: a new member document carries the outbox defaults; an update keeps the deliverer's fields`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    await store.projections.commit(batch({ members: [member('E1')] }));
    expect(db.collection(PROJECTION_MEMBERS).all()[0]).toMatchObject(DELIVERY_DEFAULTS);
    await store.delivery.claim('E1', { token: 't', now: 1, until: 2 });
    await store.delivery.markDelivered('E1', 1, 't');
    await store.projections.commit(batch({ members: [member('E1', { extra: 1, version: 2, lastSeq: 2 })] }));
    expect(db.collection(PROJECTION_MEMBERS).all()[0]).toMatchObject({ version: 2, deliveredVersion: 1, leaseToken: null });
  });

  it(`${STANDIN}: members stored before the outbox existed are backfilled at start-up as undelivered`, async () => {
    const db = new MingoDb();
    await db.collection(PROJECTION_MEMBERS).insertMany([{ _id: 'E1', publishedId: 'E1', content: JSON.stringify(member('E1').content), state: '{}', version: 4, updatedAt: 'x', lastSeq: 1 }], { ordered: true });
    const store = await mongoStoreFromDb(db, async () => {});
    expect(await store.delivery.due(0, 10)).toEqual(['E1']);
    expect(await store.delivery.status('E1')).toMatchObject({ version: 4, deliveredVersion: 0 });
  });

  it(`${STANDIN}: filters compare the document's own fields`, () => {
    expect(dueFilter(5)).toEqual({
      $expr: { $and: [{ $gt: ['$version', '$deliveredVersion'] }, { $gt: ['$version', '$deadVersion'] }] },
      nextAttemptAt: { $lte: 5 },
      leaseUntil: { $lte: 5 },
    });
    expect(deadFilter('E1')).toEqual({ deadVersion: { $gt: 0 }, $expr: { $gt: ['$deadVersion', '$deliveredVersion'] }, _id: { $gt: 'E1' } });
  });
});
