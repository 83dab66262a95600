/**
 * Versioned schema migrations for the SQLite store, applied in order at open. The applied
 * version is SQLite's `user_version`; a migration is never edited once released, only added.
 */
import type Database from 'better-sqlite3';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'statements',
    sql: `
      CREATE TABLE statements (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        id         TEXT    NOT NULL UNIQUE,
        stored     TEXT    NOT NULL,
        voided     INTEGER NOT NULL DEFAULT 0,
        voiding    INTEGER NOT NULL DEFAULT 0,
        ref_target TEXT,
        body       TEXT    NOT NULL
      );
      CREATE INDEX statements_ref_target ON statements (ref_target) WHERE ref_target IS NOT NULL;
      CREATE INDEX statements_stored ON statements (stored);
      CREATE TABLE statement_keys (
        key TEXT    NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (key, seq)
      ) WITHOUT ROWID;
      CREATE INDEX statement_keys_seq ON statement_keys (seq);
    `,
  },
  {
    version: 2,
    name: 'attachments',
    sql: `
      CREATE TABLE attachments (
        sha2         TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        body         BLOB NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
