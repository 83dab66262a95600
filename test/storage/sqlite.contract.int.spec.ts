/** Every storage contract on the SQLite adapter: a real SQLite file, fresh per test. */
import { describeStoreContracts } from './contracts.js';
import { SQLITE, openTempSqliteStore } from './backends.js';

describeStoreContracts(SQLITE, openTempSqliteStore);
