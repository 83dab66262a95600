/**
 * Query keys as integers (migration 8). Each distinct key text is stored once, in
 * statement_key_names; a narrower key (port.ts NARROWER_KEYS: `agent:X` within `ragent:X`, …)
 * is kept under the name of its broader key, as a bit of the index entry's `kinds`. So a
 * statement's actor costs one index entry, not two.
 *
 * A key's code is `name id × 16 + bit`: what the insert decision unions (own and inherited keys)
 * and what a statement's `key_codes` column holds. Index rows group a statement's codes by name.
 *
 * Only the statement writer adds names, and deletes those of erased agents
 * (statement-erasure.ts); ids are never reused or changed. Ids assigned inside a
 * transaction are kept apart until it commits, so a rolled-back transaction leaves no id in the
 * cache that the file does not hold.
 */
import type Database from 'better-sqlite3';
import { NARROWER_KEYS } from '../port.js';

/** Bit of a key in its entry's `kinds`: 1 the name itself, then one per narrower kind (2, 4, 8). */
export const SELF = 1;
const CODE_BITS = 16;

/** The dictionary name and the bit a key is indexed under. */
export function indexEntry(key: string): { name: string; bit: number } {
  for (const [i, { narrow, broad }] of NARROWER_KEYS.entries()) {
    if (key.startsWith(narrow)) return { name: broad + key.slice(narrow.length), bit: 2 << i };
  }
  return { name: key, bit: SELF };
}

/** Index rows of a statement: name id → kinds (the OR of its keys' bits). */
export function indexRows(codes: Iterable<number>): Map<number, number> {
  const rows = new Map<number, number>();
  for (const code of codes) {
    const id = Math.floor(code / CODE_BITS);
    rows.set(id, (rows.get(id) ?? 0) | code % CODE_BITS);
  }
  return rows;
}

/** The `key_codes` column: a statement's own and inherited key codes, comma-separated. */
export const keyCodesColumn = {
  format: (codes: Iterable<number>): string => [...codes].join(','),
  parse: (text: string): number[] => (text === '' ? [] : text.split(',').map(Number)),
};

/** Names remembered in memory (first remembered, first forgotten); a forgotten one costs one indexed read. */
const REMEMBERED = 50_000;

export interface KeyDictionary {
  /** The codes of these keys, adding names not seen before (inside the caller's write transaction). */
  codes(keys: readonly string[]): number[];
  /** The transaction that assigned ids committed: remember them. */
  committed(): void;
  /** It rolled back: forget what it assigned. */
  rolledBack(): void;
  /** These names were deleted (an erasure): forget every key remembered under them. */
  forget(nameIds: readonly number[]): void;
}

export function keyDictionary(db: Database.Database): KeyDictionary {
  const find = db.prepare<[string], number>('SELECT id FROM statement_key_names WHERE key = ?').pluck();
  const add = db.prepare<[string]>('INSERT INTO statement_key_names (key) VALUES (?)');
  /** Key text → code, for committed names. */
  const known = new Map<string, number>();
  /** Names added by the transaction in progress, and the codes of keys kept under them. */
  let addedNames = new Map<string, number>();
  let pending = new Map<string, number>();

  function remember(key: string, code: number): void {
    if (known.size >= REMEMBERED) known.delete(known.keys().next().value as string);
    known.set(key, code);
  }

  function codeOf(key: string): number {
    const cached = known.get(key) ?? pending.get(key);
    if (cached !== undefined) return cached;
    const { name, bit } = indexEntry(key);
    const added = addedNames.get(name);
    if (added === undefined) {
      // Not added by this transaction, and only this connection adds names: found means committed.
      const stored = find.get(name);
      if (stored !== undefined) {
        const code = stored * CODE_BITS + bit;
        remember(key, code);
        return code;
      }
    }
    const id = added ?? Number(add.run(name).lastInsertRowid);
    addedNames.set(name, id);
    const code = id * CODE_BITS + bit;
    pending.set(key, code);
    return code;
  }

  return {
    codes: (keys) => keys.map(codeOf),
    committed() {
      for (const [key, code] of pending) remember(key, code);
      addedNames = new Map();
      pending = new Map();
    },
    rolledBack() {
      addedNames = new Map();
      pending = new Map();
    },
    forget(nameIds) {
      if (nameIds.length === 0) return;
      const gone = new Set(nameIds);
      for (const [key, code] of known) if (gone.has(Math.floor(code / CODE_BITS))) known.delete(key);
    },
  };
}
