/**
 * The real application on a fresh SQLite file, driven with `app.request()` (no socket) and a
 * clock the test moves, for the authentication, token and scope tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import { createApp } from '../../src/server.js';
import { createLogger } from '../../src/logging.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { CREDENTIAL_HOMEPAGE, staticCredentials } from '../../src/auth/credentials.js';
import { createClient } from '../../src/auth/clients.js';
import { DEFAULT_OAUTH_SETTINGS, type OAuthSettings } from '../../src/auth/oauth/server.js';
import type { Scope } from '../../src/auth/scopes.js';
import type { Store } from '../../src/storage/port.js';
import type { AppEnv } from '../../src/http/app-env.js';
import type { IdentityConfig } from '../../projections/identity/keys.js';

export const ADMIN_BASIC = `Basic ${Buffer.from('seed-key:seed-secret').toString('base64')}`;
export const START = '2026-03-01T09:00:00.000Z';

export interface AuthHarness {
  app: Hono<AppEnv>;
  store: Store;
  now(): string;
  advance(seconds: number): void;
  /** Registers a client; its id and (once-shown) secret. */
  client(scopes: Scope[], name?: string): Promise<{ id: string; secret: string }>;
  /** POST /oauth/token with a form body and optional Basic client authentication. */
  token(form: Record<string, string>, basic?: { id: string; secret: string }): Promise<Response>;
  /** client_credentials for a client; the token response body. */
  grant(client: { id: string; secret: string }, scope?: string): Promise<TokenBody>;
  revoke(client: { id: string; secret: string }, token: string): Promise<Response>;
  /** A request with xAPI version header and the given Authorization. */
  xapi(pathAndQuery: string, authorization: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
export const bearer = (token: string) => `Bearer ${token}`;

export async function startAuthHarness(options: { oauth?: Partial<OAuthSettings>; identity?: IdentityConfig } = {}): Promise<AuthHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-auth-'));
  const store = openSqliteStore(path.join(dir, 'lrs.db'));
  let nowMs = Date.parse(START);
  const now = () => new Date(nowMs).toISOString();
  const app = createApp({
    store,
    credentials: staticCredentials([{ key: 'seed-key', secret: 'seed-secret', scopes: ['all'] }], CREDENTIAL_HOMEPAGE),
    logger: createLogger('silent'),
    clock: now,
    maxBodyBytes: 1024 * 1024,
    maxPageSize: 100,
    xapiDefaultVersion: '1.0.3',
    oauth: { ...DEFAULT_OAUTH_SETTINGS, ...options.oauth },
    ...(options.identity ? { hris: { identity: options.identity, webhookSecret: undefined } } : {}),
  });
  const token: AuthHarness['token'] = (form, auth) =>
    Promise.resolve(
      app.request('/oauth/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(auth ? { Authorization: basic(auth.id, auth.secret) } : {}) },
        body: new URLSearchParams(form).toString(),
      }),
    );
  return {
    app,
    store,
    now,
    advance(seconds) {
      nowMs += seconds * 1000;
    },
    async client(scopes, name = 'test client') {
      const { client, secret } = await createClient({ clients: store.clients, oauth: store.oauth, now }, { name, scopes });
      return { id: client.id, secret };
    },
    token,
    async grant(client, scope) {
      const res = await token({ grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) }, client);
      if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as TokenBody;
    },
    async revoke(client, value) {
      return app.request('/oauth/revoke', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(client.id, client.secret) },
        body: new URLSearchParams({ token: value }).toString(),
      });
    },
    async xapi(pathAndQuery, authorization, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('X-Experience-API-Version', '1.0.3');
      headers.set('Authorization', authorization);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('Content-Type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return app.request(`/xapi${pathAndQuery}`, { ...init, headers, body });
    },
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
