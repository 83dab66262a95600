/**
 * The storage contract on a real MongoDB server, when MONGODB_URL is set
 * (`docker compose up mongodb`, then `MONGODB_URL=mongodb://localhost:27017 npx vitest run test/storage`).
 * Each test gets its own database, dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, it } from 'vitest';
import { openMongoStore } from '../../src/storage/mongodb/index.js';
import { describeStatementStoreContract } from './statements.contract.js';
import { describeAttachmentStoreContract } from './attachments.contract.js';
import { describeDocumentStoreContract } from './documents.contract.js';
import type { Store } from '../../src/storage/port.js';

const url = process.env.MONGODB_URL;

if (url) {
  const openTempDb = async (): Promise<Store> => {
    const dbName = `lrs_contract_${randomUUID().replaceAll('-', '')}`;
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
  };
  describeStatementStoreContract('MongoDB adapter on a real server', openTempDb);
  describeAttachmentStoreContract('MongoDB adapter on a real server', openTempDb);
  describeDocumentStoreContract('MongoDB adapter on a real server', openTempDb);
} else {
  describe.skip('StatementStore contract: MongoDB adapter on a real server — needs MONGODB_URL (docker compose up mongodb)', () => {
    it('needs MONGODB_URL (docker compose up mongodb)', () => {});
  });
}
