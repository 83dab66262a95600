/**
 * The one place that maps failures to HTTP (ARCHITECTURE.md §2). Route handlers and request
 * readers throw ApiError; services throw a Refusal (src/refusal.ts), whose kind decides the
 * status here; everything else is a fault and answers 500 without leaking details.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Refusal, type Problem, type RefusalKind } from '../refusal.js';

export type { Problem } from '../refusal.js';

export interface ErrorBody {
  error: { status: number; code: string; message: string; problems?: Problem[]; requestId?: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * An error of the OAuth2 authorisation server's endpoints (/oauth/token, /oauth/revoke), answered
 * as RFC 6749 §5.2 says: `{"error": "invalid_client", "error_description": "…"}`, no-store.
 */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 503,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'unsupported_token_type' | 'temporarily_unavailable',
    readonly description: string,
    readonly headers?: Record<string, string>,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export const badRequest = (code: string, message: string, problems?: Problem[]) =>
  new ApiError(400, code, message, problems);

/** One problem with one parameter, the most common 400. */
export const invalidParameter = (path: string, rule: string, message: string) =>
  badRequest('invalid-parameter', message, [{ path, rule, message }]);

const REFUSAL_STATUS: Record<RefusalKind, ContentfulStatusCode> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  forbidden: 403,
};

/** The HTTP answer to a service's refusal: its kind gives the status; code, message and problems are kept. */
export const apiErrorOf = (refusal: Refusal): ApiError => new ApiError(REFUSAL_STATUS[refusal.kind], refusal.code, refusal.message, refusal.problems);

export function errorBody(error: ApiError, requestId?: string): ErrorBody {
  return {
    error: {
      status: error.status,
      code: error.code,
      message: error.message,
      ...(error.problems ? { problems: error.problems } : {}),
      ...(requestId ? { requestId } : {}),
    },
  };
}

export function respondWithError(c: Context, thrown: unknown): Response {
  const requestId = c.get('requestId');
  const error = thrown instanceof Refusal ? apiErrorOf(thrown) : thrown;
  if (error instanceof OAuthError) {
    for (const [name, value] of Object.entries({ 'Cache-Control': 'no-store', Pragma: 'no-cache', ...error.headers })) c.header(name, value);
    return c.json({ error: error.error, error_description: error.description }, error.status);
  }
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
    return c.json(errorBody(error, requestId), error.status);
  }
  c.get('log')?.error({ err: error }, 'unhandled error');
  const fault = new ApiError(500, 'internal-error', 'The server failed to handle the request; it has been logged.');
  return c.json(errorBody(fault, requestId), 500);
}
