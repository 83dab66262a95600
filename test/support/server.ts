/** Starts the real application on a loopback port with a fresh SQLite file, for integration and e2e tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, type AppDeps } from '../../src/server.js';
import { createLogger } from '../../src/logging.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { staticCredentials } from '../../src/auth/credentials.js';
import { monotonicClock } from '../../src/clock.js';
import type { Store } from '../../src/storage/port.js';
import { loadMapping } from '../../projections/mapping/index.js';
import { NO_IDENTITY_CONFIG, type IdentityConfig } from '../../projections/identity/keys.js';
import { Projector } from '../../projections/worker/projector.js';
import { startWorkerLoop, type WorkerLoop } from '../../projections/worker/loop.js';
import { Tombstone } from '../../projections/erasure/tombstone.js';
import { resumeErasures } from '../../projections/erasure/runtime.js';
import type { ErasureDeps } from '../../projections/erasure/erase.js';
import { identityRules } from '../../projections/worker/runtime.js';
import { startDeliverer, type Deliverer, type DelivererOptions } from '../../projections/delivery/deliverer.js';

export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key';

function projectorFor(store: Store, identity: IdentityConfig, tombstone: Tombstone): Projector {
  return new Projector({ store, mapping: loadMapping(), now: monotonicClock(), identity: identityRules(identity, TEST_PSEUDONYM_KEY), tombstone });
}

export const TEST_KEY = 'test-key';
export const TEST_SECRET = 'test-secret';
export const AUTH_HEADER = `Basic ${Buffer.from(`${TEST_KEY}:${TEST_SECRET}`).toString('base64')}`;

export interface TestServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** e.g. http://127.0.0.1:41234/xapi */
  endpoint: string;
  store: Store;
  /** The store's SQLite file, for a CLI command run beside the server (SQLITE_PATH). */
  sqlitePath: string;
  /** Resolves once the projection worker has folded everything stored so far (with `projection: true`). */
  projectionIdle(): Promise<void>;
  /** The in-process marketplace deliverer (with `delivery`). */
  deliverer: Deliverer | undefined;
  /** Stops everything and removes the store's files; `beforeRemove` sees them stopped (e.g. to scan them). */
  close(beforeRemove?: (sqlitePath: string) => void): Promise<void>;
}

export interface TestServerOptions {
  maxBodyBytes?: number;
  maxPageSize?: number;
  /** Identity rules and HRIS event secret (AppDeps.hris); default: none, events disabled. */
  hris?: AppDeps['hris'];
  /** Runs the projection worker in-process, as `lrs serve` does, with the real mapping files. */
  projection?: boolean;
  /** Runs the marketplace deliverer in-process, as `lrs serve` does with MARKETPLACE_URL set. */
  delivery?: DelivererOptions;
  /** xAPI version stated to requests that name none (AppDeps.xapiDefaultVersion); default 2.0.0. */
  xapiDefaultVersion?: AppDeps['xapiDefaultVersion'];
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-test-'));
  const sqlitePath = path.join(dir, 'lrs.db');
  const store = openSqliteStore(sqlitePath);
  const identity = options.hris?.identity ?? NO_IDENTITY_CONFIG;
  const tombstone = await Tombstone.open(store.erasures, identity);
  const app = createApp({
    store,
    credentials: staticCredentials([{ key: TEST_KEY, secret: TEST_SECRET, scopes: ['all'] }], 'urn:lrs:credential'),
    logger: createLogger('silent'),
    clock: monotonicClock(),
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
    maxPageSize: options.maxPageSize ?? 500,
    ...(options.hris ? { hris: options.hris } : {}),
    ...(options.xapiDefaultVersion ? { xapiDefaultVersion: options.xapiDefaultVersion } : {}),
    tombstone,
  });
  let worker: WorkerLoop | undefined;
  if (options.projection) {
    // As lrs serve's background work: the projection worker, and the erasures it finishes.
    const projector = projectorFor(store, identity, tombstone);
    const erasures: ErasureDeps = { store, tombstone, identity, projector, pushEnabled: options.delivery !== undefined, now: monotonicClock(), settleMs: 0 };
    const logger = createLogger('silent');
    worker = startWorkerLoop(projector, logger, { idleMs: 20, afterBatch: () => resumeErasures(erasures, 'test-server', logger).then(() => undefined) });
  }
  const deliverer = options.delivery ? startDeliverer(store.delivery, createLogger('silent'), options.delivery) : undefined;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    endpoint: `${origin}/xapi`,
    store,
    sqlitePath,
    deliverer,
    async projectionIdle() {
      if (!worker) throw new Error('started without projection: true');
      await worker.idle();
    },
    close(beforeRemove?: (sqlitePath: string) => void) {
      // Once: a test may stop the server itself (to look at its files) before afterEach does.
      closing ??= (async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await worker?.stop();
        await deliverer?.stop();
        await store.close();
        beforeRemove?.(sqlitePath);
        fs.rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
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
