/**
 * Alternate Request Syntax (xAPI 1.0.3 Communication 1.3) over real HTTP on loopback: every
 * request made this way must get the answer the ordinary request gets.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUTH_HEADER } from '../support/server.js';
import { serveEachTest } from '../support/serve-each-test.js';

type Json = Record<string, unknown>;
interface ErrorBody {
  error: { status: number; code: string; problems?: { path: string; rule: string }[]; requestId?: string };
}

function statement(overrides: Json = {}): Json {
  return {
    actor: { objectType: 'Agent', mbox: 'mailto:ana@acme.example', name: 'Ana' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed', 'es-ES': 'completó' } },
    object: { objectType: 'Activity', id: 'https://acme.example/courses/safety' },
    ...overrides,
  };
}

const lrs = serveEachTest();
const { xapi } = lrs;

/** POST {endpoint}{path}?method=… with the fields form-encoded and only the headers given. */
function alternate(path: string, method: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${lrs.server.endpoint}${path}?method=${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The fields that carry the headers of an ordinary request (Communication 1.3.s3.b6). */
const HEADER_FIELDS = { Authorization: AUTH_HEADER, 'X-Experience-API-Version': '1.0.3' };

/**
 * Headers that differ between any two responses whatever the request, and the message framing
 * (an answer to HEAD is framed differently from a bodiless answer to POST).
 */
const VARYING = new Set(['date', 'x-request-id', 'x-experience-api-consistent-through', 'content-length', 'transfer-encoding', 'keep-alive', 'connection']);

function comparableHeaders(res: Response): Json {
  return Object.fromEntries([...res.headers].filter(([name]) => !VARYING.has(name)));
}

/** The same answer: status, headers (but the per-response ones) and body (but the request id). */
async function expectSameAnswer(alternateRes: Response, ordinaryRes: Response): Promise<void> {
  expect(alternateRes.status).toBe(ordinaryRes.status);
  expect(comparableHeaders(alternateRes)).toEqual(comparableHeaders(ordinaryRes));
  const strip = (text: string) => text.replace(/"requestId":"[^"]*"/, '"requestId":"…"');
  expect(strip(await alternateRes.text())).toBe(strip(await ordinaryRes.text()));
}

describe('each method through POST ?method=', () => {
  it('PUT: the Appendix C example, headers and statementId as form fields', async () => {
    const id = randomUUID();
    const res = await alternate('/statements', 'PUT', {
      statementId: id,
      ...HEADER_FIELDS,
      'Content-Type': 'application/json',
      content: JSON.stringify(statement({ id })),
    });
    expect(res.status, await res.clone().text()).toBe(204);
    const ordinary = await xapi(`/statements?statementId=${randomUUID()}`, { method: 'PUT', json: statement() });
    await expectSameAnswer(res, ordinary);
    expect((await xapi(`/statements?statementId=${id}`)).status).toBe(200);
  });

  it('PUT without a Content-Type field takes the content as application/json', async () => {
    const id = randomUUID();
    const res = await alternate('/statements', 'PUT', { statementId: id, content: JSON.stringify(statement()) }, HEADER_FIELDS);
    expect(res.status, await res.clone().text()).toBe(204);
  });

  it('POST: an array of statements, ids returned in order', async () => {
    const ids = [randomUUID(), randomUUID()];
    const res = await alternate('/statements', 'POST', { ...HEADER_FIELDS, content: JSON.stringify(ids.map((id) => statement({ id }))) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual(ids);
  });

  it('GET: the query parameters as form fields, the same page and headers as the ordinary GET', async () => {
    for (let i = 0; i < 3; i++) await xapi('/statements', { method: 'POST', json: statement() });
    const agent = JSON.stringify({ mbox: 'mailto:ana@acme.example' });
    const res = await alternate('/statements', 'GET', { ...HEADER_FIELDS, agent, limit: '2' });
    expect(res.status, await res.clone().text()).toBe(200);
    const ordinary = await xapi(`/statements?agent=${encodeURIComponent(agent)}&limit=2`);
    await expectSameAnswer(res, ordinary);
  });

  it('GET keeps the HTTP headers that are not form fields (Accept-Language, 1.3.s3.b8)', async () => {
    const [id] = (await (await xapi('/statements', { method: 'POST', json: statement() })).json()) as string[];
    const res = await alternate('/statements', 'GET', { ...HEADER_FIELDS, statementId: id as string, format: 'canonical' }, { 'Accept-Language': 'es-ES' });
    expect(((await res.json()) as { verb: { display: Json } }).verb.display).toEqual({ 'es-ES': 'completó' });
  });

  it('HEAD: no body, the headers of the ordinary HEAD', async () => {
    const res = await alternate('/statements', 'HEAD', { ...HEADER_FIELDS, limit: '1' });
    expect(res.status).toBe(200);
    expect(await res.clone().text()).toBe('');
    await expectSameAnswer(res, await xapi('/statements?limit=1', { method: 'HEAD' }));
  });

  it('GET /about, and other resources of the router', async () => {
    await expectSameAnswer(await alternate('/about', 'GET', { 'X-Experience-API-Version': '1.0.3' }), await xapi('/about'));
    await expectSameAnswer(await alternate('/nowhere', 'GET', HEADER_FIELDS), await xapi('/nowhere'));
  });
});

describe('form fields are headers and win over the HTTP headers (1.3.s3.b7)', () => {
  it('a version field that is not 1.0.x is rejected even with a good version header', async () => {
    const res = await alternate('/statements', 'PUT', { statementId: randomUUID(), 'X-Experience-API-Version': '0.8', content: JSON.stringify(statement()) }, HEADER_FIELDS);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('unsupported-version');
  });

  it('without credentials in fields or headers: the 401 of an ordinary request, challenge included', async () => {
    const res = await alternate('/statements', 'GET', { 'X-Experience-API-Version': '1.0.3' });
    const ordinary = await fetch(`${lrs.server.endpoint}/statements`, { headers: { 'X-Experience-API-Version': '1.0.3' } });
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Basic/);
    await expectSameAnswer(res, ordinary);
  });

  it('errors of the resource are the ordinary errors, with the request id of this request', async () => {
    const res = await alternate('/statements', 'PUT', { ...HEADER_FIELDS, content: JSON.stringify(statement()) });
    const body = (await res.clone().json()) as ErrorBody;
    expect(body.error.problems?.[0]?.path).toBe('statementId');
    expect(body.error.requestId).toBe(res.headers.get('X-Request-Id'));
    await expectSameAnswer(res, await xapi('/statements', { method: 'PUT', json: statement() }));
  });

  it('CORS headers as for an ordinary request', async () => {
    const res = await alternate('/statements', 'GET', { ...HEADER_FIELDS, limit: '1' }, { Origin: 'https://lms.example' });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});

describe('malformed alternate requests are a 400 naming the problem', () => {
  async function expectProblem(res: Response, path: string, rule: string): Promise<void> {
    const body = (await res.json()) as ErrorBody;
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.problems).toContainEqual(expect.objectContaining({ path, rule }));
    expect(res.headers.get('X-Experience-API-Version')).toBe('1.0.3');
  }

  it('not sent as POST (1.3.s3.b1)', async () => {
    const res = await fetch(`${lrs.server.endpoint}/statements?method=POST`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...HEADER_FIELDS },
      body: new URLSearchParams({ content: JSON.stringify(statement()) }).toString(),
    });
    await expectProblem(res, 'method', 'post-only');
  });

  it('another query parameter beside method (1.3.s3.b3)', async () => {
    const id = randomUUID();
    const res = await fetch(`${lrs.server.endpoint}/statements?method=PUT&statementId=${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...HEADER_FIELDS },
      body: new URLSearchParams({ statementId: id, content: JSON.stringify(statement()) }).toString(),
    });
    await expectProblem(res, 'statementId', 'only-method-in-query');
    expect((await xapi(`/statements?statementId=${id}`)).status).toBe(404);
  });

  it('an unknown method', async () => {
    await expectProblem(await alternate('/statements', 'PATCH', HEADER_FIELDS), 'method', 'xapi-method');
  });

  it('a body that is not a form', async () => {
    const res = await fetch(`${lrs.server.endpoint}/statements?method=PUT`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...HEADER_FIELDS },
      body: JSON.stringify({ statementId: randomUUID(), content: JSON.stringify(statement()) }),
    });
    await expectProblem(res, 'Content-Type', 'form-urlencoded');
  });

  it('content for a method that takes none, and a repeated header field', async () => {
    await expectProblem(await alternate('/statements', 'GET', { ...HEADER_FIELDS, content: '{}' }), 'content', 'no-content-for-method');
    const res = await fetch(`${lrs.server.endpoint}/statements?method=GET`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `Authorization=${encodeURIComponent(AUTH_HEADER)}&authorization=x&X-Experience-API-Version=1.0.3`,
    });
    await expectProblem(res, 'Authorization', 'single-value');
  });

  it('a JSON body sent as a form, and no body at all: the resource rejects what it gets', async () => {
    const json = await fetch(`${lrs.server.endpoint}/statements?method=PUT`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...HEADER_FIELDS },
      body: JSON.stringify({ statementId: randomUUID(), content: JSON.stringify(statement()) }),
    });
    expect(json.status).toBe(400);
    const empty = await fetch(`${lrs.server.endpoint}/statements?method=PUT`, { method: 'POST', headers: HEADER_FIELDS });
    expect(empty.status).toBe(400);
  });
});
