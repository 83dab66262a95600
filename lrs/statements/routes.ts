/** The Statement resource (xAPI 1.0.3 Communication 2.1; 9274.1.1 4.1.6.1): PUT, POST, GET and HEAD. */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { ApiError, badRequest, invalidParameter } from '../../src/http/errors.js';
import type { ActivityStore, AttachmentStore, StatementRecord, StatementStore } from '../../src/storage/port.js';
import { storeStatements, type ErasedActors } from './write.js';
import { parseStatementRequest } from './query-params.js';
import { answerJson, answerRecords, readFirstPage, readNextPage, readOne, type ReadContext, type StatementAnswer } from './read.js';
import { acceptedLanguages } from './format.js';
import { multipartMixed } from './multipart.js';
import { readStatementsBody } from './request-body.js';
import { onlyOwnStatements, ownAuthority, withOwnAuthorityKey } from './mine.js';
import { grants } from '../../src/auth/scopes.js';
import { queryParams } from '../../src/http/params.js';

export interface StatementDeps {
  store: StatementStore;
  attachments: AttachmentStore;
  /** Canonical Activity definitions, updated from the statements stored. */
  activities: ActivityStore;
  now: () => string;
  maxPageSize: number;
  /** Mount point of the xAPI router, e.g. `/xapi`. */
  basePath: string;
  /** Erased people, whose statements are refused (write.ts). */
  erased?: ErasedActors;
}

/** The hashes of the attachments of the statements in a GET answer. */
function attachmentHashes(records: StatementRecord[]): string[] {
  const hashes = new Set<string>();
  for (const r of records) {
    for (const a of (r.statement.attachments ?? []) as { sha2?: unknown }[]) if (typeof a.sha2 === 'string') hashes.add(a.sha2.toLowerCase());
  }
  return [...hashes];
}

/**
 * The HTTP-date of the latest "stored" among the statements of a GET answer; undefined when
 * there are none. `stored` is always UTC ISO 8601 with milliseconds (the LRS sets it), so the
 * latest is the greatest string.
 */
export function lastStored(records: StatementRecord[]): string | undefined {
  let latest: string | undefined;
  for (const r of records) if (latest === undefined || r.stored > latest) latest = r.stored;
  const ms = latest === undefined ? Number.NaN : Date.parse(latest);
  return Number.isNaN(ms) ? undefined : new Date(ms).toUTCString();
}

export function statementRoutes(router: Hono<AppEnv>, deps: StatementDeps): void {
  const writeContext = (c: Context<AppEnv>) => ({ store: deps.store, attachments: deps.attachments, activities: deps.activities, now: deps.now, authority: c.get('principal').authority, xapiVersion: c.get('xapiVersion'), updateDefinitions: grants(c.get('principal').scopes, 'define'), ...(deps.erased ? { erased: deps.erased } : {}) });

  router.put('/statements', async (c) => {
    const statementId = queryParams(c.req.url, ['statementId'], 'PUT /statements').get('statementId');
    if (statementId === null) throw invalidParameter('statementId', 'required', 'PUT /statements needs the statementId parameter');
    const { json, attachments } = await readStatementsBody(c);
    if (Array.isArray(json)) throw badRequest('invalid-statement', 'PUT takes one statement, not an array.', [{ path: 'statement', rule: 'type', message: 'must be an object' }]);
    await storeStatements({ statements: [json], fixedId: statementId, asArray: false, attachments }, writeContext(c));
    return c.body(null, 204);
  });

  router.post('/statements', async (c) => {
    queryParams(c.req.url, [], 'POST /statements');
    const { json, attachments } = await readStatementsBody(c);
    const asArray = Array.isArray(json);
    return c.json(await storeStatements({ statements: asArray ? json : [json], asArray, attachments }, writeContext(c)));
  });

  router.get('/statements', async (c) => {
    // Set first: the header is due on every GET answer, errors included (Communication 2.1.3).
    c.header('X-Experience-API-Consistent-Through', deps.now());
    const params = new URL(c.req.url).searchParams;
    const request = parseStatementRequest(params, c.get('xapiVersion'));
    const ctx: ReadContext = {
      store: deps.store,
      maxPageSize: deps.maxPageSize,
      statementsPath: `${deps.basePath}/statements`,
      languages: acceptedLanguages(c.req.header('Accept-Language')),
    };
    const own = ownAuthority(c.get('principal')); // scope statements/read/mine (mine.ts)
    let answer: StatementAnswer;
    let presentation = request.presentation;
    switch (request.kind) {
      case 'single':
        answer = await readOne(ctx, request.id, request.voided);
        break;
      case 'query':
        answer = await readFirstPage(ctx, withOwnAuthorityKey(request.filter, own), request.presentation);
        break;
      case 'more':
        ({ answer, presentation } = await readNextPage(ctx, request.token, request.presentation, params.has('format') || params.has('attachments')));
        break;
    }
    answer = onlyOwnStatements(answer, own);
    const records = answerRecords(answer);
    // 9274.1.1 4.1.6.1 (a SHOULD* in 1.0.3 Communication 2.1.3): the latest "stored" of the statements returned.
    const modified = lastStored(records);
    if (modified !== undefined) c.header('Last-Modified', modified);
    const json = answerJson(answer, presentation.format, ctx.languages);
    if (presentation.attachments) {
      const { body, contentType } = multipartMixed(json, await deps.attachments.get(attachmentHashes(records)));
      return c.body(body, 200, { 'Content-Type': contentType });
    }
    return c.body(json, 200, { 'Content-Type': 'application/json' });
  });
}
