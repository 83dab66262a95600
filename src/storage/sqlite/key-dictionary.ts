/**
 * Query keys as dictionary ids: each distinct key text (lrs/statements/keys.ts) is stored once
 * in statement_key_names, and the key index holds integers. Used by the statement writer, the
 * only connection that adds names; ids are never reused or changed.
 *
 * Ids assigned inside a transaction are kept apart until it commits, so a rolled-back
 * transaction leaves no id in the cache that the file does not hold.
 */
import type Database from 'better-sqlite3';

/** Names remembered in memory (first remembered, first forgotten); a forgotten one costs one indexed read. */
const REMEMBERED = 200_000;

export interface KeyDictionary {
  /** The ids of these keys, adding names not seen before (inside the caller's write transaction). */
  ids(keys: readonly string[]): number[];
  /** The transaction that assigned ids committed: remember them. */
  committed(): void;
  /** It rolled back: forget what it assigned. */
  rolledBack(): void;
}

export function keyDictionary(db: Database.Database): KeyDictionary {
  const find = db.prepare<[string], number>('SELECT id FROM statement_key_names WHERE key = ?').pluck();
  const add = db.prepare<[string]>('INSERT INTO statement_key_names (key) VALUES (?)');
  const known = new Map<string, number>();
  let assigned = new Map<string, number>();

  function remember(key: string, id: number): void {
    if (known.size >= REMEMBERED) known.delete(known.keys().next().value as string);
    known.set(key, id);
  }

  function idOf(key: string): number {
    const cached = known.get(key) ?? assigned.get(key);
    if (cached !== undefined) return cached;
    const stored = find.get(key);
    if (stored !== undefined) {
      remember(key, stored);
      return stored;
    }
    const id = Number(add.run(key).lastInsertRowid);
    assigned.set(key, id);
    return id;
  }

  return {
    ids: (keys) => keys.map(idOf),
    committed() {
      for (const [key, id] of assigned) remember(key, id);
      assigned = new Map();
    },
    rolledBack() {
      assigned = new Map();
    },
  };
}

/** The `key_ids` column: a statement's own and inherited key ids, comma-separated. */
export const keyIdsColumn = {
  format: (ids: Iterable<number>): string => [...ids].join(','),
  parse: (text: string): number[] => (text === '' ? [] : text.split(',').map(Number)),
};
