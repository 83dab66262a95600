/**
 * SQLite canonical Activity definitions: one row per Activity, merged in one transaction per batch.
 *
 * Statements usually repeat the definitions of their Activities, and merging a definition into
 * one that it was the last to be merged into changes nothing (the merge is idempotent). So the
 * store remembers, per Activity, the last definition it merged, and skips an update equal to it
 * without reading the row: the write path then costs nearly nothing for known definitions. The
 * embedded store has one writing process; were there two, a skipped update could leave a
 * property at the other process's value instead of re-applying this one, which the spec's
 * "MAY update its canonical definition" tolerates.
 */
import type Database from 'better-sqlite3';
import type { ActivityDefinitionUpdate, ActivityStore, DefinitionMerge } from '../port.js';

/** Activities whose last merged definition is remembered (least recently merged forgotten first). */
const REMEMBERED = 10_000;

export function sqliteActivityStore(db: Database.Database): ActivityStore {
  const select = db.prepare<[string], { definition: string }>('SELECT definition FROM activities WHERE id = ?');
  const upsert = db.prepare<[string, string]>(
    'INSERT INTO activities (id, definition) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition',
  );
  /** Activity id → JSON of the last definition merged into it (committed). */
  const lastMerged = new Map<string, string>();

  /** The updates that can change something, and the last definition merged per Activity once they are applied. */
  function unseen(updates: ActivityDefinitionUpdate[]): { pending: ActivityDefinitionUpdate[]; last: Map<string, string> } {
    const pending: ActivityDefinitionUpdate[] = [];
    const last = new Map<string, string>();
    for (const update of updates) {
      const json = JSON.stringify(update.definition);
      if ((last.get(update.id) ?? lastMerged.get(update.id)) === json) continue;
      last.set(update.id, json);
      pending.push(update);
    }
    return { pending, last };
  }

  const mergeAll = db.transaction((updates: ActivityDefinitionUpdate[], merge: DefinitionMerge) => {
    const merged = new Map<string, { before: string | undefined; definition: Record<string, unknown> }>();
    for (const { id, definition } of updates) {
      let entry = merged.get(id);
      if (!entry) {
        const before = select.get(id)?.definition;
        entry = { before, definition: before === undefined ? {} : (JSON.parse(before) as Record<string, unknown>) };
        merged.set(id, entry);
      }
      entry.definition = merge(entry.definition, definition);
    }
    for (const [id, { before, definition }] of merged) {
      const after = JSON.stringify(definition);
      if (after !== before) upsert.run(id, after);
    }
  });

  function remember(last: Map<string, string>): void {
    for (const [id, json] of last) {
      lastMerged.delete(id);
      lastMerged.set(id, json);
    }
    for (const id of lastMerged.keys()) {
      if (lastMerged.size <= REMEMBERED) break;
      lastMerged.delete(id);
    }
  }

  return {
    async mergeDefinitions(updates, merge) {
      const { pending, last } = unseen(updates);
      if (pending.length === 0) return;
      mergeAll(pending, merge);
      remember(last); // only once committed
    },
    async getDefinition(id) {
      const row = select.get(id);
      return row === undefined ? null : (JSON.parse(row.definition) as Record<string, unknown>);
    },
  };
}
