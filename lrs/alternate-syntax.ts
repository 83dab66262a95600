/**
 * Alternate Request Syntax (xAPI 1.0.3 Communication 1.3), for clients that can only send POST
 * and cannot set headers (IE 8/9 XDomainRequest) or whose query strings are too long:
 *
 *   POST /xapi/statements?method=PUT                      PUT /xapi/statements?statementId=…
 *   Content-Type: application/x-www-form-urlencoded  ==>  Authorization: Basic …
 *                                                         X-Experience-API-Version: 1.0.3
 *   statementId=…&Authorization=Basic …&                 Content-Type: application/json
 *   X-Experience-API-Version=1.0.3&content={…}            {…}
 *
 * The middleware turns such a request into the ordinary one and dispatches it through the same
 * xAPI router, so every resource supports the syntax and answers exactly as it would have.
 *   - the query string holds `method` and nothing else (1.3.s3.b2, b3) and the request is a POST
 *     (1.3.s3.b1); anything else with a `method` parameter is a 400;
 *   - the form fields Authorization, X-Experience-API-Version, Content-Type, Content-Length,
 *     If-Match and If-None-Match are headers (1.3.s3.b7) and replace the HTTP headers of those
 *     names; `content` is the body, read as UTF-8 (1.3.s3.b4, b5), application/json unless a
 *     Content-Type field says otherwise; every other field is a query parameter (1.3.s3.b14);
 *   - other HTTP headers (Accept-Language, …) are kept (1.3.s3.b8).
 * The body is read as a form when its Content-Type is application/x-www-form-urlencoded, and also
 * when it is text/plain or absent, the only thing XDomainRequest can send (1.3.s3.b9 is a SHOULD*).
 * The form's Content-Length field is not used: the content's length is what it is.
 *
 * xAPI 2.0 (IEEE 9274.1.1) dropped the syntax: a request with a `method` parameter that speaks
 * 2.0 — by its HTTP header or by its form's X-Experience-API-Version field — is a 400, and the
 * 2.0 resources never see it.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../src/http/app-env.js';
import { ApiError, respondWithError } from '../src/http/errors.js';
import { isXapi2, requestedVersion, type XapiVersion } from './version.js';
import { requestText } from '../src/http/body.js';

/** Form fields that are headers (1.3.s3.b6), by lower-case name. */
const HEADER_FIELDS = new Map(
  ['Authorization', 'X-Experience-API-Version', 'Content-Type', 'Content-Length', 'If-Match', 'If-None-Match'].map((h) => [h.toLowerCase(), h]),
);
const METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);
const WITHOUT_CONTENT = new Set(['GET', 'HEAD', 'DELETE']);
const FORM_BODY = /^(application\/x-www-form-urlencoded|text\/plain)\s*(;|$)/i;

/** A 400 raised before the version middleware runs, so it carries the version header itself. */
function syntaxError(path: string, rule: string, message: string, version: XapiVersion = '1.0.3'): ApiError {
  return new ApiError(400, 'invalid-alternate-request', message, [{ path, rule, message }], { 'X-Experience-API-Version': version });
}

/** The 400 for an alternate-syntax request that speaks xAPI 2.0. */
function removedIn2(): ApiError {
  return syntaxError(
    'method',
    'no-alternate-syntax-in-2.0',
    'xAPI 2.0 has no alternate request syntax: send the request itself (method, headers and query string) instead of a POST with a method parameter.',
    '2.0.0',
  );
}

/** The version an incoming request's headers ask for, or null. */
function headerVersion(headers: Headers): XapiVersion | null {
  const sent = headers.get('X-Experience-API-Version');
  return sent === null ? null : requestedVersion(sent);
}

/** The parts of an incoming request the translation looks at. */
export interface IncomingRequest {
  method: string;
  url: string;
  headers: Headers;
  /** The body as UTF-8 text ('' when none). */
  body: string;
}

/** Whether a request uses the alternate syntax (it has a `method` query parameter). */
export function isAlternateRequest(url: string): boolean {
  return new URL(url).searchParams.has('method');
}

/** The ordinary request equivalent to an alternate-syntax request; throws a 400 ApiError when it is malformed. Pure. */
export function toOrdinaryRequest(incoming: IncomingRequest): Request {
  const url = new URL(incoming.url);
  const methods = url.searchParams.getAll('method');
  if (incoming.method !== 'POST') {
    throw syntaxError('method', 'post-only', `an alternate-syntax request must be sent as POST, not ${incoming.method} (Communication 1.3.s3.b1)`);
  }
  if (methods.length !== 1) throw syntaxError('method', 'single-value', 'give the method query parameter once');
  for (const name of url.searchParams.keys()) {
    if (name !== 'method') {
      throw syntaxError(name, 'only-method-in-query', `"${name}" must be a form field: the query string of an alternate-syntax request holds only method (Communication 1.3.s3.b3, b13)`);
    }
  }
  const method = (methods[0] ?? '').toUpperCase();
  if (!METHODS.has(method)) throw syntaxError('method', 'xapi-method', `method must be one of ${[...METHODS].join(', ')}`);

  const type = incoming.headers.get('Content-Type');
  if (type !== null && !FORM_BODY.test(type)) {
    throw syntaxError('Content-Type', 'form-urlencoded', `an alternate-syntax request sends its fields as application/x-www-form-urlencoded, not ${type} (Communication 1.3.s3.b9)`);
  }

  const headers = new Headers(incoming.headers);
  for (const name of ['content-type', 'content-length', 'transfer-encoding']) headers.delete(name); // they describe the form
  const query = new URLSearchParams();
  let content: string | undefined;
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(incoming.body)) {
    const header = HEADER_FIELDS.get(name.toLowerCase());
    if (header !== undefined || name === 'content') {
      const key = header ?? name;
      if (seen.has(key)) throw syntaxError(key, 'single-value', `the form field ${key} is given more than once`);
      seen.add(key);
      if (header === 'Content-Length') continue;
      if (header !== undefined) headers.set(header, value);
      else content = value;
    } else if (name === 'method') {
      throw syntaxError('method', 'method-in-query', 'method belongs in the query string, not in the form (Communication 1.3.s3.b2)');
    } else {
      query.append(name, value);
    }
  }
  if (content !== undefined && WITHOUT_CONTENT.has(method)) {
    throw syntaxError('content', 'no-content-for-method', `a ${method} request has no content`);
  }
  if (content !== undefined && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');

  url.search = [...query].map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  return new Request(url, { method, headers, ...(content !== undefined ? { body: content } : {}) });
}

/**
 * The middleware. `router` is the xAPI router it is mounted on and `basePath` where that router is
 * mounted; the ordinary request goes through a dispatcher that mounts the same router at the same
 * path, with the same error mapping, the outer request's id and logger, and this middleware
 * stepping aside.
 */
export function alternateSyntax(router: Hono<AppEnv>, basePath: string): MiddlewareHandler<AppEnv> {
  const outerContext = new WeakMap<Request, Context<AppEnv>>();
  let dispatcher: Hono<AppEnv> | undefined;

  // Built on first use, once every route of the router is registered.
  const dispatch = () => {
    if (dispatcher) return dispatcher;
    const app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      const outer = outerContext.get(c.req.raw);
      const requestId = outer?.get('requestId');
      const log = outer?.get('log');
      if (requestId !== undefined) c.set('requestId', requestId);
      if (log !== undefined) c.set('log', log);
      await next();
    });
    app.onError((error, c) => respondWithError(c, error));
    app.notFound((c) => respondWithError(c, new ApiError(404, 'not-found', `No resource at ${c.req.method} ${c.req.path}.`)));
    app.route(basePath, router);
    return (dispatcher = app);
  };

  return async (c, next) => {
    if (outerContext.has(c.req.raw) || !isAlternateRequest(c.req.url)) return next();
    const outerVersion = headerVersion(c.req.raw.headers);
    if (outerVersion !== null && isXapi2(outerVersion)) throw removedIn2();
    const body = c.req.method === 'POST' ? await requestText(c) : '';
    const ordinary = toOrdinaryRequest({ method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body });
    const formVersion = headerVersion(ordinary.headers);
    if (formVersion !== null && isXapi2(formVersion)) throw removedIn2();
    outerContext.set(ordinary, c);
    const response = await dispatch().fetch(ordinary, c.env);
    // Keep the headers already set on the outer response (request id, CORS).
    return c.newResponse(response.body, response);
  };
}
