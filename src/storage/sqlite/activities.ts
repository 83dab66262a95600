/**
 * SQLite canonical Activity definitions: one row per Activity.
 *
 * A merge is read here, computed here (the merge rules are the caller's) and written by the
 * statement writer thread as a compare-and-set: written only if the row is still what was read,
 * otherwise read and merged again. So no update is lost to a concurrent one.
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
import type { DefinitionWrite } from './statement-writer.js';
import type { WriterClient } from './writer-client.js';

/** Activities whose last merged definition is remembered (least recently merged forgotten first). */
const REMEMBERED = 10_000;

export function sqliteActivityStore(db: Database.Database, writer: WriterClient): ActivityStore {
  const select = db.prepare<[string], string>('SELECT definition FROM activities WHERE id = ?').pluck();
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

  /** Reads and merges; the writes that change a stored definition, each conditional on what was read. */
  function mergeWrites(updates: ActivityDefinitionUpdate[], merge: DefinitionMerge): DefinitionWrite[] {
    const merged = new Map<string, { expected: string | null; definition: Record<string, unknown> }>();
    for (const { id, definition } of updates) {
      let entry = merged.get(id);
      if (!entry) {
        const expected = select.get(id) ?? null;
        entry = { expected, definition: expected === null ? {} : (JSON.parse(expected) as Record<string, unknown>) };
        merged.set(id, entry);
      }
      entry.definition = merge(entry.definition, definition);
    }
    return [...merged].flatMap(([id, { expected, definition }]) => {
      const after = JSON.stringify(definition);
      return after === expected ? [] : [{ id, expected, definition: after }];
    });
  }

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
      for (let todo = pending; todo.length > 0; ) {
        const writes = mergeWrites(todo, merge);
        if (writes.length === 0) break;
        const result = await writer.request({ op: 'definitions', writes });
        const changed = new Set(result.op === 'definitions' ? result.changed : []);
        todo = todo.filter((u) => changed.has(u.id));
      }
      remember(last); // only once committed
    },
    async getDefinition(id) {
      const row = select.get(id);
      return row === undefined ? null : (JSON.parse(row) as Record<string, unknown>);
    },
  };
}
