/** The MongoDB adapter's auth indexes, on the mingo stand-in (a TEST DOUBLE for a MongoDB server). The auth contract runs with every other in *.contract.int.spec.ts. */
import { describe, expect, it } from 'vitest';
import { mongoStoreFromDb } from '../../src/storage/mongodb/index.js';
import { AUTH_INDEXES } from '../../src/storage/mongodb/auth.js';
import { MingoDb } from './mingo-db.js';
import { STANDIN } from './backends.js';

describe(`${STANDIN}: auth indexes`, () => {
  it(`${STANDIN}: creates the auth indexes at start-up, idempotently`, async () => {
    const db = new MingoDb();
    await mongoStoreFromDb(db, async () => {});
    await mongoStoreFromDb(db, async () => {});
    for (const [collection, indexes] of Object.entries(AUTH_INDEXES)) expect(db.collection(collection).indexes).toEqual(indexes);
  });
});
