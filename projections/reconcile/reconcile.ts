/**
 * Reconciliation (ARCHITECTURE.md §9): what the marketplace holds against what we publish.
 *
 * Both sides are read in published-id order and merged, so a run holds one page of each plus
 * the drifted members, whatever the number of members. Repairs go through the ordinary delivery
 * path — the member's outbox — so signing, retries, the DLQ and per-member ordering hold as for
 * any push: a missing or stale member has its newest version sent again (`resend`), a
 * mismatched one gets a new version of the same content (`bumpVersion`, past the receiver's
 * idempotency), a member who left but is still held gets a new version of its DELETE. Only an
 * id we never published has no outbox: it gets one signed DELETE (retried a few times) directly,
 * keyed one above the version held. Should that id later become a member whose version reaches
 * that number, a strict receiver would replay the DELETE's answer to its PUT (an outbox entry
 * for unknown ids would close this; none exists yet).
 * `ahead` is never repaired: the marketplace knows something we do not, so it is flagged.
 *
 * After the repairs the run waits for their deliveries (whichever deliverer runs: the one of
 * `lrs worker` / `lrs serve`, or the CLI's own), then reads the repaired members again for
 * `drift_pct_after`. One run at a time per store: the `reconcile` lease.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../src/logging.js';
import type { Store } from '../../src/storage/port.js';
import type { ProfileRecord } from '../../src/storage/projection-port.js';
import { backoffDelay } from '../../src/backoff.js';
import { profileOf } from '../fold/render.js';
import { deleteRequest } from '../delivery/protocol.js';
import { sendPush } from '../delivery/send.js';
import { compareMember, driftPct, DRIFT_KINDS, type Comparison, type DriftKind } from './classify.js';
import { MarketplaceReadError, marketplaceReader, type MarketplaceReader } from './marketplace-reads.js';
import { deliverySuccess, type DeliverySuccess } from '../delivery/success-rate.js';

export const RECONCILE_LEASE = 'reconcile';
const LEASE_MS = 5 * 60_000;
const PAGE_SIZE = 500;
/** Drifted members listed in the report by id (the counts cover all of them). */
const DRIFTED_LISTED = 1000;
const ORPHAN_DELETE_ATTEMPTS = 3;
const DELIVERY_POLL_MS = 100;

export interface MarketplaceAccess {
  url: string;
  secret: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface ReconcileDeps {
  store: Store;
  marketplace: MarketplaceAccess;
  logger: Logger;
  now?: () => number;
}

export interface ReconcileOptions {
  fix: boolean;
  trigger: 'cli' | 'schedule';
  /** How long the repairs' deliveries are awaited before the run reports them as not done; default 60 s. */
  fixTimeoutMs?: number;
  /** Called as members are compared (progress on a terminal). */
  onProgress?: (compared: number) => void;
}

export interface FlaggedMember {
  member_id: string;
  kind: DriftKind;
  detail: string;
}

export interface ReconcileReport {
  id: string;
  trigger: ReconcileOptions['trigger'];
  started_at: string;
  finished_at: string;
  members: number;
  in_sync: number;
  missing: number;
  stale: number;
  mismatched: number;
  orphaned: number;
  ahead: number;
  drift_pct: number;
  fixed: number;
  drift_pct_after: number | null;
  flagged: FlaggedMember[];
  /** The first drifted members by id, with their kind (all of them are in the counts). */
  drifted: { member_id: string; kind: DriftKind }[];
  /** The delivery success rate over the last 24 hours, as the run finished. */
  delivery: DeliverySuccess;
  /** Set when the marketplace could not be read: the counts are then of what was read before. */
  error?: string;
}

export type ReconcileResult =
  | { kind: 'done'; report: ReconcileReport }
  /** The marketplace could not be read (exit 3); the partial report is kept in the history too. */
  | { kind: 'unreadable'; report: ReconcileReport }
  /** Another process holds the lease. */
  | { kind: 'busy' };

/** A drifted member: enough to repair and re-check it. */
interface Drift {
  publishedId: string;
  kind: DriftKind;
  /** Our record (null: an id we never had). */
  ours: ProfileRecord | null;
  heldVersion: number | null;
}

/** Ids sort by start time: the history lists newest first by id. */
export function runId(startedAt: number): string {
  return `rc_${new Date(startedAt).toISOString().replace(/[-:.]/g, '')}_${randomBytes(4).toString('hex')}`;
}

const published = (record: ProfileRecord): boolean => record.content.status === 'active';

async function* ourProfiles(store: Store): AsyncGenerator<ProfileRecord> {
  let after: string | undefined;
  do {
    const page = await store.projections.profiles({ limit: PAGE_SIZE, ...(after !== undefined ? { after } : {}) });
    yield* page.profiles;
    after = page.next ?? undefined;
  } while (after !== undefined);
}

/** The listing, checked to be in strictly ascending member-id order (the merge relies on it; a looping cursor fails it too). */
async function* heldProfiles(reader: MarketplaceReader): AsyncGenerator<Record<string, unknown> & { member_id: string }> {
  let cursor: string | null = null;
  let last: string | null = null;
  do {
    const page = await reader.page(cursor, PAGE_SIZE);
    for (const profile of page.profiles) {
      const id = profile.member_id;
      if (typeof id !== 'string') throw new MarketplaceReadError('GET /profiles: a profile without a string member_id');
      if (last !== null && !(last < id)) throw new MarketplaceReadError(`GET /profiles: not in member-id order (${JSON.stringify(id)} after ${JSON.stringify(last)})`);
      last = id;
      yield profile as Record<string, unknown> & { member_id: string };
    }
    cursor = page.next_cursor;
  } while (cursor !== null);
}

const heldVersionOf = (held: Record<string, unknown> | null): number | null => (typeof held?.version === 'number' ? held.version : null);

export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconcileResult> {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  const startedAt = now();
  const id = runId(startedAt);
  const log = deps.logger.child({ component: 'reconcile', run: id });
  let leaseUntil = startedAt + LEASE_MS;
  if (!(await store.leases.acquire(RECONCILE_LEASE, id, startedAt, leaseUntil))) return { kind: 'busy' };
  /** Renews the lease when a third of it is used: a long run keeps it, a dead one lets it expire. */
  async function keepLease(): Promise<void> {
    const at = now();
    if (leaseUntil - at > (LEASE_MS * 2) / 3) return;
    leaseUntil = at + LEASE_MS;
    if (!(await store.leases.acquire(RECONCILE_LEASE, id, at, leaseUntil))) throw new Error('the reconcile lease was lost (the run took longer than the lease without renewing it)');
  }

  const reader = marketplaceReader({ url: deps.marketplace.url, secret: deps.marketplace.secret, timeoutMs: deps.marketplace.timeoutMs, now, ...(deps.marketplace.fetch ? { fetch: deps.marketplace.fetch } : {}) });
  const counts: Record<Comparison, number> = { in_sync: 0, missing: 0, stale: 0, mismatched: 0, orphaned: 0, ahead: 0 };
  const drifts: Drift[] = [];
  let members = 0;

  /** The report of what was compared so far, with the delivery success rate as of now; `failed` are repairs that did not take. */
  const report = async ({ failed = [], ...extra }: Partial<ReconcileReport> & { failed?: FlaggedMember[] }): Promise<ReconcileReport> => {
    const delivery = await deliverySuccess(store.delivery, 24, now());
    const drifted = DRIFT_KINDS.reduce((n, k) => n + counts[k], 0);
    return {
      id,
      trigger: options.trigger,
      started_at: new Date(startedAt).toISOString(),
      finished_at: new Date(now()).toISOString(),
      members,
      ...counts,
      drift_pct: driftPct(drifted, members),
      fixed: 0,
      drift_pct_after: null,
      flagged: [...drifts.filter((d) => d.kind === 'ahead').map((d) => aheadFlag(d)), ...failed],
      drifted: drifts.slice(0, DRIFTED_LISTED).map((d) => ({ member_id: d.publishedId, kind: d.kind })),
      delivery,
      ...extra,
    };
  };

  try {
    try {
      await compareAll();
    } catch (error) {
      if (!(error instanceof MarketplaceReadError)) throw error;
      log.warn({ error: error.message }, 'the marketplace could not be read; reconciliation stopped');
      const partial = await report({ error: `the marketplace could not be read: ${error.message}` });
      await store.reconciliations.save({ id, report: { ...partial } });
      return { kind: 'unreadable', report: partial };
    }
    const done = await report(options.fix ? await repair() : {});
    await store.reconciliations.save({ id, report: { ...done } });
    log.info({ members: done.members, drift_pct: done.drift_pct, fixed: done.fixed, drift_pct_after: done.drift_pct_after }, 'reconciliation finished');
    return { kind: 'done', report: done };
  } finally {
    await store.leases.release(RECONCILE_LEASE, id);
  }

  function record(publishedId: string, ours: ProfileRecord | null, held: Record<string, unknown> | null): void {
    const publishedOurs = ours !== null && published(ours) ? ours : null;
    if (publishedOurs) members += 1;
    const comparison = compareMember(publishedOurs && profileOf(publishedOurs), held);
    if (comparison === null) return;
    counts[comparison] += 1;
    if (comparison !== 'in_sync') drifts.push({ publishedId, kind: comparison, ours, heldVersion: heldVersionOf(held) });
  }

  async function compareAll(): Promise<void> {
    const oursIt = ourProfiles(store);
    const heldIt = heldProfiles(reader);
    let o = await oursIt.next();
    let h = await heldIt.next();
    let compared = 0;
    while (!o.done || !h.done) {
      const oId = o.done ? null : o.value.content.member_id;
      const hId = h.done ? null : h.value.member_id;
      if (hId === null || (oId !== null && oId < hId)) {
        record(oId as string, o.value as ProfileRecord, null);
        o = await oursIt.next();
      } else if (oId === null || hId < oId) {
        record(hId, null, h.value as Record<string, unknown>);
        h = await heldIt.next();
      } else {
        record(oId, o.value as ProfileRecord, h.value as Record<string, unknown>);
        o = await oursIt.next();
        h = await heldIt.next();
      }
      compared += 1;
      if (compared % PAGE_SIZE === 0) {
        options.onProgress?.(compared);
        await keepLease();
      }
    }
    options.onProgress?.(compared);
  }

  /** Repairs every drifted member but `ahead`, awaits the deliveries, and measures again. */
  async function repair(): Promise<Pick<ReconcileReport, 'fixed' | 'drift_pct_after'> & { failed: FlaggedMember[] }> {
    const failed: FlaggedMember[] = [];
    /** Member id → the version whose delivery repairs it. */
    const awaited = new Map<string, { version: number; drift: Drift }>();
    for (const drift of drifts) {
      if (drift.kind === 'ahead') continue;
      const ours = drift.ours;
      if (ours === null) {
        const outcome = await deleteOrphan(drift.publishedId, (drift.heldVersion ?? 0) + 1);
        if (outcome !== null) failed.push({ member_id: drift.publishedId, kind: drift.kind, detail: `the DELETE failed: ${outcome}` });
        continue;
      }
      // missing, stale: the newest version again. mismatched, or held but no longer published: a new version of it.
      const resend = drift.kind === 'missing' || drift.kind === 'stale';
      const version = resend ? ours.version : ours.version + 1;
      const changed = resend ? await store.delivery.resend(ours.memberId) : await store.projections.bumpVersion(ours.memberId, ours.version, new Date(now()).toISOString());
      // Not changed: the member moved on since it was read; its newer version is on its way anyway.
      const target = changed ? version : ((await store.delivery.status(ours.memberId))?.version ?? version);
      awaited.set(ours.memberId, { version: target, drift });
      await keepLease();
    }
    failed.push(...(await awaitDeliveries(awaited)));

    let remaining = 0;
    let fixed = 0;
    for (const drift of drifts) {
      if (drift.kind === 'ahead') {
        remaining += 1;
        continue;
      }
      const ours = await store.projections.profile(drift.publishedId);
      const comparison = compareMember(ours !== null && published(ours) ? profileOf(ours) : null, await reader.get(drift.publishedId));
      if (comparison === null || comparison === 'in_sync') fixed += 1;
      else remaining += 1;
    }
    return { fixed, drift_pct_after: driftPct(remaining, members), failed };
  }

  /** A DELETE for an id nobody publishes, retried on what is worth retrying; null when done, else the last error. */
  async function deleteOrphan(publishedId: string, version: number): Promise<string | null> {
    let error = '';
    for (let attempt = 1; attempt <= ORPHAN_DELETE_ATTEMPTS; attempt += 1) {
      const request = deleteRequest(publishedId, version, deps.marketplace.url, deps.marketplace.secret, Math.floor(now() / 1000));
      const outcome = await sendPush(request, { timeoutMs: deps.marketplace.timeoutMs, now, fetch: deps.marketplace.fetch ?? fetch });
      if (outcome.kind === 'delivered') return null;
      error = outcome.error;
      if (outcome.kind === 'permanent') break;
      if (attempt < ORPHAN_DELETE_ATTEMPTS) await sleep(outcome.retryAfterMs ?? backoffDelay(attempt));
    }
    return error;
  }

  /** Waits until each repair's version is delivered or dead-lettered, or the time is up; the ones not delivered, flagged. */
  async function awaitDeliveries(awaited: Map<string, { version: number; drift: Drift }>): Promise<FlaggedMember[]> {
    const flagged: FlaggedMember[] = [];
    const deadline = now() + (options.fixTimeoutMs ?? 60_000);
    while (awaited.size > 0) {
      for (const [memberId, { version, drift }] of awaited) {
        const status = await store.delivery.status(memberId);
        if (status === null || status.deliveredVersion >= version) awaited.delete(memberId);
        else if (status.deadVersion >= version) {
          awaited.delete(memberId);
          flagged.push({ member_id: drift.publishedId, kind: drift.kind, detail: `the repair was dead-lettered: ${status.lastError ?? 'no error recorded'}` });
        }
      }
      if (awaited.size === 0) break;
      if (now() >= deadline) {
        for (const { drift } of awaited.values()) flagged.push({ member_id: drift.publishedId, kind: drift.kind, detail: `the repair was not delivered within ${options.fixTimeoutMs ?? 60_000} ms (is a deliverer running?)` });
        break;
      }
      await keepLease();
      await sleep(DELIVERY_POLL_MS);
    }
    return flagged;
  }
}

function aheadFlag(drift: Drift): FlaggedMember {
  return {
    member_id: drift.publishedId,
    kind: 'ahead',
    detail: `the marketplace holds version ${drift.heldVersion}, we publish ${drift.ours?.version}: never repaired automatically, check which side is right`,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
