/**
 * Reconciliation time (ARCHITECTURE.md §9): `members` published profiles in a fresh SQLite store,
 * the real sandbox marketplace (in this process, over loopback HTTP) holding the same, then 1%
 * dropped; one run that only reports, and one that repairs (with a deliverer running).
 */
import path from 'node:path';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { createLogger } from '../../src/logging.js';
import { emptyFold } from '../../src/model/member-fold.js';
import type { MemberRecord } from '../../src/storage/projection-port.js';
import { startSandboxMarketplace } from '../../projections/sandbox-marketplace/marketplace.js';
import { startDeliverer } from '../../projections/delivery/deliverer.js';
import { profileOf } from '../../projections/fold/render.js';
import { reconcile, type ReconcileReport } from '../../projections/reconcile/reconcile.js';
import { removeTempDir, tempDir } from './children.js';

const SECRET = 'bench-marketplace-secret-0123456789';
const AT = '2026-11-27T10:00:00.000Z';

function memberRecord(i: number): MemberRecord {
  const id = `E${String(100_000 + i)}`;
  const completions = [{ activity_id: `https://lms.example.com/courses/c${i % 50}`, name: 'Course', learning_completed: true as const, completed_at: AT, success: true }];
  return {
    memberId: id,
    publishedId: id,
    content: { member_id: id, email: `${id.toLowerCase()}@acme.example`, status: 'active', mapping_version: 'lms-marketplace@1', completions, scores: [], badges: [], enrollments: [], certificates: [], skills: [] },
    state: emptyFold(),
    version: 1,
    updatedAt: AT,
    lastSeq: 0,
  };
}

export interface ReconciliationFigures {
  members: number;
  reportSeconds: number;
  fixSeconds: number;
  report: ReconcileReport;
  fixed: ReconcileReport;
}

export async function measureReconciliation(members: number): Promise<ReconciliationFigures> {
  const dir = tempDir('lrs-bench-reconcile-');
  const store = openSqliteStore(path.join(dir, 'lrs.db'));
  const sandbox = await startSandboxMarketplace({ secret: SECRET });
  const logger = createLogger('silent');
  try {
    for (let start = 0; start < members; start += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, members - start) }, (_, k) => memberRecord(start + k));
      await store.projections.commit({ checkpoints: {}, members: batch, links: [], unmatched: [], resolved: [] });
      for (const m of batch) {
        const profile = profileOf(m) as unknown as Record<string, unknown>;
        sandbox.state.profiles.set(m.publishedId, profile);
        sandbox.state.versions.set(m.publishedId, 1);
        await store.delivery.claim(m.memberId, { token: 'seed', now: 0, until: 1 });
        await store.delivery.markDelivered(m.memberId, 1, 'seed');
      }
    }
    const dropped = Math.max(1, Math.round(members / 100));
    await fetch(`${sandbox.url}/_corrupt`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'drop', count: dropped }) });
    const marketplace = { url: sandbox.url, secret: SECRET, timeoutMs: 10_000 };

    let started = performance.now();
    const looked = await reconcile({ store, marketplace, logger }, { fix: false, trigger: 'cli' });
    const reportSeconds = (performance.now() - started) / 1000;
    const deliverer = startDeliverer(store.delivery, logger, { url: sandbox.url, secret: SECRET, pollMs: 20 });
    started = performance.now();
    const fixed = await reconcile({ store, marketplace, logger }, { fix: true, trigger: 'cli' });
    const fixSeconds = (performance.now() - started) / 1000;
    await deliverer.stop();
    if (looked.kind !== 'done' || fixed.kind !== 'done') throw new Error(`reconciliation did not finish: ${looked.kind}, ${fixed.kind}`);
    if (looked.report.missing !== dropped || fixed.report.drift_pct_after !== 0) throw new Error(`reconciliation found ${looked.report.missing} of ${dropped} dropped, and left ${fixed.report.drift_pct_after}% drift`);
    return { members, reportSeconds, fixSeconds, report: looked.report, fixed: fixed.report };
  } finally {
    await sandbox.close();
    await store.close();
    removeTempDir(dir);
  }
}
