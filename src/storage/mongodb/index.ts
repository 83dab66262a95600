/** The MongoDB store: the official driver, indexes created at start-up, no transactions needed. */
import { MongoClient } from 'mongodb';
import type { Store } from '../port.js';
import type { DbLike } from './driver.js';
import { STATEMENTS, STATEMENT_INDEXES } from './statement-documents.js';
import { mongoStatementStore } from './statements.js';
import { mongoAttachmentStore } from './attachments.js';
import { mongoActivityStore } from './activities.js';
import { DOCUMENTS, DOCUMENT_INDEXES, mongoDocumentStore } from './documents.js';
import { createIdentityIndexes, mongoIdentityStore } from './identity.js';
import { createProjectionIndexes, mongoProjectionStore } from './projections.js';
import { backfillDeliveryFields, mongoDeliveryStore } from './delivery.js';
import { createAuthIndexes, mongoClientStore, mongoOAuthStore } from './auth.js';
import { mongoLeaseStore, mongoReconciliationStore } from './operations.js';
import { createErasureIndexes, mongoErasureStore } from './erasures.js';

export { STATEMENT_INDEXES } from './statement-documents.js';
export type { DbLike } from './driver.js';

/** Creates the indexes the store relies on (idempotent: an existing identical index is kept). */
export async function createIndexes(db: DbLike): Promise<void> {
  const statements = db.collection(STATEMENTS);
  for (const index of STATEMENT_INDEXES) await statements.createIndex(index.key, index.options);
  const documents = db.collection(DOCUMENTS);
  for (const index of DOCUMENT_INDEXES) await documents.createIndex(index.key, index.options);
  await createIdentityIndexes(db);
  await createProjectionIndexes(db);
  await createAuthIndexes(db);
  await createErasureIndexes(db);
}

/** A store over a database handle; tests pass a stand-in (test/storage/mingo-db.ts). */
export async function mongoStoreFromDb(db: DbLike, close: () => Promise<void>): Promise<Store> {
  await createIndexes(db);
  await backfillDeliveryFields(db);
  return {
    kind: 'mongodb',
    statements: mongoStatementStore(db),
    attachments: mongoAttachmentStore(db),
    activities: mongoActivityStore(db),
    documents: mongoDocumentStore(db),
    identity: mongoIdentityStore(db),
    projections: mongoProjectionStore(db),
    delivery: mongoDeliveryStore(db),
    clients: mongoClientStore(db),
    oauth: mongoOAuthStore(db),
    leases: mongoLeaseStore(db),
    reconciliations: mongoReconciliationStore(db),
    erasures: mongoErasureStore(db),
    // Deleted documents are gone from the collection: nothing is left to make unreadable.
    async compact() {},
    async checkpoint() {},
    close,
  };
}

export async function openMongoStore(options: { url: string; dbName: string }): Promise<Store> {
  const client = new MongoClient(options.url);
  await client.connect();
  try {
    return await mongoStoreFromDb(client.db(options.dbName), () => client.close());
  } catch (error) {
    await client.close();
    throw error;
  }
}
