/**
 * Erasing statements from the MongoDB store (ARCHITECTURE.md §11), without transactions: the
 * statements, every statement referring to one of them along StatementRef chains, and the
 * attachment bodies no remaining statement names. A statement's index entries are its `keys`
 * field, gone with its document; there is no dictionary of key texts to clean as on SQLite.
 *
 * In this order, each step safe to repeat, so an erasure that crashed and is run again with the
 * same seqs converges:
 * 1. find the statements, then their referrers level by level (nothing is written yet);
 * 2. raise the erased high-water mark, so maxSeq never goes back (port: "highest seq stored so
 *    far"; a later statement still gets a higher seq from the counter);
 * 3. delete the attachment bodies only these statements name: before the statements, which are
 *    what a rerun finds the hashes by;
 * 4. delete the statements, the last level of referrers first: a crash in between leaves every
 *    remaining referrer's target in place, so a rerun's walk from the same seqs finds it again.
 * No index serves step 3's search for other statements naming a hash (a collection scan, as on
 * SQLite); it runs only for erased statements that have attachments.
 */
import type { StatementErasure } from '../port.js';
import { ATTACHMENTS, type AttachmentDocument } from './attachments.js';
import { COUNTERS, type CollectionLike, type CounterDocument, type DbLike, type Filter } from './driver.js';
import { STATEMENTS, bySeqsFilter, referrersFilter, type StatementDocument } from './statement-documents.js';

/** The counter document holding the highest erased seq (`$max`, never `$inc`). */
export const ERASED_MARK = 'statements-erased';

type Erased = Pick<StatementDocument, '_id' | 'id'> & { statement?: { attachments?: unknown } };

/** What the walk reads of a statement: its seq, id (for its referrers) and attachment hashes. */
export const ERASED_PROJECTION = { _id: 1, id: 1, 'statement.attachments.sha2': 1 } as const;

/** Statements naming any of these attachment hashes (no index: a scan). */
export function attachmentUsersFilter(sha2s: string[]): Filter {
  return { 'statement.attachments.sha2': { $in: sha2s } };
}

export function attachmentHashes(doc: Pick<Erased, 'statement'>): string[] {
  const attachments = doc.statement?.attachments;
  if (!Array.isArray(attachments)) return [];
  return attachments.flatMap((a) => (typeof (a as { sha2?: unknown }).sha2 === 'string' ? [(a as { sha2: string }).sha2] : []));
}

/** Deletes the bodies of these hashes that no statement (outside `except`, about to go) names; returns how many. */
export async function pruneAttachments(db: DbLike, sha2s: string[], except: ReadonlySet<number> = new Set()): Promise<number> {
  if (sha2s.length === 0) return 0;
  const statements: CollectionLike<StatementDocument> = db.collection(STATEMENTS);
  const attachments: CollectionLike<AttachmentDocument> = db.collection(ATTACHMENTS);
  const users = (await statements.find(attachmentUsersFilter(sha2s), { projection: { _id: 1, 'statement.attachments.sha2': 1 } }).toArray()) as Erased[];
  const used = new Set(users.filter((u) => !except.has(u._id)).flatMap(attachmentHashes));
  const unused = [...new Set(sha2s)].filter((h) => !used.has(h));
  return unused.length === 0 ? 0 : (await attachments.deleteMany({ _id: { $in: unused } })).deletedCount;
}

const NOTHING: StatementErasure = { seqs: [], attachments: 0 };

export function statementEraser(db: DbLike): (seqs: number[]) => Promise<StatementErasure> {
  const statements: CollectionLike<StatementDocument> = db.collection(STATEMENTS);
  const counters: CollectionLike<CounterDocument> = db.collection(COUNTERS);

  /** The stored statements of `seqs` (level 0), then each level's referrers; each statement once (cycles end). */
  async function walk(seqs: number[]): Promise<Erased[][]> {
    const levels: Erased[][] = [];
    const seen = new Set<number>();
    let found = (await statements.find(bySeqsFilter([...new Set(seqs)]), { projection: ERASED_PROJECTION }).toArray()) as Erased[];
    for (;;) {
      const level = found.filter((d) => !seen.has(d._id));
      if (level.length === 0) return levels;
      level.forEach((d) => seen.add(d._id));
      levels.push(level);
      found = (await statements.find(referrersFilter(level.map((d) => d.id)), { projection: ERASED_PROJECTION }).toArray()) as Erased[];
    }
  }

  return async (seqs) => {
    if (seqs.length === 0) return NOTHING;
    const levels = await walk(seqs);
    if (levels.length === 0) return NOTHING;
    const erased = levels.flat();
    const all = erased.map((d) => d._id).sort((a, b) => a - b);
    await counters.findOneAndUpdate({ _id: ERASED_MARK }, { $max: { seq: all.at(-1) } }, { upsert: true, returnDocument: 'after' });
    const deleted = await pruneAttachments(db, [...new Set(erased.flatMap(attachmentHashes))], new Set(all));
    for (const level of levels.reverse()) await statements.deleteMany(bySeqsFilter(level.map((d) => d._id)));
    return { seqs: all, attachments: deleted };
  };
}
