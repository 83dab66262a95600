/**
 * `lrs import statements` (ARCHITECTURE.md §10): an NDJSON file of statements (this LRS's
 * export, gzipped or not, or another LRS's: one statement per line) stored through the ordinary
 * write path, in chunks. Each statement keeps what it says (id, timestamp, version, …); `stored`
 * and `authority` are set by this LRS as for any write (the importer is the authority). A line
 * that cannot be stored is reported with its number and rule, and the rest go on; a statement
 * already stored unchanged counts as unchanged, so running an import twice changes nothing.
 * Attachment bodies come from the export's attachments file (attachment-file.ts) or the store.
 */
import { Refusal, type Problem } from '../../src/refusal.js';
import { writeStatements, type WriteContext } from '../statements/write.js';
import { validateStatement } from '../statements/validation/index.js';
import type { XapiVersion } from '../version.js';
import { ndjsonLines } from './manifest.js';
import { attachmentHashes, restoreAttachments } from './attachment-file.js';

export interface ImportReport {
  imported: number;
  unchanged: number;
  rejected: { line: number; rule: string; message: string }[];
}

type Json = Record<string, unknown>;
interface Pending {
  line: number;
  statement: Json;
}

const CHUNK = 500;

/** The rules a statement is checked by: those of the version it states (2.x → 2.0.0, else 1.0.3). */
const versionOf = (statement: Json): XapiVersion => (typeof statement.version === 'string' && statement.version.startsWith('2.') ? '2.0.0' : '1.0.3');

export interface ImportOptions {
  chunkSize?: number;
  /** Told the lines handled so far after every chunk. */
  onProgress?: (lines: number) => void;
  /** An attachments file of the export (attachment-file.ts), already checked: its bodies are stored first. */
  attachmentsFile?: string;
}

export async function importStatements(file: string, ctx: Omit<WriteContext, 'xapiVersion'>, options: ImportOptions = {}): Promise<ImportReport> {
  const { chunkSize = CHUNK, onProgress, attachmentsFile } = options;
  const restored = attachmentsFile !== undefined ? await restoreAttachments(attachmentsFile, ctx.attachments) : [];
  const report: ImportReport = { imported: 0, unchanged: 0, rejected: [] };
  const reject = (line: number, rule: string, message: string) => report.rejected.push({ line, rule, message });
  let chunk: Pending[] = [];
  let chunkVersion: XapiVersion = '1.0.3';
  const ids = new Set<string>();

  async function store(pending: Pending[], xapiVersion: XapiVersion): Promise<void> {
    const before = await ctx.store.maxSeq();
    const statements = pending.map((p) => p.statement);
    // The bodies the statements' attachments name, as a client would send them in parts; those
    // the store lacks (by fileUrl, or never given) are left for the write path to judge.
    const hashes = [...new Set(statements.flatMap(attachmentHashes))];
    const parts = hashes.length > 0 ? await ctx.attachments.get(hashes) : [];
    const request = { statements, asArray: pending.length > 1, attachments: parts, validated: true as const };
    const { seqs } = await writeStatements(request, { ...ctx, xapiVersion });
    for (const seq of seqs) {
      if (seq > before) report.imported += 1;
      else report.unchanged += 1;
    }
  }

  async function storeChunk(pending: Pending[], xapiVersion: XapiVersion): Promise<void> {
    try {
      await store(pending, xapiVersion);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      // Something in the chunk cannot be stored (a conflict, an attachment without its data…):
      // one by one, so that only its line is refused.
      for (const one of pending) {
        try {
          await store([one], xapiVersion);
        } catch (single) {
          if (!(single instanceof Refusal)) throw single;
          const problem = single.problems?.[0];
          reject(one.line, problem?.rule ?? single.code, single.message);
        }
      }
    }
  }

  // One chunk is stored while the next is read and validated: the reading (main thread) and the
  // commit (the store's writer) overlap, and chunks still reach the store one after another, in
  // file order (a voiding statement after its target, `before` of each chunk exact).
  let storing: Promise<void> = Promise.resolve();
  let failed: { error: unknown } | null = null;
  async function stored(): Promise<void> {
    await storing;
    if (failed) throw failed.error;
  }
  async function flush(): Promise<void> {
    const pending = chunk;
    chunk = [];
    ids.clear();
    await stored();
    if (pending.length === 0) return;
    storing = storeChunk(pending, chunkVersion).then(
      () => onProgress?.(report.imported + report.unchanged + report.rejected.length),
      // Kept to be thrown by the next flush: a rejection nobody awaits yet would be unhandled.
      (error: unknown) => void (failed = { error }),
    );
  }

  for await (const { line, text } of ndjsonLines(file)) {
    let statement: unknown;
    try {
      statement = JSON.parse(text);
    } catch {
      reject(line, 'json', 'the line is not JSON');
      continue;
    }
    if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) {
      reject(line, 'statement-object', 'a line holds one statement, a JSON object');
      continue;
    }
    const json = statement as Json;
    const version = versionOf(json);
    const problems = validateStatement(json, 'statement', version);
    if (problems.length > 0) {
      const first = problems[0] as Problem;
      reject(line, first.rule, `${first.path}: ${first.message}`);
      continue;
    }
    if (typeof json.id !== 'string') {
      reject(line, 'id-required', 'statement.id: an imported statement needs its id, so that running the import again changes nothing');
      continue;
    }
    const id = json.id.toLowerCase();
    if (ids.has(id) || (chunk.length > 0 && version !== chunkVersion)) await flush();
    chunkVersion = version;
    chunk.push({ line, statement: json });
    ids.add(id);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  await stored();
  // Bodies restored for statements that were then refused (an erased person's) do not stay.
  await ctx.attachments.prune(restored);
  // Lines refused while reading and those refused by the store arrive interleaved.
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}
