import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import type { AppEnv } from '../src/http/app-env.js';
import { ApiError, respondWithError } from '../src/http/errors.js';
import { thrownBy } from '../test/support/thrown.js';
import { alternateSyntax, toOrdinaryRequest } from './alternate-syntax.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

function translate(body: string, options: { url?: string; method?: string; headers?: Record<string, string> } = {}): Request {
  return toOrdinaryRequest({
    method: options.method ?? 'POST',
    url: options.url ?? 'http://lrs.example/xapi/statements?method=PUT',
    headers: new Headers(options.headers ?? { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Language': 'fr' }),
    body,
  });
}

function problemOf(run: () => unknown): string {
  const error = thrownBy(ApiError, run);
  const problem = error.problems?.[0];
  return `${error.status} ${problem?.path} ${problem?.rule}`;
}

describe('toOrdinaryRequest', () => {
  it('makes header fields headers, content the body and other fields the query', async () => {
    const request = translate(
      form({ statementId: 'a b+c', Authorization: 'Basic eDp5', 'x-experience-api-version': '1.0.3', 'Content-Length': '2', 'If-Match': '"e"', content: '{"é":1}' }),
    );
    expect(request.method).toBe('PUT');
    expect(request.url).toBe('http://lrs.example/xapi/statements?statementId=a%20b%2Bc');
    expect(request.headers.get('Authorization')).toBe('Basic eDp5');
    expect(request.headers.get('X-Experience-API-Version')).toBe('1.0.3');
    expect(request.headers.get('If-Match')).toBe('"e"');
    expect(request.headers.get('Accept-Language')).toBe('fr');
    expect(request.headers.get('Content-Type')).toBe('application/json');
    expect(await request.text()).toBe('{"é":1}');
  });

  it('keeps the Content-Type field, and sends no Content-Type without content', () => {
    expect(translate(form({ 'Content-Type': 'text/plain', content: 'hi' })).headers.get('Content-Type')).toBe('text/plain');
    const get = translate(form({ limit: '1' }), { url: 'http://lrs.example/xapi/statements?method=get' });
    expect(get.method).toBe('GET');
    expect(get.headers.get('Content-Type')).toBeNull();
  });

  it('reads a text/plain or untyped body as the form (XDomainRequest)', () => {
    expect(translate(form({ statementId: 'x' }), { headers: { 'Content-Type': 'text/plain' } }).url).toMatch(/statementId=x$/);
    expect(translate(form({ statementId: 'x' }), { headers: {} }).url).toMatch(/statementId=x$/);
  });

  it('rejects what the syntax does not allow', () => {
    expect(problemOf(() => translate('', { method: 'PUT' }))).toBe('400 method post-only');
    expect(problemOf(() => translate('', { url: 'http://lrs.example/xapi/statements?method=PUT&statementId=x' }))).toBe('400 statementId only-method-in-query');
    expect(problemOf(() => translate('', { url: 'http://lrs.example/xapi/statements?method=PUT&method=GET' }))).toBe('400 method single-value');
    expect(problemOf(() => translate('', { url: 'http://lrs.example/xapi/statements?method=OPTIONS' }))).toBe('400 method xapi-method');
    expect(problemOf(() => translate('', { headers: { 'Content-Type': 'multipart/mixed; boundary=x' } }))).toBe('400 Content-Type form-urlencoded');
    expect(problemOf(() => translate(form({ method: 'GET' })))).toBe('400 method method-in-query');
    expect(problemOf(() => translate('content=1&content=2'))).toBe('400 content single-value');
    expect(problemOf(() => translate(form({ content: '{}' }), { url: 'http://lrs.example/xapi/statements?method=DELETE' }))).toBe('400 content no-content-for-method');
  });
});

describe('alternateSyntax middleware', () => {
  function app() {
    const router = new Hono<AppEnv>();
    router.use('*', alternateSyntax(router, '/api'));
    router.put('/things', async (c) => c.json({ method: c.req.method, query: c.req.query(), body: await c.req.text(), type: c.req.header('Content-Type') }));
    router.get('/things', (c) => c.json({ method: c.req.method, query: c.req.query() }));
    const outer = new Hono<AppEnv>();
    outer.onError((error, c) => respondWithError(c, error));
    outer.route('/api', router);
    return outer;
  }

  it('dispatches the ordinary request through the router it is mounted on', async () => {
    const res = await app().request('/api/things?method=PUT', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ id: '7', content: 'method=GET' }),
    });
    // the inner request carries a form-looking body but no method parameter: not translated again
    expect(await res.json()).toEqual({ method: 'PUT', query: { id: '7' }, body: 'method=GET', type: 'application/json' });
  });

  it('leaves requests without a method parameter alone', async () => {
    const res = await app().request('/api/things?x=1');
    expect(await res.json()).toEqual({ method: 'GET', query: { x: '1' } });
  });
});
