/**
 * The attachment bodies of a statement export (ARCHITECTURE.md §10), in a file beside it so that
 * the NDJSON lines stay exactly what `format=exact` answers: `FILE.attachments`, one JSON line
 * per body, `{"sha2", "contentType", "data"}` (data in base64), gzipped when the export is.
 * An import checks the file whole before it stores anything, stores the bodies first, and then
 * sends each statement with the bodies its attachments name, as a client sends its parts; so a
 * statement whose attachment has no fileUrl, and a signed statement, are restored too.
 */
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { AttachmentContent, AttachmentStore } from '../../src/storage/port.js';
import type { Problem } from '../../src/refusal.js';
import { hashesTo } from '../statements/attachment-parts.js';
import { writeHashed } from './export-file.js';
import { ndjsonLines, readWhole, type AttachmentsFile } from './manifest.js';

export const attachmentsFileOf = (file: string) => `${file}.attachments`;

/** Bodies read from the store (and saved to it on import) per round trip. */
const GROUP = 100;

/** The hashes of a statement's attachments (lower-case), in order. */
export function attachmentHashes(statement: Record<string, unknown>): string[] {
  const attachments = Array.isArray(statement.attachments) ? (statement.attachments as { sha2?: unknown }[]) : [];
  return attachments.flatMap((a) => (typeof a.sha2 === 'string' ? [a.sha2.toLowerCase()] : []));
}

/**
 * Writes the stored bodies among `sha2s` to `attachmentsFileOf(file)`; returns its manifest
 * entry, or null (and no file) when the store holds none of them (every attachment by fileUrl).
 */
export async function writeAttachments(store: AttachmentStore, sha2s: Iterable<string>, out: { file: string; gzip: boolean }): Promise<AttachmentsFile | null> {
  const all = [...new Set(sha2s)];
  let count = 0;
  async function* lines() {
    for (let i = 0; i < all.length; i += GROUP) {
      for (const a of await store.get(all.slice(i, i + GROUP))) {
        count += 1;
        yield `${JSON.stringify({ sha2: a.sha2, contentType: a.contentType, data: Buffer.from(a.body).toString('base64') })}\n`;
      }
    }
  }
  const file = attachmentsFileOf(out.file);
  const sha256 = await writeHashed(Readable.from(lines()), { file, gzip: out.gzip });
  if (count === 0) {
    await rm(file, { force: true });
    return null;
  }
  return { file: basename(file), count, sha256 };
}

/** One line of the file as an attachment, or the problem with it. */
function attachmentOf(text: string): AttachmentContent | { problem: string } {
  let entry: { sha2?: unknown; contentType?: unknown; data?: unknown };
  try {
    entry = JSON.parse(text) as typeof entry;
  } catch {
    return { problem: 'the line is not JSON' };
  }
  if (typeof entry.sha2 !== 'string' || typeof entry.contentType !== 'string' || typeof entry.data !== 'string') {
    return { problem: 'a line is {"sha2", "contentType", "data"}, all strings' };
  }
  const body = new Uint8Array(Buffer.from(entry.data, 'base64'));
  const sha2 = entry.sha2.toLowerCase();
  return hashesTo(body, sha2) ? { sha2, contentType: entry.contentType, body } : { problem: `the data does not hash to ${sha2}` };
}

/**
 * What is wrong with an attachments file, in one read: each line that is not a body with its
 * hash, and, when the manifest describes the file, a checksum or count that differs.
 */
export async function attachmentFileProblems(file: string, expected?: AttachmentsFile): Promise<Problem[]> {
  const problems: Problem[] = [];
  const read = await readWhole(file, ({ line, text }) => {
    const attachment = attachmentOf(text);
    if ('problem' in attachment && problems.length < 10) problems.push({ path: `attachments.line[${line}]`, rule: 'attachment-line', message: attachment.problem });
  });
  if ('unreadable' in read) return [{ path: 'attachments', rule: 'readable', message: `the attachments file does not read: ${read.unreadable}` }];
  if (expected !== undefined) {
    const { sha256, count } = read;
    if (sha256 !== expected.sha256) problems.push({ path: 'attachments.sha256', rule: 'checksum-matches', message: `the attachments file's SHA-256 is ${sha256}, the manifest says ${expected.sha256}` });
    if (count !== expected.count) problems.push({ path: 'attachments.count', rule: 'count-matches', message: `the attachments file holds ${count} bodies, the manifest says ${expected.count}` });
  }
  return problems;
}

/** Saves every body of a checked attachments file (attachmentFileProblems found nothing) to the store; returns how many. */
export async function restoreAttachments(file: string, store: AttachmentStore): Promise<string[]> {
  let group: AttachmentContent[] = [];
  const saved: string[] = [];
  for await (const { text } of ndjsonLines(file)) {
    const attachment = attachmentOf(text);
    if ('problem' in attachment) throw new Error(`${file}: ${attachment.problem} (the file changed after it was checked)`);
    group.push(attachment);
    saved.push(attachment.sha2);
    if (group.length >= GROUP) {
      await store.save(group);
      group = [];
    }
  }
  if (group.length > 0) await store.save(group);
  return saved;
}
