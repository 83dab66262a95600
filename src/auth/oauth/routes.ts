/**
 * The authorisation server over HTTP:
 * - POST /oauth/token    form-encoded; client authentication by HTTP Basic (RFC 6749 §2.3.1) or
 *   client_id / client_secret in the body (not both); grant_type client_credentials (optional
 *   `scope`, a subset of the client's) or refresh_token (`refresh_token`, optional narrower `scope`).
 * - POST /oauth/revoke   RFC 7009: `token` (`token_type_hint` optional); 200 also for unknown tokens.
 * - GET  /.well-known/jwks.json   the public keys that verify access tokens.
 * - GET  /admin/v1/oauth/audit?client_id=&limit=   the audit log, newest first (scope admin,
 *   enforced by the /admin/v1 guard in src/server.ts).
 * Errors of the two POST endpoints are RFC 6749 §5.2 JSON (`OAuthError`, src/http/errors.ts).
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../http/app-env.js';
import { OAuthError } from '../../http/errors.js';
import type { ClientRecord } from '../../storage/auth-port.js';
import { parseBasic } from '../basic-auth.js';
import type { OAuthServer } from './server.js';
import { limitParam, queryParams } from '../../http/params.js';
import { requestText } from '../../http/body.js';

const AUDIT_DEFAULT_LIMIT = 100;
const AUDIT_MAX_LIMIT = 1000;

async function formOf(c: Context<AppEnv>): Promise<Map<string, string>> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new OAuthError(400, 'invalid_request', 'send the parameters as application/x-www-form-urlencoded');
  const form = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(await requestText(c))) {
    if (form.has(name)) throw new OAuthError(400, 'invalid_request', `parameter ${name} is repeated`);
    form.set(name, value);
  }
  return form;
}

/** RFC 6749 §2.3.1: the Basic user name and password are form-urlencoded before base64. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}

async function authenticateClient(c: Context<AppEnv>, form: Map<string, string>, oauth: OAuthServer): Promise<ClientRecord> {
  const header = c.req.header('Authorization');
  const inBody = form.has('client_id') || form.has('client_secret');
  let id: string | undefined;
  let secret: string | undefined;
  if (header !== undefined) {
    if (inBody) throw new OAuthError(400, 'invalid_request', 'authenticate the client one way: HTTP Basic or client_id/client_secret in the body, not both');
    const basic = parseBasic(header);
    if (!basic) throw new OAuthError(401, 'invalid_client', 'the Authorization header is not HTTP Basic client credentials', { 'WWW-Authenticate': 'Basic realm="lrs-oauth"' });
    [id, secret] = [formDecode(basic.key), formDecode(basic.secret)];
  } else {
    [id, secret] = [form.get('client_id'), form.get('client_secret')];
  }
  const challenge = header !== undefined ? { 'WWW-Authenticate': 'Basic realm="lrs-oauth"' } : undefined;
  if (!id || secret === undefined) throw new OAuthError(401, 'invalid_client', 'client authentication is required (HTTP Basic, or client_id and client_secret)', challenge);
  const client = await oauth.authenticateClient(id, secret);
  if (!client) throw new OAuthError(401, 'invalid_client', 'unknown client or wrong client secret', challenge);
  return client;
}

export function oauthRoutes(app: Hono<AppEnv>, oauth: OAuthServer): void {
  app.post('/oauth/token', async (c) => {
    const form = await formOf(c);
    const client = await authenticateClient(c, form, oauth);
    const grantType = form.get('grant_type');
    const scope = form.get('scope');
    let response;
    switch (grantType) {
      case undefined:
        throw new OAuthError(400, 'invalid_request', 'grant_type is required');
      case 'client_credentials':
        response = await oauth.clientCredentials(client, scope);
        break;
      case 'refresh_token': {
        const token = form.get('refresh_token');
        if (!token) throw new OAuthError(400, 'invalid_request', 'refresh_token is required with grant_type=refresh_token');
        response = await oauth.refresh(client, token, scope);
        break;
      }
      default:
        throw new OAuthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported (client_credentials, refresh_token)`);
    }
    return c.json(response, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });

  app.post('/oauth/revoke', async (c) => {
    const form = await formOf(c);
    const client = await authenticateClient(c, form, oauth);
    const token = form.get('token');
    if (!token) throw new OAuthError(400, 'invalid_request', 'token is required');
    await oauth.revoke(client, token, form.get('token_type_hint'));
    return c.body(null, 200, { 'Cache-Control': 'no-store' });
  });

  app.get('/.well-known/jwks.json', async (c) => c.json(await oauth.keys.jwks(), 200, { 'Cache-Control': 'public, max-age=60' }));

  app.get('/admin/v1/oauth/audit', async (c) => {
    const params = queryParams(c.req.url, ['client_id', 'limit']);
    const limit = limitParam(params, AUDIT_MAX_LIMIT, AUDIT_DEFAULT_LIMIT);
    const clientId = params.get('client_id') ?? undefined;
    const entries = await oauth.audit({ ...(clientId === undefined ? {} : { clientId }), limit });
    return c.json({
      entries: entries.map((e) => ({ at: e.at, event: e.event, client_id: e.clientId, family_id: e.familyId, details: e.details })),
    });
  });
}
