/**
 * The one authentication middleware: HTTP Basic (the seeded credential, or a registered
 * client's id and secret) or a Bearer access token from /oauth/token. Sets the request's
 * principal (with its scopes) or answers 401. A request already authenticated further up (e.g.
 * by the /admin/v1 guard) is not authenticated twice.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../http/errors.js';
import type { AppEnv } from '../http/app-env.js';
import type { CredentialStore, Principal } from './credentials.js';
import { parseBasic } from './basic-auth.js';
import type { OAuthServer } from './oauth/server.js';

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="xAPI LRS", charset="UTF-8", Bearer realm="lrs"' };

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, undefined, CHALLENGE);
}

export interface Authenticator {
  /** The principal of an Authorization header value; throws a 401 ApiError. */
  principal(header: string | undefined): Promise<Principal>;
  middleware: MiddlewareHandler<AppEnv>;
}

export function authenticator(deps: { credentials: CredentialStore; oauth: OAuthServer }): Authenticator {
  const principal = async (header: string | undefined): Promise<Principal> => {
    if (!header) throw unauthorized('Authentication required: send an Authorization header with Basic credentials or a Bearer token.');
    const bearer = header.match(/^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i);
    if (bearer?.[1]) return deps.oauth.verifyAccessToken(bearer[1]);
    const basic = parseBasic(header);
    if (!basic) throw unauthorized('The Authorization header is neither Basic credentials nor a Bearer token.');
    const found = deps.credentials.verify(basic.key, basic.secret) ?? (await deps.oauth.basicPrincipal(basic.key, basic.secret));
    if (!found) throw unauthorized('Unknown key or wrong secret.');
    return found;
  };
  return {
    principal,
    middleware: async (c, next) => {
      if (!c.get('principal')) c.set('principal', await principal(c.req.header('Authorization')));
      await next();
    },
  };
}
