/**
 * The statement read path: one statement by id, or a page of a query with a `more` link.
 * Paging is by seq and pinned to the highest seq present at the first page, so pages stay
 * stable while statements keep arriving.
 *
 * Answers carry the stored records; `answerJson` writes the body. In `format=exact` it copies
 * each record's stored JSON text into the body, so a page is never parsed and serialised again.
 */
import type { StatementRecord, StatementStore } from '../../src/storage/port.js';
import { Refusal, invalid } from '../../src/refusal.js';
import type { Presentation, StatementFilter } from './query-params.js';
import { formatStatement, type StatementFormat } from './format.js';

interface Cursor {
  filter: StatementFilter;
  presentation: Presentation;
  afterSeq: number;
  maxSeq: number;
}

/** What GET /statements answers: one statement, or a page of them with the `more` link ('' at the end). */
export type StatementAnswer = { kind: 'single'; record: StatementRecord } | { kind: 'page'; records: StatementRecord[]; more: string };

export interface ReadContext {
  store: StatementStore;
  /** Page size used when the request asks for limit 0 and the cap on any larger limit. */
  maxPageSize: number;
  /** Path prefix of the statements resource, e.g. `/xapi/statements`. */
  statementsPath: string;
  languages: string[];
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (typeof cursor.afterSeq === 'number' && typeof cursor.maxSeq === 'number' && Array.isArray(cursor.filter?.keys)) return cursor;
  } catch {
    // fall through to the 400 below
  }
  const message = 'more is not a cursor this LRS issued';
  throw invalid('invalid-parameter', message, [{ path: 'more', rule: 'valid-cursor', message }]);
}

export async function readOne(ctx: ReadContext, id: string, voided: boolean): Promise<StatementAnswer> {
  const record = await ctx.store.get(id, voided);
  if (!record) {
    throw new Refusal('not-found', 'not-found', voided ? `No voided statement with id ${id}.` : `No statement with id ${id} (or it is voided).`);
  }
  return { kind: 'single', record };
}

/**
 * One page. The first page of a query is read unpinned: only when it has a `more` link is the
 * pin taken, after the page was read, which holds every statement of the page (seqs commit in
 * order), so later pages neither skip nor repeat, and a single page costs one read less.
 */
async function readPage(ctx: ReadContext, cursor: Omit<Cursor, 'afterSeq' | 'maxSeq'> & { afterSeq?: number; maxSeq?: number }): Promise<StatementAnswer> {
  const { filter } = cursor;
  const limit = filter.limit === 0 ? ctx.maxPageSize : Math.min(filter.limit, ctx.maxPageSize);
  const records = await ctx.store.query({
    keys: filter.keys,
    since: filter.since,
    until: filter.until,
    ascending: filter.ascending,
    afterSeq: cursor.afterSeq,
    maxSeq: cursor.maxSeq,
    limit: limit + 1,
  });
  const page = records.slice(0, limit);
  const last = page[page.length - 1];
  if (records.length <= limit || !last) return { kind: 'page', records: page, more: '' };
  const maxSeq = cursor.maxSeq ?? Math.max(await ctx.store.maxSeq(), ...records.map((r) => r.seq));
  return { kind: 'page', records: page, more: `${ctx.statementsPath}?more=${encodeCursor({ ...cursor, maxSeq, afterSeq: last.seq })}` };
}

export async function readFirstPage(ctx: ReadContext, filter: StatementFilter, presentation: Presentation): Promise<StatementAnswer> {
  return readPage(ctx, { filter, presentation });
}

/** Continues a query; format and attachments given beside `more` override the original ones. */
export async function readNextPage(ctx: ReadContext, token: string, presentation: Presentation, overridden: boolean): Promise<{ answer: StatementAnswer; presentation: Presentation }> {
  const cursor = decodeCursor(token);
  const used = overridden ? { ...cursor, presentation } : cursor;
  return { answer: await readPage(ctx, used), presentation: used.presentation };
}

/** The records of an answer. */
export const answerRecords = (answer: StatementAnswer): StatementRecord[] => (answer.kind === 'single' ? [answer.record] : answer.records);

/** The JSON body of an answer in a format (exact: the stored text as it is). */
export function answerJson(answer: StatementAnswer, format: StatementFormat, languages: string[]): string {
  const statement = (r: StatementRecord) => (format === 'exact' ? r.json : JSON.stringify(formatStatement(r.statement, format, languages)));
  if (answer.kind === 'single') return statement(answer.record);
  return `{"statements":[${answer.records.map(statement).join(',')}],"more":${JSON.stringify(answer.more)}}`;
}
