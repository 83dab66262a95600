/** The storage contract on the SQLite adapter: a real SQLite file, fresh per test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { describeStatementStoreContract } from './statements.contract.js';
import { describeAttachmentStoreContract } from './attachments.contract.js';
import { describeDocumentStoreContract } from './documents.contract.js';
import type { Store } from '../../src/storage/port.js';

async function openTempStore(): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-sqlite-contract-'));
  const store = openSqliteStore(path.join(dir, 'lrs.db'));
  return {
    ...store,
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeStatementStoreContract('SQLite adapter (temp file)', openTempStore);
describeAttachmentStoreContract('SQLite adapter (temp file)', openTempStore);
describeDocumentStoreContract('SQLite adapter (temp file)', openTempStore);
