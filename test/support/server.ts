/** Starts the real application on a loopback port with a fresh SQLite file, for integration and e2e tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/server.js';
import { createLogger } from '../../src/logging.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { staticCredentials } from '../../src/auth/credentials.js';
import { monotonicClock } from '../../src/clock.js';
import type { Store } from '../../src/storage/port.js';

export const TEST_KEY = 'test-key';
export const TEST_SECRET = 'test-secret';
export const AUTH_HEADER = `Basic ${Buffer.from(`${TEST_KEY}:${TEST_SECRET}`).toString('base64')}`;

export interface TestServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** e.g. http://127.0.0.1:41234/xapi */
  endpoint: string;
  store: Store;
  close(): Promise<void>;
}

export interface TestServerOptions {
  maxBodyBytes?: number;
  maxPageSize?: number;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-test-'));
  const store = openSqliteStore(path.join(dir, 'lrs.db'));
  const app = createApp({
    store,
    credentials: staticCredentials([{ key: TEST_KEY, secret: TEST_SECRET, scopes: ['all'] }], 'urn:lrs:credential'),
    logger: createLogger('silent'),
    clock: monotonicClock(),
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
    maxPageSize: options.maxPageSize ?? 500,
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    endpoint: `${origin}/xapi`,
    store,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** fetch against the test server with xAPI headers and credentials filled in. */
export function xapiFetch(server: TestServer) {
  return (pathAndQuery: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('X-Experience-API-Version')) headers.set('X-Experience-API-Version', '1.0.3');
    if (!headers.has('Authorization')) headers.set('Authorization', AUTH_HEADER);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(`${server.endpoint}${pathAndQuery}`, { ...init, headers, body });
  };
}
