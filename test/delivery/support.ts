/** Shared pieces of the delivery tests: the secret, fast test timings, and reading the sandbox's log. */
import type { Backoff } from '../../src/backoff.js';
import type { ReceivedPush, SandboxMarketplace } from '../../projections/sandbox-marketplace/marketplace.js';

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
