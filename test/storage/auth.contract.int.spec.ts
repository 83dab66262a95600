/**
 * The auth-store contract on every backend: the SQLite adapter on a real temp file, the MongoDB
 * adapter on the mingo stand-in (test/storage/mingo-db.ts, a TEST DOUBLE, not a database), and
 * the MongoDB adapter on a real server when MONGODB_URL is set
 * (`docker compose up -d mongodb`, then `MONGODB_URL=mongodb://localhost:27017 npx vitest run test/storage`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { mongoStoreFromDb, openMongoStore } from '../../src/storage/mongodb/index.js';
import { AUTH_INDEXES } from '../../src/storage/mongodb/auth.js';
import type { Store } from '../../src/storage/port.js';
import { MingoDb } from './mingo-db.js';
import { describeAuthStoreContract } from './auth.contract.js';

describeAuthStoreContract('SQLite adapter (temp file)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-auth-contract-'));
  const store = openSqliteStore(path.join(dir, 'lrs.db'));
  return {
    ...store,
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

const STANDIN = 'MongoDB adapter on mingo stand-in';
describeAuthStoreContract(STANDIN, async () => mongoStoreFromDb(new MingoDb(), async () => {}));

describe(`${STANDIN}: auth indexes`, () => {
  it(`${STANDIN}: creates the auth indexes at start-up, idempotently`, async () => {
    const db = new MingoDb();
    await mongoStoreFromDb(db, async () => {});
    await mongoStoreFromDb(db, async () => {});
    for (const [collection, indexes] of Object.entries(AUTH_INDEXES)) expect(db.collection(collection).indexes).toEqual(indexes);
  });
});

const url = process.env.MONGODB_URL;
if (url) {
  describeAuthStoreContract('MongoDB adapter on a real server', async (): Promise<Store> => {
    const dbName = `lrs_auth_${randomUUID().replaceAll('-', '')}`;
    const store = await openMongoStore({ url, dbName });
    return {
      ...store,
      async close() {
        await store.close();
        const client = new MongoClient(url);
        try {
          await client.connect();
          await client.db(dbName).dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  });
} else {
  describe.skip('auth store contract: MongoDB adapter on a real server — needs MONGODB_URL (docker compose up mongodb)', () => {
    it('needs MONGODB_URL (docker compose up mongodb)', () => {});
  });
}
