/**
 * Gives each request an id (echoed as X-Request-Id) and a child logger, and writes one line
 * per request. Only method, path and status are logged: query strings can hold agent emails.
 */
import type { MiddlewareHandler } from 'hono';
import { nanoid } from 'nanoid';
import type { Logger } from '../logging.js';
import type { AppEnv } from './app-env.js';

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = nanoid(12);
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
