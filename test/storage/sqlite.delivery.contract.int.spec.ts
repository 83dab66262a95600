/** The delivery-store (outbox) contract on the SQLite adapter: a real SQLite file, fresh per test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { Store } from '../../src/storage/port.js';
import { describeDeliveryStoreContract } from './delivery.contract.js';

describeDeliveryStoreContract('SQLite adapter (temp file)', async (): Promise<Store> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-delivery-contract-'));
  const store = openSqliteStore(path.join(dir, 'lrs.db'));
  return {
    ...store,
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
