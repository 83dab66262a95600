/**
 * The backends every storage contract runs on: the SQLite adapter on a real temp file, the
 * MongoDB adapter on the mingo stand-in (test/storage/mingo-db.ts — a TEST DOUBLE for a MongoDB
 * server, not a database), and the MongoDB adapter on a real server when MONGODB_URL is set
 * (`docker compose up -d mongodb`, then `MONGODB_URL=mongodb://localhost:27017 npm test`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { mongoStoreFromDb, openMongoStore } from '../../src/storage/mongodb/index.js';
import type { Store } from '../../src/storage/port.js';
import { MingoDb } from './mingo-db.js';

export const SQLITE = 'SQLite adapter (temp file)';
export const STANDIN = 'MongoDB adapter on mingo stand-in';
export const REAL_MONGODB = 'MongoDB adapter on a real server';
export const MONGODB_URL = process.env.MONGODB_URL;
export const NEEDS_MONGODB = 'needs MONGODB_URL (docker compose up mongodb)';

export const SQLITE_MOVING_KEYS = 'SQLite adapter (temp file), key entries moved to the main index after every commit';

/** `keyMergeRows` 1: every commit's key entries move to the main index, so queries read both of its parts. */
export async function openTempSqliteStore(options: { keyMergeRows?: number } = {}): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-contract-'));
  const store = openSqliteStore(path.join(dir, 'lrs.db'), options);
  return {
    ...store,
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function openMingoStore(): Promise<Store> {
  return mongoStoreFromDb(new MingoDb(), async () => {});
}

/** A store on a fresh database of the real server at `url`, dropped on close. */
export async function openTempMongoStore(url: string): Promise<Store> {
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
}
