/** SQLite leases and reconciliation runs (migration 9): small tables on the process's connection. */
import type Database from 'better-sqlite3';
import type { LeaseStore } from '../lease-port.js';
import type { ReconciliationStore } from '../reconciliation-port.js';

export function sqliteLeaseStore(db: Database.Database): LeaseStore {
  const acquire = db.prepare<[string, string, number, number]>(
    `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
     WHERE leases.until <= ? OR leases.holder = excluded.holder`,
  );
  const release = db.prepare<[string, string]>('DELETE FROM leases WHERE name = ? AND holder = ?');
  return {
    async acquire(name, holder, now, until) {
      return acquire.run(name, holder, until, now).changes > 0;
    },
    async release(name, holder) {
      release.run(name, holder);
    },
  };
}

export function sqliteReconciliationStore(db: Database.Database): ReconciliationStore {
  const save = db.prepare<[string, string]>('INSERT INTO reconciliations (id, report) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET report = excluded.report');
  const list = db.prepare<[string, number], { id: string; report: string }>('SELECT id, report FROM reconciliations WHERE id < ? ORDER BY id DESC LIMIT ?');
  const get = db.prepare<[string], { id: string; report: string }>('SELECT id, report FROM reconciliations WHERE id = ?');
  const runOf = (row: { id: string; report: string }) => ({ id: row.id, report: JSON.parse(row.report) as Record<string, unknown> });
  return {
    async save(run) {
      save.run(run.id, JSON.stringify(run.report));
    },
    async list({ limit, before }) {
      // Every id sorts below U+FFFF: "before nothing" is the whole history.
      return list.all(before ?? '\uffff', limit).map(runOf);
    },
    async get(id) {
      const row = get.get(id);
      return row ? runOf(row) : null;
    },
  };
}
