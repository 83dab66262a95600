/**
 * Versioned schema migrations for the SQLite store, applied in order at open. The applied
 * version is SQLite's `user_version`; a migration is never edited once released, only added.
 */
import type Database from 'better-sqlite3';
import { AUTH_SCHEMA } from './auth.js';
import { writeTransaction } from './connection.js';

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
  {
    version: 3,
    name: 'documents and activities',
    // Scope columns hold '' where a resource is not scoped by them (NULLs would be distinct in
    // the unique index). Documents keep their bytes as a BLOB, exactly as sent.
    sql: `
      CREATE TABLE documents (
        resource     TEXT NOT NULL,
        activity_id  TEXT NOT NULL,
        agent        TEXT NOT NULL,
        registration TEXT NOT NULL,
        id           TEXT NOT NULL,
        content_type TEXT NOT NULL,
        contents     BLOB NOT NULL,
        etag         TEXT NOT NULL,
        updated      TEXT NOT NULL,
        revision     TEXT NOT NULL
      );
      CREATE UNIQUE INDEX documents_key ON documents (resource, activity_id, agent, registration, id);
      CREATE TABLE activities (
        id         TEXT PRIMARY KEY,
        definition TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'identity',
    // employee_changes hands out change_seq (the log the projection follows); identity_keys
    // holds each key once, which is what makes a key conflict detectable.
    sql: `
      CREATE TABLE employee_changes (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        employee_id TEXT    NOT NULL,
        at          TEXT    NOT NULL
      );
      CREATE TABLE employees (
        employee_id      TEXT    PRIMARY KEY,
        email            TEXT    NOT NULL,
        secondary_emails TEXT    NOT NULL,
        given_name       TEXT    NOT NULL,
        family_name      TEXT    NOT NULL,
        department       TEXT    NOT NULL,
        manager_id       TEXT,
        job_title        TEXT    NOT NULL,
        worker_type      TEXT    NOT NULL CHECK (worker_type IN ('employee', 'contractor')),
        status           TEXT    NOT NULL CHECK (status IN ('active', 'terminated')),
        change_seq       INTEGER NOT NULL UNIQUE,
        updated_at       TEXT    NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE identity_keys (
        key         TEXT PRIMARY KEY,
        employee_id TEXT NOT NULL REFERENCES employees (employee_id)
      ) WITHOUT ROWID;
      CREATE INDEX identity_keys_employee ON identity_keys (employee_id);
      CREATE TABLE identity_audit (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT    NOT NULL,
        action      TEXT    NOT NULL,
        employee_id TEXT    NOT NULL,
        source      TEXT    NOT NULL,
        details     TEXT    NOT NULL
      );
      CREATE INDEX identity_audit_employee ON identity_audit (employee_id, id);
      CREATE TABLE hris_events (
        event_id    TEXT PRIMARY KEY,
        employee_id TEXT NOT NULL,
        applied_at  TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE identity_settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'projections',
    sql: `
  CREATE TABLE projection_members (
    member_id    TEXT PRIMARY KEY,
    published_id TEXT NOT NULL UNIQUE,
    content      TEXT NOT NULL,
    state        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    last_seq     INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX projection_members_updated ON projection_members (updated_at);
  CREATE TABLE projection_links (
    member_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (member_id, seq)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX projection_links_seq ON projection_links (seq);
  CREATE TABLE projection_unmatched (
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, seq)
  ) WITHOUT ROWID;
  CREATE INDEX projection_unmatched_seq ON projection_unmatched (seq);
  CREATE TABLE projection_checkpoints (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
  ) WITHOUT ROWID;
`,
  },
  {
    version: 6,
    name: 'oauth clients, token families, signing keys, audit',
    sql: AUTH_SCHEMA,
  },
  {
    version: 7,
    name: 'marketplace delivery (outbox fields on projection members)',
    // Pending = version > delivered_version AND version > dead_version: written by the same
    // commit as the profile. Times are ms since the epoch. Existing members start undelivered.
    sql: `
  ALTER TABLE projection_members ADD COLUMN delivered_version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE projection_members ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE projection_members ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE projection_members ADD COLUMN last_error TEXT;
  ALTER TABLE projection_members ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE projection_members ADD COLUMN lease_token TEXT;
  ALTER TABLE projection_members ADD COLUMN dead_version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE projection_members ADD COLUMN dead_letter TEXT;
  CREATE INDEX projection_members_due ON projection_members (next_attempt_at) WHERE version > delivered_version AND version > dead_version;
  CREATE INDEX projection_members_dead ON projection_members (member_id) WHERE dead_version > delivered_version;
`,
  },
  {
    version: 8,
    name: 'statement keys as dictionary codes',
    // Each distinct key text is stored once, in statement_key_names, and the index holds
    // integers: (name id, seq, kinds). A narrower key (agent:, authority:, activity:) shares the
    // entry of its broader key (ragent:, ragent:, ractivity:) as a bit of `kinds`: 1 the name
    // itself, 2 agent:, 4 authority:, 8 activity:. No second index by seq: a statement's own and
    // inherited keys are kept on its row as codes (name id × 16 + bit, comma-separated), which
    // is what a StatementRef to it inherits.
    sql: `
  CREATE TEMP TABLE old_key_entries AS
    SELECT key,
      CASE WHEN substr(key, 1, 6) = 'agent:' THEN 'ragent:' || substr(key, 7)
           WHEN substr(key, 1, 10) = 'authority:' THEN 'ragent:' || substr(key, 11)
           WHEN substr(key, 1, 9) = 'activity:' THEN 'ractivity:' || substr(key, 10)
           ELSE key END AS name,
      CASE WHEN substr(key, 1, 6) = 'agent:' THEN 2
           WHEN substr(key, 1, 10) = 'authority:' THEN 4
           WHEN substr(key, 1, 9) = 'activity:' THEN 8
           ELSE 1 END AS bit
    FROM (SELECT DISTINCT key FROM statement_keys);
  CREATE INDEX temp.old_key_entries_key ON old_key_entries (key);
  CREATE TABLE statement_key_names (
    id  INTEGER PRIMARY KEY,
    key TEXT    NOT NULL UNIQUE
  );
  INSERT INTO statement_key_names (key) SELECT DISTINCT name FROM old_key_entries ORDER BY name;
  CREATE TABLE statement_key_index (
    key_id INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    kinds  INTEGER NOT NULL,
    PRIMARY KEY (key_id, seq)
  ) WITHOUT ROWID;
  INSERT INTO statement_key_index (key_id, seq, kinds)
    SELECT n.id, k.seq, SUM(e.bit) FROM statement_keys k
      JOIN old_key_entries e ON e.key = k.key JOIN statement_key_names n ON n.key = e.name
    GROUP BY n.id, k.seq ORDER BY n.id, k.seq;
  ALTER TABLE statements ADD COLUMN key_codes TEXT NOT NULL DEFAULT '';
  UPDATE statements SET key_codes = coalesce(
    (SELECT group_concat(n.id * 16 + e.bit) FROM statement_keys k
       JOIN old_key_entries e ON e.key = k.key JOIN statement_key_names n ON n.key = e.name
     WHERE k.seq = statements.seq), '');
  DROP TABLE statement_keys;
  DROP TABLE old_key_entries;
  ALTER TABLE statement_key_index RENAME TO statement_keys;
`,
  },
  {
    version: 9,
    name: 'leases, reconciliation runs, delivery outcome counts',
    sql: `
  CREATE TABLE leases (
    name   TEXT    PRIMARY KEY,
    holder TEXT    NOT NULL,
    until  INTEGER NOT NULL
  );
  CREATE TABLE reconciliations (
    id     TEXT PRIMARY KEY,
    report TEXT NOT NULL
  );
  CREATE TABLE delivery_outcomes (
    hour    INTEGER NOT NULL,
    outcome TEXT    NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (hour, outcome)
  ) WITHOUT ROWID;
`,
  },
  {
    version: 10,
    name: 'recent statement keys (a deferred part of the key index)',
    // New index entries go to this small table, whose pages stay in the cache, instead of landing
    // at random places in the large one (each commit then wrote thousands of its pages to the
    // WAL); the writer moves them over in key order in large batches (statement-writer.ts).
    // Every entry is in exactly one of the two tables; a query reads both.
    sql: `
  CREATE TABLE statement_keys_recent (
    key_id INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    kinds  INTEGER NOT NULL,
    PRIMARY KEY (key_id, seq)
  ) WITHOUT ROWID;
`,
  },
  {
    version: 11,
    name: 'erasures and the tombstone',
    // member_id and subject are set only while an erasure runs (the finish clears them); the
    // partial unique index makes "one running erasure per member" the insert's own check.
    sql: `
  CREATE TABLE erasures (
    id           TEXT PRIMARY KEY,
    member_id    TEXT,
    subject      TEXT,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'awaiting-marketplace', 'done')),
    counts       TEXT NOT NULL,
    finished_at  TEXT
  );
  CREATE UNIQUE INDEX erasures_running ON erasures (member_id) WHERE status != 'done';
  CREATE TABLE erasure_tombstones (
    hash TEXT PRIMARY KEY
  ) WITHOUT ROWID;
  CREATE TABLE erasure_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
`,
  },
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    writeTransaction(db, () => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
