/**
 * `lrs export statements` (ARCHITECTURE.md §10): the stored statements as NDJSON, one per line
 * exactly as GET /xapi/statements?format=exact answers them (or as CSV rows, statement-csv.ts),
 * in `stored` (seq) order, streamed in constant memory, optionally gzipped, with the manifest
 * beside the file.
 *
 * Without an agent or activity filter the export is the whole log, voided statements and their
 * voiding statements included, so an import restores the same store. With one, it is what a
 * GET with the same filter finds: the non-voided statements matching it.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { AttachmentStore, StatementRecord, StatementStore } from '../../src/storage/port.js';
import { key } from '../statements/keys.js';
import type { ExportFilters, ExportFormat, ExportManifest } from './manifest.js';
import { writeExport } from './export-file.js';
import { attachmentHashes, writeAttachments } from './attachment-file.js';
import { STATEMENT_CSV_COLUMNS, statementCsvRow } from './statement-csv.js';

const PAGE = 1_000;

export interface StatementSelection {
  /** Exclusive lower bound on `stored` (UTC ISO 8601). */
  since?: string;
  /** Inclusive upper bound on `stored`. */
  until?: string;
  /** The identity of an agent (lrs/statements/keys.ts actorIdentity) and the agent's JSON, for the manifest. */
  agent?: { identity: string; json: string };
  activity?: string;
}

/** An ISO 8601 date-time with a zone (a `since` or `until` bound), as UTC with milliseconds; undefined when it is not one. */
export function utcTimestamp(raw: string): string | undefined {
  const ms = Date.parse(raw);
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(raw) && !Number.isNaN(ms) ? new Date(ms).toISOString() : undefined;
}

/** The selected statements in seq order, a page at a time. */
async function* selectedStatements(store: StatementStore, selection: StatementSelection): AsyncGenerator<StatementRecord> {
  const keys = [...(selection.agent ? [key.agent(selection.agent.identity)] : []), ...(selection.activity ? [key.activity(selection.activity)] : [])];
  const inRange = (r: StatementRecord) => (selection.since === undefined || r.stored > selection.since) && (selection.until === undefined || r.stored <= selection.until);
  if (keys.length === 0) {
    // The log as it is at the start: what arrives during the export is left for the next one.
    const last = await store.maxSeq();
    for (let after = 0; after < last; ) {
      const page = await store.readLog(after, PAGE);
      if (page.length === 0) return;
      for (const record of page) if (record.seq <= last && inRange(record)) yield record;
      after = (page.at(-1) as StatementRecord).seq;
    }
    return;
  }
  const maxSeq = await store.maxSeq();
  for (let afterSeq = 0; ; ) {
    const page = await store.query({ keys, since: selection.since, until: selection.until, ascending: true, afterSeq, maxSeq, limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    afterSeq = (page.at(-1) as StatementRecord).seq;
  }
}

/** `sha2s`, when given, collects the hashes of the statements' attachments. */
type Summary = { count: number; first: string | null; last: string | null; sha2s?: Set<string> };

/** The selected statements, counting what they hold into `summary` (and telling `onProgress` every page). */
async function* counted(store: StatementStore, selection: StatementSelection, summary: Summary, onProgress?: (count: number) => void): AsyncGenerator<StatementRecord> {
  for await (const record of selectedStatements(store, selection)) {
    summary.count += 1;
    summary.first ??= record.stored;
    summary.last = record.stored;
    if (summary.sha2s) for (const sha2 of attachmentHashes(record.statement)) summary.sha2s.add(sha2);
    if (summary.count % PAGE === 0) onProgress?.(summary.count);
    yield record;
  }
}

/** The NDJSON lines of the selection, counting what they hold into `summary`. */
export async function* statementLines(store: StatementStore, selection: StatementSelection, summary: Summary, onProgress?: (count: number) => void): AsyncGenerator<string> {
  for await (const record of counted(store, selection, summary, onProgress)) yield `${record.json}\n`;
}

/** The export's bytes before compression: NDJSON lines, or CSV with a header row. */
function exportBody(store: StatementStore, selection: StatementSelection, format: ExportFormat, summary: Summary, onProgress?: (count: number) => void): Readable {
  if (format === 'ndjson') return Readable.from(statementLines(store, selection, summary, onProgress));
  async function* rows() {
    for await (const record of counted(store, selection, summary, onProgress)) yield statementCsvRow(record.statement);
  }
  return Readable.from(rows()).pipe(stringify({ header: true, columns: [...STATEMENT_CSV_COLUMNS] }));
}

function filtersOf(selection: StatementSelection): ExportFilters {
  const filters: ExportFilters = {};
  if (selection.since !== undefined) filters.since = selection.since;
  if (selection.until !== undefined) filters.until = selection.until;
  if (selection.agent !== undefined) filters.agent = selection.agent.json;
  if (selection.activity !== undefined) filters.activity = selection.activity;
  return filters;
}

/**
 * Writes the export to `file`, an NDJSON export's stored attachment bodies to `file.attachments`
 * (attachment-file.ts), and the manifest to `file.manifest.json`; returns the manifest.
 */
export async function exportStatements(
  stores: { statements: StatementStore; attachments: AttachmentStore },
  selection: StatementSelection,
  out: { file: string; gzip: boolean; format?: ExportFormat },
  now: () => string,
  onProgress?: (count: number) => void,
): Promise<ExportManifest> {
  const format = out.format ?? 'ndjson';
  // A CSV row has no attachments to restore: only NDJSON, which imports, carries the bodies.
  const summary: Summary = { count: 0, first: null, last: null, ...(format === 'ndjson' ? { sha2s: new Set<string>() } : {}) };
  return writeExport(exportBody(stores.statements, selection, format, summary, onProgress), out, async () => {
    const attachments = summary.sha2s ? await writeAttachments(stores.attachments, summary.sha2s, out) : null;
    return {
      kind: 'statements',
      format,
      count: summary.count,
      first_stored: summary.first,
      last_stored: summary.last,
      filters: filtersOf(selection),
      ...(attachments !== null ? { attachments } : {}),
    };
  }, now);
}
