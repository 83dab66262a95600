/**
 * Basic-auth parsing, and a Basic-only middleware for the seeded credential. Routers use the
 * Basic-and-Bearer middleware of authenticate.ts; this one is kept for code not moved yet, and
 * lets through a request already authenticated further up.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../http/errors.js';
import type { AppEnv } from '../http/app-env.js';
import type { CredentialStore } from './credentials.js';

const challenge = { 'WWW-Authenticate': 'Basic realm="xAPI LRS", charset="UTF-8"' };

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, undefined, challenge);
}

export function parseBasic(header: string | undefined): { key: string; secret: string } | null {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export function basicAuth(credentials: CredentialStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get('principal')) return next();
    const header = c.req.header('Authorization');
    if (!header) throw unauthorized('Authentication required: send an Authorization header with Basic credentials.');
    const parsed = parseBasic(header);
    if (!parsed) throw unauthorized('The Authorization header is not valid Basic credentials.');
    const principal = credentials.verify(parsed.key, parsed.secret);
    if (!principal) throw unauthorized('Unknown key or wrong secret.');
    c.set('principal', principal);
    await next();
  };
}
