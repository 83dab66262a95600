/**
 * Erasing statements (ARCHITECTURE.md §11), in the statement writer's transaction: the rows, their
 * index entries in both parts of the key index, the agent key texts no entry uses any more, and
 * the attachment bodies no remaining statement names.
 *
 * Only agent names (`ragent:…`, which hold mailboxes and account names) are deleted from the
 * dictionary: an activity, verb or registration name is no personal data, and another process's
 * writer may still hold its id in its cache (key-dictionary.ts) and index a new statement under
 * it. An erased agent's statements are refused from the moment its erasure begins (the
 * tombstone), so no writer indexes under its deleted names again.
 */
import type Database from 'better-sqlite3';
import type { StatementErasure } from '../port.js';
import { indexRows, keyCodesColumn, type KeyDictionary } from './key-dictionary.js';

interface ErasedRow {
  seq: number;
  id: string;
  key_codes: string;
  body: string;
}

const AGENT_NAME = 'ragent:';

/** The sha2s a statement's attachments name. */
function attachmentHashes(body: string): string[] {
  const attachments = (JSON.parse(body) as { attachments?: unknown }).attachments;
  if (!Array.isArray(attachments)) return [];
  return attachments.flatMap((a) => (typeof (a as { sha2?: unknown }).sha2 === 'string' ? [(a as { sha2: string }).sha2] : []));
}

export function statementEraser(db: Database.Database, dictionary: KeyDictionary): (seqs: number[]) => StatementErasure {
  const bySeqs = db.prepare<[string], ErasedRow>('SELECT seq, id, key_codes, body FROM statements WHERE seq IN (SELECT value FROM json_each(?))');
  const referrers = db.prepare<[string], ErasedRow>('SELECT seq, id, key_codes, body FROM statements WHERE ref_target = ?');
  const deleteEntry = [
    db.prepare<[number, number]>('DELETE FROM statement_keys WHERE key_id = ? AND seq = ?'),
    db.prepare<[number, number]>('DELETE FROM statement_keys_recent WHERE key_id = ? AND seq = ?'),
  ];
  const deleteRow = db.prepare<[number]>('DELETE FROM statements WHERE seq = ?');
  const nameOf = db.prepare<[number], string>('SELECT key FROM statement_key_names WHERE id = ?').pluck();
  const nameInUse = db
    .prepare<[number, number], number>(
      'SELECT EXISTS (SELECT 1 FROM statement_keys WHERE key_id = ?) OR EXISTS (SELECT 1 FROM statement_keys_recent WHERE key_id = ?)',
    )
    .pluck();
  const deleteName = db.prepare<[number]>('DELETE FROM statement_key_names WHERE id = ?');
  const prune = attachmentPruner(db);

  return (seqs) => {
    const erased = new Map<number, ErasedRow>();
    let frontier = bySeqs.all(JSON.stringify(seqs));
    while (frontier.length > 0) {
      const next: ErasedRow[] = [];
      for (const row of frontier) {
        if (erased.has(row.seq)) continue;
        erased.set(row.seq, row);
        next.push(...referrers.all(row.id));
      }
      frontier = next;
    }
    const names = new Set<number>();
    const hashes = new Set<string>();
    for (const row of erased.values()) {
      for (const nameId of indexRows(keyCodesColumn.parse(row.key_codes)).keys()) {
        for (const del of deleteEntry) del.run(nameId, row.seq);
        names.add(nameId);
      }
      for (const sha2 of attachmentHashes(row.body)) hashes.add(sha2);
      deleteRow.run(row.seq);
    }
    const forgotten = [...names].filter((id) => nameOf.get(id)?.startsWith(AGENT_NAME) === true && nameInUse.get(id, id) === 0);
    for (const id of forgotten) deleteName.run(id);
    dictionary.forget(forgotten);
    return { seqs: [...erased.keys()].sort((a, b) => a - b), attachments: prune([...hashes]) };
  };
}

/** Deletes the attachment bodies among these hashes that no stored statement names; returns how many. */
export function attachmentPruner(db: Database.Database): (sha2s: readonly string[]) => number {
  // No index names attachments: a scan per body, which erasures and imports of attachments can afford.
  const hashInUse = db.prepare<[string], number>("SELECT EXISTS (SELECT 1 FROM statements WHERE instr(body, '\"' || ? || '\"') > 0)").pluck();
  const deleteAttachment = db.prepare<[string]>('DELETE FROM attachments WHERE sha2 = ?');
  return (sha2s) => {
    let deleted = 0;
    for (const sha2 of new Set(sha2s)) if (hashInUse.get(sha2) === 0) deleted += deleteAttachment.run(sha2).changes;
    return deleted;
  };
}
