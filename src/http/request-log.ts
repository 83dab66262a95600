/**
 * Gives each request an id (echoed as X-Request-Id) and a child logger, and writes one line
 * per request. Only method, path and status are logged: query strings can hold agent emails.
 * An incoming X-Request-Id (set by a proxy or the caller, to follow one request across
 * services) is kept when it is a safe token, REQUEST_ID; anything else is replaced by a fresh
 * id, since the id is written to every log line, error body and response of the request.
 */
import type { MiddlewareHandler } from 'hono';
import { nanoid } from 'nanoid';
import type { Logger } from '../logging.js';
import type { AppEnv } from './app-env.js';

/** 1–128 letters, digits and `.` `_` `:` `-`: covers UUIDs, ULIDs, nanoids and trace ids, and needs no escaping anywhere. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id when it is a safe token, else a new one. */
export function requestIdFor(incoming: string | undefined): string {
  return incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : nanoid(12);
}

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = requestIdFor(c.req.header('X-Request-Id'));
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 },
      'request',
    );
  };
}
