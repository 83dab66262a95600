/**
 * The statement read path: one statement by id, or a page of a query with a `more` link.
 * Paging is by seq and pinned to the highest seq present at the first page, so pages stay
 * stable while statements keep arriving.
 */
import type { StatementStore } from '../../src/storage/port.js';
import { ApiError, invalidParameter } from '../../src/http/errors.js';
import type { Presentation, StatementFilter } from './query-params.js';
import { formatStatement } from './format.js';

type Json = Record<string, unknown>;

interface Cursor {
  filter: StatementFilter;
  presentation: Presentation;
  afterSeq: number;
  maxSeq: number;
}

export interface StatementPage {
  statements: Json[];
  more: string;
}

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
  throw invalidParameter('more', 'valid-cursor', 'more is not a cursor this LRS issued');
}

export async function readOne(ctx: ReadContext, id: string, voided: boolean, presentation: Presentation): Promise<Json> {
  const record = await ctx.store.get(id, voided);
  if (!record) {
    throw new ApiError(404, 'not-found', voided ? `No voided statement with id ${id}.` : `No statement with id ${id} (or it is voided).`);
  }
  return formatStatement(record.statement, presentation.format, ctx.languages);
}

async function readPage(ctx: ReadContext, cursor: Omit<Cursor, 'afterSeq'> & { afterSeq?: number }): Promise<StatementPage> {
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
  const more =
    records.length > limit && last
      ? `${ctx.statementsPath}?more=${encodeCursor({ ...cursor, afterSeq: last.seq })}`
      : '';
  return { statements: page.map((r) => formatStatement(r.statement, cursor.presentation.format, ctx.languages)), more };
}

export async function readFirstPage(ctx: ReadContext, filter: StatementFilter, presentation: Presentation): Promise<StatementPage> {
  return readPage(ctx, { filter, presentation, maxSeq: await ctx.store.maxSeq() });
}

/** Continues a query; format and attachments given beside `more` override the original ones. */
export async function readNextPage(ctx: ReadContext, token: string, presentation: Presentation, overridden: boolean): Promise<StatementPage> {
  const cursor = decodeCursor(token);
  return readPage(ctx, overridden ? { ...cursor, presentation } : cursor);
}
