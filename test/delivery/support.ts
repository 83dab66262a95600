/** Shared pieces of the delivery and reconciliation tests: the secret, fast test timings, reading the sandbox's log, and the sandbox with an LRS pushing to it. */
import type { Backoff } from '../../src/backoff.js';
import { afterEach, beforeEach } from 'vitest';
import { startSandboxMarketplace, type ReceivedPush, type SandboxMarketplace } from '../../projections/sandbox-marketplace/marketplace.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/server.js';

export const MARKETPLACE_SECRET = 'marketplace-test-secret-0123456789';

/** Small delays so the tests run fast; the defaults (ARCHITECTURE.md §7) are asserted in src/backoff.unit.spec.ts. */
export const FAST_BACKOFF: Backoff = { baseMs: 20, factor: 2, capMs: 200 };

/** Pushes the sandbox accepted and applied (not faulted, not replayed), per member, in arrival order. */
export function appliedVersions(sandbox: SandboxMarketplace): Map<string, number[]> {
  const byMember = new Map<string, number[]>();
  for (const push of sandbox.state.log) {
    if (!push.applied || push.version === null) continue;
    byMember.set(push.member_id, [...(byMember.get(push.member_id) ?? []), push.version]);
  }
  return byMember;
}

/** Every push the sandbox received for a member (faulted and replayed ones too). */
export function pushesFor(sandbox: SandboxMarketplace, memberId: string): ReceivedPush[] {
  return sandbox.state.log.filter((p) => p.member_id === memberId);
}

export const isIncreasing = (versions: number[]) => versions.every((v, i) => i === 0 || v > (versions[i - 1] as number));

/**
 * For every test of the file that calls this: a fresh sandbox marketplace and a fresh LRS with
 * its projection worker and deliverer pushing to it on fast test timings.
 */
export function pushToSandboxEachTest(options: Omit<TestServerOptions, 'projection' | 'delivery'> = {}): { readonly sandbox: SandboxMarketplace; readonly server: TestServer } {
  let sandbox: SandboxMarketplace | undefined;
  let server: TestServer | undefined;
  beforeEach(async () => {
    sandbox = await startSandboxMarketplace({ secret: MARKETPLACE_SECRET });
    server = await startTestServer({
      ...options,
      projection: true,
      delivery: { url: sandbox.url, secret: MARKETPLACE_SECRET, pollMs: 20, timeoutMs: 2000, backoff: FAST_BACKOFF, maxAttempts: 100 },
    });
  });
  afterEach(async () => {
    await server?.close();
    await sandbox?.close();
    server = sandbox = undefined;
  });
  const running = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the sandbox and server run only inside a test');
    return value;
  };
  return {
    get sandbox() {
      return running(sandbox);
    },
    get server() {
      return running(server);
    },
  };
}
