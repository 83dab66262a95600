/** A projection test bench: real SQLite store, real mapping files, real write path and identity rules. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { Store } from '../../src/storage/port.js';
import type { Employee } from '../../src/storage/identity-port.js';
import { loadMapping, type Mapping } from '../../projections/mapping/index.js';
import { employeeIdentityKeys, type IdentityConfig } from '../../projections/identity/keys.js';
import { Projector } from '../../projections/worker/projector.js';
import { identityRules } from '../../projections/worker/runtime.js';
import { storeStatements } from '../../lrs/statements/write.js';
import { monotonicClock } from '../../src/clock.js';

export const IDENTITY: IdentityConfig = { hrisAccountHomePage: 'https://hris.acme.example', emailDomainAliases: new Map([['old.acme.example', 'acme.example']]) };
export const PSEUDONYM_KEY = 'test-pseudonym-key';

export const IDENTITY_RULES = identityRules(IDENTITY, PSEUDONYM_KEY);

export { employee } from '../support/employees.js';

export interface ProjectionBench {
  store: Store;
  /** The store's SQLite file (for a CLI command run against it). */
  file: string;
  mapping: Mapping;
  projector: Projector;
  hire(e: Employee): Promise<void>;
  post(statements: Record<string, unknown>[]): Promise<string[]>;
  /** Runs batches until nothing is left. */
  drain(batchSize?: number): Promise<void>;
  close(): Promise<void>;
}

export function openProjectionBench(): ProjectionBench {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-projection-'));
  const file = path.join(dir, 'lrs.db');
  const store = openSqliteStore(file);
  const mapping = loadMapping();
  const clock = monotonicClock();
  const projector = new Projector({ store, mapping, identity: IDENTITY_RULES, now: clock });
  const authority = { objectType: 'Agent', account: { homePage: 'urn:lrs:credential', name: 'test' } };
  return {
    store,
    file,
    mapping,
    projector,
    async hire(e) {
      const outcome = await store.identity.upsert({ employee: e, keys: employeeIdentityKeys(e, IDENTITY) }, 'test', clock());
      if (outcome.kind === 'key-taken' || outcome.kind === 'duplicate-event') throw new Error(JSON.stringify(outcome));
    },
    post(statements) {
      return storeStatements({ statements, asArray: true, attachments: [] }, { store: store.statements, attachments: store.attachments, activities: store.activities, authority, now: clock });
    },
    async drain(batchSize = 500) {
      for (let i = 0; i < 10_000; i++) {
        const r = await projector.runBatch(batchSize);
        if (r.statements === 0 && r.employees === 0) return;
      }
      throw new Error('projection did not drain');
    },
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
