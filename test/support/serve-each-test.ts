/**
 * A fresh test server for every test of the file that calls this (vitest beforeEach/afterEach),
 * so no test sees another's statements. Apart from test/support/server.ts, which the bench may
 * load outside vitest.
 */
import { afterEach, beforeEach } from 'vitest';
import { startTestServer, xapiFetch, type TestServer, type TestServerOptions } from './server.js';

export interface EachTestServer {
  /** The running test's server; read it inside a test or hook only. */
  readonly server: TestServer;
  /** `xapiFetch` against the running test's server. */
  xapi: ReturnType<typeof xapiFetch>;
}

export function serveEachTest(options: TestServerOptions = {}): EachTestServer {
  let current: TestServer | undefined;
  beforeEach(async () => {
    current = await startTestServer(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const running = (): TestServer => {
    if (!current) throw new Error('the test server runs only inside a test');
    return current;
  };
  return {
    get server() {
      return running();
    },
    xapi: (pathAndQuery, init) => xapiFetch(running())(pathAndQuery, init),
  };
}
