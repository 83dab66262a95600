/**
 * The OAuth2 authorisation server end to end through the real application (app.request, a
 * clock the test moves): issuance, client authentication, refresh rotation and reuse
 * detection, revocation, expiry, foreign signatures, key rotation, and the audit log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT, decodeProtectedHeader, generateKeyPair, exportJWK, calculateJwkThumbprint } from 'jose';
import { ADMIN_BASIC, bearer, startAuthHarness, type AuthHarness } from './support.js';
import { ACCESS_TOKEN_AUDIENCE } from '../../src/auth/oauth/server.js';

let h: AuthHarness;
beforeEach(async () => {
  h = await startAuthHarness();
});
afterEach(async () => h.close());

const oauthError = async (res: Response) => ({ status: res.status, body: (await res.json()) as { error: string; error_description: string } });
const apiError = async (res: Response) => ({ status: res.status, body: (await res.json()) as { error: { status: number; code: string; message: string } } });

async function auditEvents(clientId?: string): Promise<{ event: string; client_id: string | null; family_id: string | null; details: Record<string, unknown> }[]> {
  const res = await h.app.request(`/admin/v1/oauth/audit${clientId ? `?client_id=${clientId}` : ''}`, { headers: { Authorization: ADMIN_BASIC } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: never[] }).entries;
}

describe('POST /oauth/token: client_credentials', () => {
  it('issues a short-lived ES256 JWT with a kid published in the JWKS, and a refresh token; no-store', async () => {
    const client = await h.client(['statements/read', 'statements/write']);
    const res = await h.token({ grant_type: 'client_credentials' }, client);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'statements/read statements/write' });
    expect(body.refresh_token).toMatch(/^lrs_rt_[A-Za-z0-9_-]{43}$/);
    const header = decodeProtectedHeader(body.access_token as string);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const jwks = (await (await h.app.request('/.well-known/jwks.json')).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([header.kid]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect((await h.xapi('/statements', bearer(body.access_token as string))).status).toBe(200);
  });

  it('accepts client_id/client_secret in the body; a requested scope must be a subset of the client\'s', async () => {
    const client = await h.client(['statements/read', 'state']);
    const res = await h.token({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, scope: 'state' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { scope: string }).scope).toBe('state');
    expect(await oauthError(await h.token({ grant_type: 'client_credentials', scope: 'state admin' }, client))).toEqual({
      status: 400,
      body: { error: 'invalid_scope', error_description: 'scope not granted to this client: admin' },
    });
    expect((await oauthError(await h.token({ grant_type: 'client_credentials', scope: 'root' }, client))).body.error).toBe('invalid_scope');
  });

  it('refuses a wrong secret, an unknown client and missing authentication with 401 invalid_client', async () => {
    const client = await h.client(['statements/read']);
    const wrong = await h.token({ grant_type: 'client_credentials' }, { id: client.id, secret: 'not-the-secret' });
    expect(wrong.headers.get('WWW-Authenticate')).toMatch(/^Basic/);
    expect(await oauthError(wrong)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'unknown client or wrong client secret' } });
    expect((await oauthError(await h.token({ grant_type: 'client_credentials' }, { id: 'c_nobody', secret: client.secret }))).status).toBe(401);
    expect(await oauthError(await h.token({ grant_type: 'client_credentials', client_id: client.id, client_secret: 'nope' }))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await oauthError(await h.token({ grant_type: 'client_credentials' }))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('answers malformed requests per RFC 6749 §5.2', async () => {
    const client = await h.client(['statements/read']);
    expect(await oauthError(await h.token({ grant_type: 'password', username: 'a', password: 'b' }, client))).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(await oauthError(await h.token({}, client))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const both = await h.token({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret }, client);
    expect(await oauthError(both)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const json = await h.app.request('/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
    expect(await oauthError(json)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('a rotated client secret replaces the old one at once', async () => {
    const { rotateClientSecret } = await import('../../src/auth/clients.js');
    const client = await h.client(['statements/read']);
    await h.grant(client);
    const rotated = await rotateClientSecret({ clients: h.store.clients, oauth: h.store.oauth, now: h.now }, client.id);
    expect(rotated?.secret).toMatch(/^lrs_cs_/);
    expect((await h.token({ grant_type: 'client_credentials' }, client)).status).toBe(401);
    expect((await h.token({ grant_type: 'client_credentials' }, { id: client.id, secret: rotated?.secret as string })).status).toBe(200);
    expect((await h.store.clients.get(client.id))?.secretHash).toMatch(/^scrypt\$/);
  });
});

describe('access tokens on the resource endpoints', () => {
  it('an expired token is refused with 401 invalid_token and a Bearer challenge', async () => {
    const client = await h.client(['statements/read']);
    const { access_token } = await h.grant(client);
    h.advance(899);
    expect((await h.xapi('/statements', bearer(access_token))).status).toBe(200);
    h.advance(2);
    const res = await h.xapi('/statements', bearer(access_token));
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="lrs", error="invalid_token"/);
    expect(await apiError(res)).toMatchObject({ status: 401, body: { error: { status: 401, code: 'invalid_token', message: 'The access token was refused: it has expired.' } } });
  });

  it('a token signed by another key is refused, whether it names a known kid or an unknown one', async () => {
    const client = await h.client(['statements/read']);
    const { access_token } = await h.grant(client);
    const { kid } = decodeProtectedHeader(access_token);
    const other = await generateKeyPair('ES256');
    const forge = (headerKid: string) =>
      new SignJWT({ client_id: client.id, scope: 'statements/read', fid: 'f' })
        .setProtectedHeader({ alg: 'ES256', kid: headerKid, typ: 'at+jwt' })
        .setIssuer('urn:lrs').setAudience(ACCESS_TOKEN_AUDIENCE).setSubject(client.id).setJti('j').setIssuedAt().setExpirationTime('10m')
        .sign(other.privateKey);
    const sameKid = await apiError(await h.xapi('/statements', bearer(await forge(kid as string))));
    expect(sameKid).toMatchObject({ status: 401, body: { error: { code: 'invalid_token', message: 'The access token was refused: its signature does not verify.' } } });
    const otherKid = await calculateJwkThumbprint(await exportJWK(other.publicKey));
    expect((await apiError(await h.xapi('/statements', bearer(await forge(otherKid))))).body.error.message).toMatch(/key this server does not know/);
    expect((await apiError(await h.xapi('/statements', bearer('not.a.jwt')))).status).toBe(401);
  });

  it('a token lacking the scope is refused with 403 insufficient_scope naming it', async () => {
    const client = await h.client(['statements/read']);
    const { access_token } = await h.grant(client);
    const res = await h.xapi('/statements', bearer(access_token), { method: 'POST', json: { actor: { mbox: 'mailto:a@example.com' }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: 'https://example.com/a' } } });
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer error="insufficient_scope", scope="statements/write"');
    expect(await apiError(res)).toMatchObject({ status: 403, body: { error: { code: 'insufficient_scope', message: 'POST /xapi/statements needs scope statements/write; the credential does not have it.' } } });
  });

  it('a registered client may also use HTTP Basic with its id and secret, with its scopes', async () => {
    const client = await h.client(['statements/read']);
    const { basic } = await import('./support.js');
    expect((await h.xapi('/statements', basic(client.id, client.secret))).status).toBe(200);
    expect((await h.xapi('/statements', basic(client.id, 'wrong'))).status).toBe(401);
    expect((await h.xapi('/activities/state?activityId=https://example.com/a&agent={"mbox":"mailto:a@example.com"}', basic(client.id, client.secret))).status).toBe(403);
  });
});

describe('refresh tokens and revocation', () => {
  it('a refresh rotates both tokens; reusing a spent refresh token revokes the whole family', async () => {
    const client = await h.client(['statements/read']);
    const first = await h.grant(client);
    const refreshed = await h.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, client);
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await h.xapi('/statements', bearer(second.access_token))).status).toBe(200);

    // The spent token comes back (a thief, or a replay): refused, and the family dies.
    expect(await oauthError(await h.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, client))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'the refresh token was already used; every token of its grant is revoked' },
    });
    expect(await oauthError(await h.token({ grant_type: 'refresh_token', refresh_token: second.refresh_token }, client))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await apiError(await h.xapi('/statements', bearer(second.access_token)))).body.error.message).toBe('The access token was refused: it has been revoked.');
    expect((await h.xapi('/statements', bearer(first.access_token))).status).toBe(401);
    // A new client_credentials grant starts a fresh family.
    expect((await h.xapi('/statements', bearer((await h.grant(client)).access_token))).status).toBe(200);

    const events = (await auditEvents(client.id)).map((e) => e.event);
    expect(events.slice(0, 4)).toEqual(['token.issued', 'refresh.reuse-detected', 'token.refreshed', 'token.issued']);
  });

  it('a refresh token may narrow the scope, not widen it, and works only for its own client', async () => {
    const client = await h.client(['statements/read', 'state']);
    const other = await h.client(['statements/read', 'state']);
    const { refresh_token } = await h.grant(client, 'statements/read');
    expect((await oauthError(await h.token({ grant_type: 'refresh_token', refresh_token }, other))).body.error).toBe('invalid_grant');
    expect((await oauthError(await h.token({ grant_type: 'refresh_token', refresh_token, scope: 'state' }, client))).body.error).toBe('invalid_scope');
    const narrowed = await h.token({ grant_type: 'refresh_token', refresh_token, scope: 'statements/read' }, client);
    expect(((await narrowed.json()) as { scope: string }).scope).toBe('statements/read');
  });

  it('an expired refresh token is refused', async () => {
    const client = await h.client(['statements/read']);
    const { refresh_token } = await h.grant(client);
    h.advance(14 * 24 * 3600 + 1);
    expect(await oauthError(await h.token({ grant_type: 'refresh_token', refresh_token }, client))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'the refresh token has expired' },
    });
  });

  it('revoking the access token (RFC 7009) refuses it and its refresh token from then on; unknown tokens answer 200', async () => {
    const client = await h.client(['statements/read']);
    const tokens = await h.grant(client);
    expect((await h.revoke(client, tokens.access_token)).status).toBe(200);
    expect(await apiError(await h.xapi('/statements', bearer(tokens.access_token)))).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });
    expect((await oauthError(await h.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, client))).body).toEqual({
      error: 'invalid_grant',
      error_description: 'the refresh token was revoked',
    });
    expect((await h.revoke(client, 'lrs_rt_unknown')).status).toBe(200);
    expect((await h.revoke(client, 'garbage')).status).toBe(200);
    const revoked = (await auditEvents(client.id)).find((e) => e.event === 'token.revoked');
    expect(revoked).toMatchObject({ client_id: client.id, details: { token_type: 'access_token' } });
  });

  it('revoking the refresh token revokes the family; another client cannot revoke it', async () => {
    const client = await h.client(['statements/read']);
    const other = await h.client(['statements/read']);
    const tokens = await h.grant(client);
    expect(await oauthError(await h.revoke(other, tokens.refresh_token))).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect((await h.xapi('/statements', bearer(tokens.access_token))).status).toBe(200);
    expect((await h.revoke(client, tokens.refresh_token)).status).toBe(200);
    expect((await h.xapi('/statements', bearer(tokens.access_token))).status).toBe(401);
    expect((await h.revoke(client, tokens.refresh_token)).status).toBe(200); // idempotent
    expect((await auditEvents(client.id)).filter((e) => e.event === 'token.revoked')).toHaveLength(1);
  });
});

describe('signing keys', () => {
  it('after a rotation the new key signs, the old one verifies until its tokens expire, then leaves the JWKS', async () => {
    const client = await h.client(['statements/read']);
    const before = await h.grant(client);
    const oldKid = decodeProtectedHeader(before.access_token).kid;
    const { SigningKeys } = await import('../../src/auth/oauth/keys.js');
    const { DEFAULT_OAUTH_SETTINGS } = await import('../../src/auth/oauth/server.js');
    const rotated = await new SigningKeys(h.store.oauth, h.now, DEFAULT_OAUTH_SETTINGS).rotate();
    expect(rotated.retired).toEqual([oldKid]);
    h.advance(6); // past the server's key-set cache
    const after = await h.grant(client);
    expect(decodeProtectedHeader(after.access_token).kid).toBe(rotated.kid);
    expect((await h.xapi('/statements', bearer(before.access_token))).status).toBe(200);
    const kids = async () => ((await (await h.app.request('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect((await kids()).sort()).toEqual([oldKid, rotated.kid].sort());
    h.advance(900);
    expect(await kids()).toEqual([rotated.kid]);
    expect((await h.xapi('/statements', bearer(after.access_token))).status).toBe(401); // expired by now too
  });

  it('rotates by age on its own', async () => {
    const client = await h.client(['statements/read']);
    const first = decodeProtectedHeader((await h.grant(client)).access_token).kid;
    h.advance(30 * 24 * 3600);
    expect(decodeProtectedHeader((await h.grant(client)).access_token).kid).not.toBe(first);
  });

  it('keeps private keys sealed at rest when OAUTH_KEY_SECRET is set', async () => {
    const sealed = await startAuthHarness({ oauth: { keySecret: 'a-long-enough-key-secret' } });
    try {
      const client = await sealed.client(['statements/read']);
      const { access_token } = await sealed.grant(client);
      const [stored] = await sealed.store.oauth.signingKeys();
      expect(stored?.privateKey).toMatch(/^enc:v1:/);
      expect(stored?.privateKey).not.toContain('"d"');
      expect((await sealed.xapi('/statements', bearer(access_token))).status).toBe(200);
    } finally {
      await sealed.close();
    }
  });
});

describe('audit log', () => {
  it('records client creation, every issuance and revocation; secrets and tokens never appear', async () => {
    const client = await h.client(['statements/read']);
    const tokens = await h.grant(client);
    await h.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, client);
    await h.revoke(client, tokens.access_token);
    const entries = await auditEvents();
    expect(entries.map((e) => e.event)).toEqual(['token.revoked', 'token.refreshed', 'token.issued', 'key.created', 'client.created']);
    const text = JSON.stringify(entries);
    for (const secret of [client.secret, tokens.access_token, tokens.refresh_token]) expect(text).not.toContain(secret);
    const issued = entries.find((e) => e.event === 'token.issued');
    expect(issued).toMatchObject({ client_id: client.id, details: { grant_type: 'client_credentials', scope: 'statements/read' } });
    expect(issued?.family_id).toBe(entries.find((e) => e.event === 'token.revoked')?.family_id);
  });

  it('needs scope admin', async () => {
    const reader = await h.client(['read:profile', 'all/read']);
    const admin = await h.client(['admin']);
    const res = await h.app.request('/admin/v1/oauth/audit', { headers: { Authorization: bearer((await h.grant(reader)).access_token) } });
    expect(await apiError(res)).toMatchObject({ status: 403, body: { error: { code: 'insufficient_scope', message: 'The admin API needs scope admin; the credential does not have it.' } } });
    expect((await h.app.request('/admin/v1/oauth/audit?limit=1', { headers: { Authorization: bearer((await h.grant(admin)).access_token) } })).status).toBe(200);
    expect((await h.app.request('/admin/v1/oauth/audit')).status).toBe(401);
  });
});
