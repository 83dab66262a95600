/**
 * The embedded store: one SQLite file in WAL mode, migrated at open. The process's connection
 * serves reads and the writes of every aggregate but statements; statement writes are the
 * writer thread's (writer-client.ts), statement queries the reader thread's (reader-client.ts),
 * each started when first needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Store } from '../port.js';
import { openConnection } from './connection.js';
import { migrate } from './migrations.js';
import { writerClient } from './writer-client.js';
import { readerClient } from './reader-client.js';
import { sqliteStatementStore } from './statements.js';
import { sqliteAttachmentStore } from './attachments.js';
import { sqliteActivityStore } from './activities.js';
import { sqliteDocumentStore } from './documents.js';
import { sqliteIdentityStore } from './identity.js';
import { sqliteProjectionStore } from './projections.js';
import { sqliteDeliveryStore } from './delivery.js';
import { sqliteClientStore, sqliteOAuthStore } from './auth.js';
import { sqliteLeaseStore, sqliteReconciliationStore } from './operations.js';
import { sqliteErasureStore } from './erasures.js';

/**
 * Page caches, MiB. The writer's is the larger: it holds the recent part of the key index and
 * the id index, which is written at random places (32 MiB measured as fast as 64 MiB up to
 * 300,000 statements, 16 MiB slower; measured before migration 10). The readers read
 * statements by seq and by key range, which the OS's file cache serves well.
 */
const WRITER_CACHE_MIB = 32;
const READER_CACHE_MIB = 8;
/**
 * The writer's commits checkpoint the WAL only past this size: the background work checkpoints
 * it far sooner (Store.checkpoint), on its own thread, so the writer does not stop for it
 * (measured: ~8% more statements/s, batches and single statements alike).
 */
const WRITER_WAL_CHECKPOINT_MIB = 256;

/** Attempts at a truncating checkpoint, which waits for no reader but fails while one reads. */
const COMPACT_ATTEMPTS = 20;

/**
 * After deletes that must leave nothing readable (an erasure): every connection zeroes what it
 * deletes (`secure_delete`, connection.ts), but the WAL still holds the pages as they were before.
 * A truncating checkpoint copies the current pages into the main file and empties the WAL; the
 * incremental vacuum (files created with `auto_vacuum = INCREMENTAL`) returns the freed pages.
 */
async function compact(db: Database.Database): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (result?.busy === 0) break;
    if (attempt === COMPACT_ATTEMPTS) throw new Error('the WAL could not be checkpointed: another connection kept reading');
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
  db.pragma('incremental_vacuum');
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** `keyMergeRows`: when the writer moves recent key entries to the main index (statement-writer.ts; tests only). */
export function openSqliteStore(file: string, options: { keyMergeRows?: number } = {}): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = openConnection(file, { cacheMiB: READER_CACHE_MIB });
  migrate(db);
  const writer = writerClient({ file, cacheMiB: WRITER_CACHE_MIB, walCheckpointMiB: WRITER_WAL_CHECKPOINT_MIB, ...options });
  const reader = readerClient({ file, cacheMiB: READER_CACHE_MIB });
  return {
    kind: 'sqlite',
    statements: sqliteStatementStore(db, writer, reader),
    attachments: sqliteAttachmentStore(db, writer),
    activities: sqliteActivityStore(db, writer),
    documents: sqliteDocumentStore(db),
    identity: sqliteIdentityStore(db),
    projections: sqliteProjectionStore(db),
    delivery: sqliteDeliveryStore(db),
    clients: sqliteClientStore(db),
    oauth: sqliteOAuthStore(db),
    leases: sqliteLeaseStore(db),
    reconciliations: sqliteReconciliationStore(db),
    erasures: sqliteErasureStore(db),
    async checkpoint() {
      db.pragma('wal_checkpoint(PASSIVE)');
    },
    async compact() {
      await compact(db);
    },
    async close() {
      await Promise.all([writer.close(), reader.close()]);
      db.close();
    },
  };
}
