/**
 * The manifest beside every export (ARCHITECTURE.md §10): what the file holds and the SHA-256 of
 * its bytes, so an import can refuse a truncated or altered file before it stores anything.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { readProjectJson } from '../../src/project-files.js';
import type { Problem } from '../../src/refusal.js';

export interface ExportManifest {
  /** Only statement exports import; a profile export is for other systems and analysts. */
  kind: 'statements' | 'profiles';
  /** csv exports are for analysts: only ndjson imports. */
  format: ExportFormat;
  gzip: boolean;
  count: number;
  /** Of the file's bytes as written (compressed when gzip). */
  sha256: string;
  /** `stored` of the first and last statement; null for a profile export (and an empty one). */
  first_stored: string | null;
  last_stored: string | null;
  filters: ExportFilters;
  /** The file of attachment bodies beside a statement export (attachment-file.ts); absent when there are none. */
  attachments?: AttachmentsFile;
  created_at: string;
  lrs_version: string;
}

export interface AttachmentsFile {
  /** Its name, in the manifest's directory. */
  file: string;
  count: number;
  /** Of its bytes as written. */
  sha256: string;
}

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The filters an export was made with (UTC ISO 8601 bounds on `stored`; agent as its JSON). */
export interface ExportFilters {
  since?: string;
  until?: string;
  agent?: string;
  activity?: string;
}

export const manifestFileOf = (file: string) => `${file}.manifest.json`;

export const lrsVersion = (): string => readProjectJson<{ version: string }>('package.json').version;

const GZIP_MAGIC = [0x1f, 0x8b];

/** Whether the file starts as gzip data does. */
export async function isGzipFile(file: string): Promise<boolean> {
  const stream = createReadStream(file, { start: 0, end: 1 });
  const head: Buffer[] = [];
  for await (const chunk of stream) head.push(chunk as Buffer);
  const bytes = Buffer.concat(head);
  return bytes.length === 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * The lines of an NDJSON file (gunzipped when it is gzip), numbered from 1, blank ones skipped;
 * `onBytes` sees the file's bytes as read, so a checksum costs no second read.
 */
export async function* ndjsonLines(file: string, onBytes?: (chunk: Buffer) => void): AsyncGenerator<{ line: number; text: string }> {
  const gzip = await isGzipFile(file);
  // The listeners go on together and at once: a stream flows as soon as one is on.
  const bytes = createReadStream(file);
  if (onBytes) bytes.on('data', (chunk) => onBytes(chunk as Buffer));
  const text = gzip ? bytes.pipe(createGunzip()) : bytes;
  let line = 0;
  for await (const raw of createInterface({ input: text, crlfDelay: Infinity })) {
    line += 1;
    if (raw.trim() !== '') yield { line, text: raw };
  }
}

/**
 * Reads a file's lines to its end (ndjsonLines, each given to `onLine`): the SHA-256 of its bytes
 * and the number of lines, or why it does not read (a gzip file cut short or corrupt).
 */
export async function readWhole(file: string, onLine?: (line: { line: number; text: string }) => void): Promise<{ sha256: string; count: number } | { unreadable: string }> {
  const hash = createHash('sha256');
  let count = 0;
  try {
    for await (const line of ndjsonLines(file, (chunk) => hash.update(chunk))) {
      count += 1;
      onLine?.(line);
    }
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
  return { sha256: hash.digest('hex'), count };
}

const unreadable = (path: string, reason: string): Problem => ({ path, rule: 'readable', message: `the file does not decompress: ${reason}` });

/**
 * A gzip file checked whole before an import without a manifest stores anything: one that is
 * truncated or corrupt does not decompress to its end (a plain file has no such check).
 */
export async function gzipProblems(file: string): Promise<Problem[]> {
  if (!(await isGzipFile(file))) return [];
  const read = await readWhole(file);
  return 'unreadable' in read ? [unreadable('gzip', read.unreadable)] : [];
}

export async function readManifest(file: string): Promise<ExportManifest> {
  return JSON.parse(await readFile(file, 'utf8')) as ExportManifest;
}

/**
 * What in `file` disagrees with its manifest: the checksum of its bytes and the count of its
 * lines (a gzip file that does not decompress is a problem too), in one read; empty when it matches.
 */
export async function manifestProblems(file: string, manifest: ExportManifest): Promise<Problem[]> {
  if (manifest.kind !== 'statements') return [{ path: 'kind', rule: 'statements', message: `the file is a ${manifest.kind} export: only statement exports can be imported` }];
  if (manifest.format !== 'ndjson') return [{ path: 'format', rule: 'ndjson', message: `the file is a ${manifest.format} export: only ndjson exports can be imported` }];
  const read = await readWhole(file);
  if ('unreadable' in read) return [unreadable('gzip', read.unreadable)];
  const { sha256, count } = read;
  const problems: Problem[] = [];
  if (sha256 !== manifest.sha256) problems.push({ path: 'sha256', rule: 'checksum-matches', message: `the file's SHA-256 is ${sha256}, the manifest says ${manifest.sha256}` });
  if (count !== manifest.count) problems.push({ path: 'count', rule: 'count-matches', message: `the file holds ${count} statements, the manifest says ${manifest.count}` });
  return problems;
}
