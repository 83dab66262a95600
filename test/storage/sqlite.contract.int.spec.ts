/**
 * Every storage contract on the SQLite adapter: a real SQLite file, fresh per test. The
 * statement contract runs a second time with the writer moving its recent key entries to the
 * main index after every commit, so queries meet entries in both parts (migration 10).
 */
import { describeStoreContracts } from './contracts.js';
import { describeStatementStoreContract } from './statements.contract.js';
import { SQLITE, SQLITE_MOVING_KEYS, openTempSqliteStore } from './backends.js';

describeStoreContracts(SQLITE, () => openTempSqliteStore());
describeStatementStoreContract(SQLITE_MOVING_KEYS, () => openTempSqliteStore({ keyMergeRows: 1 }));
