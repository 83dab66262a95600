/**
 * One SQLite connection with the store's settings. A store opens several on one file: the
 * process's own (reads, and the writes of every aggregate but statements), the statement writer
 * thread's and the statement reader thread's; `lrs serve`'s background thread opens a store of
 * its own. WAL mode lets all of them read while one writes.
 */
import Database from 'better-sqlite3';

export interface ConnectionOptions {
  /** Page cache of this connection, MiB. */
  cacheMiB: number;
  /** WAL size at which a commit of this connection checkpoints it, MiB; 64 when absent. */
  walCheckpointMiB?: number;
}

/** How long a connection waits for the other one's write transaction before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;

export function openConnection(file: string, options: ConnectionOptions): Database.Database {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  // Takes effect on a new file only (before WAL mode and the first table). Measured on the
  // statement writes at 300,000 stored: 8 KiB pages ~8% faster than 4 KiB (fewer pages per
  // commit), 16 KiB and more slower again; statements of ~1 KB also fill them better.
  db.pragma('page_size = 8192');
  // Also for a new file only: lets an erasure hand freed pages back (Store.compact).
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  // What a connection deletes is overwritten with zeros, so an erased person's bytes do not
  // linger in free space of the file (ARCHITECTURE.md §11).
  db.pragma('secure_delete = ON');
  // NORMAL in WAL mode is durable against process crashes; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${options.cacheMiB * 1024}`);
  // Checkpoint the WAL every 64 MiB instead of every 1,000 pages: each checkpoint fsyncs, and with
  // the default nearly every commit of a batch paid for one (measured: ~20% of the write cost).
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${Math.round(((options.walCheckpointMiB ?? 64) * 1024 * 1024) / pageSize)}`);
  return db;
}

/**
 * A write transaction that takes the write lock when it begins (BEGIN IMMEDIATE). With two
 * connections on the file, a deferred transaction that reads and then writes can fail with
 * SQLITE_BUSY at once when the other connection committed in between; an immediate one waits
 * for the lock instead (up to the busy timeout) and then sees the latest commit.
 */
export function writeTransaction<A extends unknown[], R>(db: Database.Database, fn: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(fn);
  return (...args: A) => transaction.immediate(...args);
}
