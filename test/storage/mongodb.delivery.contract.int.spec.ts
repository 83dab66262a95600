/**
 * The delivery-store (outbox) contract on a real MongoDB server, when MONGODB_URL is set
 * (`docker compose up -d mongodb`, then `MONGODB_URL=mongodb://localhost:27017 npx vitest run test/storage`).
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, it } from 'vitest';
import { openMongoStore } from '../../src/storage/mongodb/index.js';
import type { Store } from '../../src/storage/port.js';
import { describeDeliveryStoreContract } from './delivery.contract.js';

const url = process.env.MONGODB_URL;

if (url) {
  describeDeliveryStoreContract('MongoDB adapter on a real server', async (): Promise<Store> => {
    const dbName = `lrs_delivery_${randomUUID().replaceAll('-', '')}`;
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
  describe.skip('DeliveryStore contract: MongoDB adapter on a real server — needs MONGODB_URL (docker compose up mongodb)', () => {
    it('needs MONGODB_URL (docker compose up mongodb)', () => {});
  });
}
