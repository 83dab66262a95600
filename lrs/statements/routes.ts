/** The Statement resource (xAPI 1.0.3 Communication 2.1): PUT, POST, GET and HEAD. */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { ApiError, badRequest, invalidParameter } from '../../src/http/errors.js';
import type { StatementStore } from '../../src/storage/port.js';
import { storeStatements } from './write.js';
import { parseStatementRequest } from './query-params.js';
import { readFirstPage, readNextPage, readOne, type ReadContext } from './read.js';
import { acceptedLanguages } from './format.js';
import { multipartMixed } from './multipart.js';

export interface StatementDeps {
  store: StatementStore;
  now: () => string;
  maxPageSize: number;
  /** Mount point of the xAPI router, e.g. `/xapi`. */
  basePath: string;
}

async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(400, 'unsupported-content-type', `Content-Type must be application/json, got "${type || 'none'}".`, [
      { path: 'Content-Type', rule: 'application-json', message: 'send the statement(s) as application/json' },
    ]);
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest('malformed-json', `The body is not valid JSON: ${(error as Error).message}`, [
      { path: 'body', rule: 'json', message: (error as Error).message },
    ]);
  }
}

function rejectParams(c: Context<AppEnv>, allowed: string[]): URLSearchParams {
  const params = new URL(c.req.url).searchParams;
  for (const name of params.keys()) {
    if (!allowed.includes(name)) throw invalidParameter(name, 'unknown-parameter', `unknown query parameter "${name}" for ${c.req.method}`);
  }
  return params;
}

export function statementRoutes(router: Hono<AppEnv>, deps: StatementDeps): void {
  const writeContext = (c: Context<AppEnv>) => ({ store: deps.store, now: deps.now, authority: c.get('principal').authority });

  router.put('/statements', async (c) => {
    const statementId = rejectParams(c, ['statementId']).get('statementId');
    if (statementId === null) throw invalidParameter('statementId', 'required', 'PUT /statements needs the statementId parameter');
    const body = await jsonBody(c);
    if (Array.isArray(body)) throw badRequest('invalid-statement', 'PUT takes one statement, not an array.', [{ path: 'statement', rule: 'type', message: 'must be an object' }]);
    await storeStatements({ statements: [body], fixedId: statementId, asArray: false }, writeContext(c));
    return c.body(null, 204);
  });

  router.post('/statements', async (c) => {
    rejectParams(c, []);
    const body = await jsonBody(c);
    const asArray = Array.isArray(body);
    return c.json(await storeStatements({ statements: asArray ? body : [body], asArray }, writeContext(c)));
  });

  router.get('/statements', async (c) => {
    const params = new URL(c.req.url).searchParams;
    const request = parseStatementRequest(params);
    const ctx: ReadContext = {
      store: deps.store,
      maxPageSize: deps.maxPageSize,
      statementsPath: `${deps.basePath}/statements`,
      languages: acceptedLanguages(c.req.header('Accept-Language')),
    };
    c.header('X-Experience-API-Consistent-Through', deps.now());
    let result: unknown;
    switch (request.kind) {
      case 'single':
        result = await readOne(ctx, request.id, request.voided, request.presentation);
        break;
      case 'query':
        result = await readFirstPage(ctx, request.filter, request.presentation);
        break;
      case 'more':
        result = await readNextPage(ctx, request.token, request.presentation, params.has('format') || params.has('attachments'));
        break;
    }
    if (request.presentation.attachments) {
      const { body, contentType } = multipartMixed(JSON.stringify(result), []);
      return c.body(body, 200, { 'Content-Type': contentType });
    }
    return c.json(result);
  });
}
