/**
 * The writes of the statement aggregate (statements with their keys, attachments, canonical
 * Activity definitions), made by one connection in group commits: every request that arrived
 * while the previous commit ran shares the next transaction, each request in a savepoint of its
 * own, so one request's failure leaves the others' writes in place and each is still all or
 * nothing. Runs in the writer thread (writer-thread.ts); the requests come from the process's
 * own store (statements.ts, attachments.ts, activities.ts) through writer-client.ts.
 *
 * This side knows no xAPI rules: the insert decision is src/storage/statement-insert.ts, and
 * whether a re-sent statement is equivalent to the stored one is asked back of the sender,
 * which keeps the comparison rules (insert replies `compare`).
 */
import type Database from 'better-sqlite3';
import type { AttachmentContent, InsertOutcome, StatementErasure } from '../port.js';
import { decideInsert, idsToLookUp, type Comparison, type InsertCandidate, type StoredFacts } from '../statement-insert.js';
import { writeTransaction } from './connection.js';
import { indexRows, keyCodesColumn, keyDictionary } from './key-dictionary.js';
import { failure, type Reply } from './thread-rpc.js';
import { attachmentPruner, statementEraser } from './statement-erasure.js';

/** A shaped statement on its way to the writer: its stored form as JSON text and what indexes it. */
export interface WireStatement {
  /** Lower-case id. */
  id: string;
  json: string;
  stored: string;
  refTarget: string | null;
  voiding: boolean;
  /** Its query keys, as positions in the request's `keys` (statements of a batch share most of them). */
  keys: number[];
}

/** A compare-and-set of one canonical definition: written only if the stored one is still `expected` (null: none). */
export interface DefinitionWrite {
  id: string;
  expected: string | null;
  definition: string;
}

export type WriterRequest =
  /** `keys`: every key text of the batch once; `equivalent`: the comparisons (comparisonKey) the sender found equivalent. */
  | { op: 'insert'; statements: WireStatement[]; keys: string[]; equivalent: string[] }
  | { op: 'attachments'; attachments: AttachmentContent[] }
  | { op: 'definitions'; writes: DefinitionWrite[] }
  | { op: 'erase'; seqs: number[] }
  | { op: 'prune-attachments'; sha2s: string[] };

/** A comparison the sender must make, with the stored statement's JSON when it is against the stored one. */
export type ComparisonRequest = Comparison & { storedJson?: string };

export type InsertReply = InsertOutcome | { kind: 'compare'; comparisons: ComparisonRequest[] };

export type WriterResult =
  | { op: 'insert'; reply: InsertReply }
  | { op: 'attachments' }
  /** The ids whose stored definition was no longer the expected one (not written). */
  | { op: 'definitions'; changed: string[] }
  | { op: 'erase'; erased: StatementErasure }
  | { op: 'prune-attachments'; deleted: number };

export const comparisonKey = (c: Pick<Comparison, 'index' | 'with'>) => `${c.index}:${c.with}`;

/** Most statements in one transaction: a larger group waits for the next, so no transaction grows without bound. */
const MAX_GROUP_STATEMENTS = 10_000;

interface StoredRow {
  seq: number;
  id: string;
  voiding: number;
  key_codes: string;
}

export interface StatementWriter {
  /** Applies the requests in one transaction, each all or nothing; one reply per request. */
  commit(requests: readonly WriterRequest[]): Reply<WriterResult>[];
  /** Moves the recent key entries to the main index once there are enough (after a group's replies are sent). */
  maintain(): void;
}

/** How many requests from the front of a queue form the next group. */
export function groupSize(requests: readonly WriterRequest[]): number {
  let statements = 0;
  for (const [i, r] of requests.entries()) {
    statements += r.op === 'insert' ? r.statements.length : 1;
    if (statements > MAX_GROUP_STATEMENTS && i > 0) return i;
  }
  return requests.length;
}

/** Each statement's key codes, from the codes of the request's keys. */
const codesOf = (statements: WireStatement[], codes: number[]) => statements.map((s) => s.keys.map((k) => codes[k] as number));

/** The request shape of a batch: its statements with their keys as positions in one list of key texts. */
export function insertRequest(statements: (Omit<WireStatement, 'keys'> & { keys: readonly string[] })[], equivalent: string[]): WriterRequest {
  const keys: string[] = [];
  const position = new Map<string, number>();
  const wire = statements.map((s) => ({
    ...s,
    keys: s.keys.map((k) => {
      let at = position.get(k);
      if (at === undefined) position.set(k, (at = keys.push(k) - 1));
      return at;
    }),
  }));
  return { op: 'insert', statements: wire, keys, equivalent };
}

/**
 * Entries the recent part of the key index holds before the writer moves them to the main part
 * (migration 10): ~50,000 statements' worth, a few MiB that stay in the page cache. The move
 * is one transaction (measured ~0.2 s at 1,000,000 stored); larger batches touch each main
 * page for more entries at once, smaller ones keep more pages of the recent part clean.
 */
export const KEY_MERGE_ROWS = 300_000;

export function statementWriter(db: Database.Database, options: { keyMergeRows?: number } = {}): StatementWriter {
  const keyMergeRows = options.keyMergeRows ?? KEY_MERGE_ROWS;
  const dictionary = keyDictionary(db);
  const erase = statementEraser(db, dictionary);
  const pruneAttachments = attachmentPruner(db);
  const storedFacts = db.prepare<[string], StoredRow>(
    'SELECT seq, id, voiding, key_codes FROM statements WHERE id IN (SELECT value FROM json_each(?))',
  );
  const storedVoiders = db.prepare<[string], { target: string }>(
    'SELECT ref_target AS target FROM statements WHERE ref_target IS NOT NULL AND ref_target IN (SELECT value FROM json_each(?)) AND voiding = 1',
  );
  const storedBody = db.prepare<[string], string>('SELECT body FROM statements WHERE id = ?').pluck();
  const insertRow = db.prepare<[string, string, number, number, string | null, string, string]>(
    'INSERT INTO statements (id, stored, voided, voiding, ref_target, key_codes, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertKey = db.prepare<[number, number, number]>('INSERT INTO statement_keys_recent (key_id, seq, kinds) VALUES (?, ?, ?)');
  const addKindsInMain = db.prepare<[number, number, number]>('UPDATE statement_keys SET kinds = kinds | ? WHERE key_id = ? AND seq = ?');
  const addKindsInRecent = db.prepare<[number, number, number]>(
    'INSERT INTO statement_keys_recent (key_id, seq, kinds) VALUES (?, ?, ?) ON CONFLICT (key_id, seq) DO UPDATE SET kinds = kinds | excluded.kinds',
  );
  const recentCount = db.prepare<[], number>('SELECT count(*) FROM statement_keys_recent').pluck();
  // In key order, so each page of the main part is written once for all its new entries.
  const mergeKeys = writeTransaction(db, () => {
    db.exec('INSERT INTO statement_keys (key_id, seq, kinds) SELECT key_id, seq, kinds FROM statement_keys_recent ORDER BY key_id, seq; DELETE FROM statement_keys_recent');
  });
  /** When to move: a count of entries added, not exact (a request rolled back in its savepoint still counts). */
  let recentRows = recentCount.get() as number;
  let moveAt = keyMergeRows;

  /** An entry gains kinds where it is (each entry is in one part of the index), or is added to the recent part. */
  function addKinds(nameId: number, seq: number, kinds: number): void {
    if (addKindsInMain.run(kinds, nameId, seq).changes === 0) {
      addKindsInRecent.run(nameId, seq, kinds);
      recentRows += 1;
    }
  }
  const markVoided = db.prepare<[string]>('UPDATE statements SET voided = 1 WHERE id = ?');
  const referrers = db.prepare<[string], { seq: number; id: string; key_codes: string }>(
    'SELECT seq, id, key_codes FROM statements WHERE ref_target = ?',
  );
  const setKeyCodes = db.prepare<[string, number]>('UPDATE statements SET key_codes = ? WHERE seq = ?');
  const insertAttachment = db.prepare<[string, string, Uint8Array]>('INSERT OR IGNORE INTO attachments (sha2, content_type, body) VALUES (?, ?, ?)');
  const definitionOf = db.prepare<[string], string>('SELECT definition FROM activities WHERE id = ?').pluck();
  const upsertDefinition = db.prepare<[string, string]>(
    'INSERT INTO activities (id, definition) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition',
  );

  /** Gives stored statements that refer to these (directly or along a chain) the keys they lack. */
  function propagateKeys(frontier: Map<string, Set<number>>): void {
    while (frontier.size > 0) {
      const next = new Map<string, Set<number>>();
      for (const [id, keys] of frontier) {
        for (const r of referrers.all(id)) {
          const have = new Set(keyCodesColumn.parse(r.key_codes));
          const missing = [...keys].filter((k) => !have.has(k));
          // A referrer that already holds every key stops the walk, which also ends cycles.
          if (missing.length === 0) continue;
          for (const [nameId, kinds] of indexRows(missing)) addKinds(nameId, r.seq, kinds);
          for (const k of missing) have.add(k);
          setKeyCodes.run(keyCodesColumn.format(have), r.seq);
          next.set(r.id, new Set([...(next.get(r.id) ?? []), ...have]));
        }
      }
      frontier = next;
    }
  }

  function insert(statements: WireStatement[], keyCodes: number[][], equivalent: ReadonlySet<string>): InsertReply {
    const batch: InsertCandidate<number>[] = statements.map((s, i) => ({ id: s.id, refTarget: s.refTarget, voiding: s.voiding, keys: keyCodes[i] as number[] }));
    const { ids, withTargets } = idsToLookUp(batch);
    const stored = new Map<string, StoredFacts<number>>(
      storedFacts.all(JSON.stringify(withTargets)).map((r) => [r.id, { seq: r.seq, voiding: r.voiding === 1, keys: keyCodesColumn.parse(r.key_codes) }]),
    );
    const voidedByStored = new Set(storedVoiders.all(JSON.stringify(ids)).map((r) => r.target));
    const decision = decideInsert(batch, { stored, voidedByStored }, (c) => (equivalent.has(comparisonKey(c)) ? true : undefined));
    switch (decision.kind) {
      case 'rejected':
        return decision.outcome;
      case 'compare':
        return {
          kind: 'compare',
          comparisons: decision.comparisons.map((c) => (c.with === 'stored' ? { ...c, storedJson: storedBody.get(c.id) as string } : c)),
        };
      case 'accepted': {
        const seqs = new Map<object, number>();
        for (const f of decision.fresh) {
          const s = statements[f.index] as WireStatement;
          const info = insertRow.run(s.id, s.stored, f.voided ? 1 : 0, s.voiding ? 1 : 0, s.refTarget, keyCodesColumn.format(f.keys), s.json);
          const seq = Number(info.lastInsertRowid);
          for (const [nameId, kinds] of indexRows(f.keys)) {
            insertKey.run(nameId, seq, kinds);
            recentRows += 1;
          }
          seqs.set(f, seq);
        }
        for (const id of decision.voidTargets) markVoided.run(id);
        propagateKeys(new Map(decision.fresh.map((f) => [(statements[f.index] as WireStatement).id, f.keys])));
        return { kind: 'stored', seqs: decision.slots.map((slot) => (typeof slot === 'number' ? slot : (seqs.get(slot) as number))) };
      }
    }
  }

  function definitions(writes: DefinitionWrite[]): string[] {
    const changed: string[] = [];
    for (const w of writes) {
      if ((definitionOf.get(w.id) ?? null) !== w.expected) changed.push(w.id);
      else upsertDefinition.run(w.id, w.definition);
    }
    return changed;
  }

  /** One request in a savepoint of its own: a failure part-way leaves nothing of it behind. */
  const apply = db.transaction((request: WriterRequest, keyCodes: number[][]): WriterResult => {
    switch (request.op) {
      case 'insert':
        return { op: 'insert', reply: insert(request.statements, keyCodes, new Set(request.equivalent)) };
      case 'attachments':
        for (const a of request.attachments) insertAttachment.run(a.sha2, a.contentType, a.body);
        return { op: 'attachments' };
      case 'definitions':
        return { op: 'definitions', changed: definitions(request.writes) };
      case 'erase':
        return { op: 'erase', erased: erase(request.seqs) };
      case 'prune-attachments':
        return { op: 'prune-attachments', deleted: pruneAttachments(request.sha2s) };
    }
  });

  const group = writeTransaction(db, (requests: readonly WriterRequest[]): Reply<WriterResult>[] =>
    requests.map((request) => {
      try {
        // Names are added outside the request's savepoint: a rolled-back request leaves unused
        // names (harmless), never a remembered id whose row was rolled back.
        const keyCodes = request.op === 'insert' ? codesOf(request.statements, dictionary.codes(request.keys)) : [];
        return { ok: true, result: apply(request, keyCodes) };
      } catch (error) {
        return failure(error);
      }
    }),
  );

  return {
    commit(requests) {
      try {
        const replies = group(requests);
        dictionary.committed();
        return replies;
      } catch (error) {
        dictionary.rolledBack();
        recentRows = recentCount.get() as number;
        return requests.map(() => failure(error));
      }
    },
    maintain() {
      if (recentRows < moveAt) return;
      try {
        mergeKeys();
        recentRows = 0;
        moveAt = keyMergeRows;
      } catch {
        // One transaction: a failed move leaves both parts as they were; it is tried again once
        // as many entries more have come (queries read both parts meanwhile). Whatever failed it
        // (a full disk, a lock) fails the next commits too, visibly.
        recentRows = recentCount.get() as number;
        moveAt = recentRows + keyMergeRows;
      }
    },
  };
}
