/**
 * The storage contract for the marketplace outbox (src/storage/delivery-port.ts), shared by
 * every backend (ARCHITECTURE.md §3). The outbox lives on the projection member: a profile commit is
 * the outbox write, and the projector's writes never disturb the deliverer's fields.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/port.js';
import { freshStoreEachTest } from './fresh-store.js';
import type { MemberRecord } from '../../src/storage/projection-port.js';
import { batch, member } from './projections.contract.js';

const NOW = 1_800_000_000_000;
const lease = (token: string, now = NOW, ms = 10_000) => ({ token, now, until: now + ms });

export function describeDeliveryStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: delivery store (outbox) contract`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    const commit = (...members: MemberRecord[]) => store.projections.commit(batch({ members }));

    it(`${name}: a committed profile version is pending in the same commit; claim returns the newest version with its whole profile content`, async () => {
      expect(await store.delivery.due(NOW, 10)).toEqual([]);
      const e1 = member('E1', { lastSeq: 3 });
      await commit(e1, member('E2', { publishedId: 'p_e2', lastSeq: 4 }));
      expect(await store.delivery.pendingCount()).toBe(2);
      expect((await store.delivery.due(NOW, 10)).sort()).toEqual(['E1', 'E2']);
      expect(await store.delivery.due(NOW, 1)).toHaveLength(1);

      // Two more versions before any delivery: only the newest is handed out (coalescing).
      const v3 = member('E1', { extra: 2, version: 3, lastSeq: 9, updatedAt: '2026-02-01T00:00:00.000Z' });
      await commit(member('E1', { extra: 1, version: 2, lastSeq: 5 }));
      await commit(v3);
      const item = await store.delivery.claim('E1', lease('t1'));
      expect(item).toEqual({ memberId: 'E1', publishedId: 'E1', version: 3, content: v3.content, updatedAt: v3.updatedAt, attempts: 0 });
      const contractor = await store.delivery.claim('E2', lease('t2'));
      expect(contractor).toMatchObject({ memberId: 'E2', publishedId: 'p_e2', version: 1 });
    });

    it(`${name}: a lease keeps other claimers off until it expires; due() skips leased members`, async () => {
      await commit(member('E1'));
      expect(await store.delivery.claim('E1', lease('a'))).not.toBeNull();
      expect(await store.delivery.claim('E1', lease('b'))).toBeNull();
      expect(await store.delivery.due(NOW, 10)).toEqual([]);
      expect(await store.delivery.due(NOW + 10_000, 10)).toEqual(['E1']);
      expect(await store.delivery.claim('E1', lease('b', NOW + 10_000))).not.toBeNull();
      // The first lease is gone: its marks are ignored, but a delivery still counts.
      await store.delivery.markFailed('E1', 'a', { attempts: 5, nextAttemptAt: NOW + 99_999, error: 'late' });
      expect(await store.delivery.status('E1')).toMatchObject({ attempts: 0, nextAttemptAt: 0, lastError: null });
      await store.delivery.markDelivered('E1', 1, 'a');
      expect(await store.delivery.status('E1')).toMatchObject({ deliveredVersion: 1, leaseUntil: NOW + 20_000 });
      expect(await store.delivery.pendingCount()).toBe(0);
    });

    it(`${name}: delivered versions only rise; a later commit makes the member pending again and the projector leaves the outbox fields alone`, async () => {
      await commit(member('E1', { version: 3, lastSeq: 3 }));
      await store.delivery.claim('E1', lease('t'));
      await store.delivery.markDelivered('E1', 3, 't');
      await store.delivery.markDelivered('E1', 2, 't'); // a slow, older acknowledgement
      expect(await store.delivery.status('E1')).toEqual({ version: 3, deliveredVersion: 3, deadVersion: 0, attempts: 0, nextAttemptAt: 0, lastError: null, leaseUntil: 0 });
      expect(await store.delivery.due(NOW, 10)).toEqual([]);

      // Same content, a later statement folded: same version, still delivered.
      await commit(member('E1', { version: 3, lastSeq: 7 }));
      expect(await store.delivery.due(NOW, 10)).toEqual([]);
      expect((await store.delivery.status('E1'))?.deliveredVersion).toBe(3);
      // New content: pending again.
      await commit(member('E1', { extra: 1, version: 4, lastSeq: 8 }));
      expect(await store.delivery.due(NOW, 10)).toEqual(['E1']);
      expect(await store.delivery.status('E1')).toMatchObject({ version: 4, deliveredVersion: 3 });
    });

    it(`${name}: a failed attempt is retried when due, with its attempts and last error kept; rewrites by the projector keep them`, async () => {
      await commit(member('E1'), member('E2'));
      await store.delivery.claim('E1', lease('t'));
      await store.delivery.markFailed('E1', 't', { attempts: 1, nextAttemptAt: NOW + 500, error: 'HTTP 503' });
      expect(await store.delivery.due(NOW, 10)).toEqual(['E2']);
      expect(await store.delivery.claim('E1', lease('u'))).toBeNull();
      await commit(member('E1', { lastSeq: 2 }));
      expect(await store.delivery.status('E1')).toMatchObject({ attempts: 1, nextAttemptAt: NOW + 500, lastError: 'HTTP 503', leaseUntil: 0 });
      // Earliest due first.
      expect(await store.delivery.due(NOW + 500, 10)).toEqual(['E2', 'E1']);
      expect(await store.delivery.claim('E1', lease('u', NOW + 500))).toMatchObject({ attempts: 1 });
    });

    it(`${name}: a dead letter stops retries of that version, is listed until a newer version is delivered, and a redrive makes the member pending again`, async () => {
      await commit(member('E1', { version: 2 }), member('E2'), member('E3'));
      await store.delivery.claim('E1', lease('t'));
      const entry = { version: 2, attempts: 1, lastError: 'HTTP 400: bad profile', payloadSample: '{"member_id":"E1"', at: '2026-03-01T10:00:00.000Z' };
      await store.delivery.markDead('E1', 't', entry);
      await store.delivery.claim('E2', lease('t2'));
      await store.delivery.markDead('E2', 'wrong-token', { ...entry, version: 1 });
      expect(await store.delivery.deadLetters({ limit: 10 })).toEqual([{ memberId: 'E1', publishedId: 'E1', ...entry }]);
      expect((await store.delivery.due(NOW, 10)).sort()).toEqual(['E3']);
      expect(await store.delivery.pendingCount()).toBe(2); // E2 (leased) and E3
      expect(await store.delivery.status('E1')).toMatchObject({ deadVersion: 2, deliveredVersion: 0, lastError: 'HTTP 400: bad profile', leaseUntil: 0 });

      // A newer version is pending again; its delivery supersedes the dead letter.
      await commit(member('E1', { extra: 1, version: 3, lastSeq: 2 }));
      expect(await store.delivery.due(NOW, 10)).toContain('E1');
      expect(await store.delivery.deadLetters({ limit: 10 })).toHaveLength(1);
      await store.delivery.claim('E1', lease('t3'));
      await store.delivery.markDelivered('E1', 3, 't3');
      expect(await store.delivery.deadLetters({ limit: 10 })).toEqual([]);
      expect(await store.delivery.redrive('E1')).toBe(false);

      // Redrive: one member, then all.
      await store.delivery.markDead('E2', 't2', { ...entry, version: 1 });
      await store.delivery.claim('E3', lease('t4'));
      await store.delivery.markDead('E3', 't4', { ...entry, version: 1 });
      expect((await store.delivery.deadLetters({ limit: 10 })).map((d) => d.memberId)).toEqual(['E2', 'E3']);
      expect((await store.delivery.deadLetters({ limit: 1, after: 'E2' })).map((d) => d.memberId)).toEqual(['E3']);
      expect(await store.delivery.redrive('E2')).toBe(true);
      expect(await store.delivery.redrive('E2')).toBe(false);
      expect(await store.delivery.redrive('E404')).toBe(false);
      expect(await store.delivery.due(NOW, 10)).toEqual(['E2']);
      expect(await store.delivery.redriveAll()).toBe(1);
      expect(await store.delivery.redriveAll()).toBe(0);
      expect((await store.delivery.due(NOW, 10)).sort()).toEqual(['E2', 'E3']);
      expect(await store.delivery.status('E3')).toMatchObject({ deadVersion: 0, attempts: 0 });
      expect(await store.delivery.status('E404')).toBeNull();
    });

    it(`${name}: outcomes are counted per hour and summed from the hour holding \`since\``, async () => {
      const HOUR = 3_600_000;
      const base = Math.floor(NOW / HOUR) * HOUR;
      expect(await store.delivery.outcomes(base)).toEqual({ delivered_first_attempt: 0, delivered_after_retry: 0, dead_lettered: 0, failed_attempt: 0 });
      await store.delivery.countOutcome(base - 1, 'delivered_first_attempt');
      for (const at of [base, base + 10, base + HOUR - 1]) await store.delivery.countOutcome(at, 'delivered_first_attempt');
      await store.delivery.countOutcome(base + HOUR, 'dead_lettered');
      await store.delivery.countOutcome(base + HOUR + 5, 'failed_attempt');
      await store.delivery.countOutcome(base + HOUR + 6, 'delivered_after_retry');
      expect(await store.delivery.outcomes(base + 30 * 60_000)).toEqual({ delivered_first_attempt: 3, delivered_after_retry: 1, dead_lettered: 1, failed_attempt: 1 });
      expect(await store.delivery.outcomes(base + HOUR)).toEqual({ delivered_first_attempt: 0, delivered_after_retry: 1, dead_lettered: 1, failed_attempt: 1 });
      expect((await store.delivery.outcomes(0)).delivered_first_attempt).toBe(4);
    });

    it(`${name}: resend makes a delivered or dead-lettered newest version pending again; a pending member keeps its schedule`, async () => {
      await commit(member('E1', { version: 3 }), member('E2'), member('E3'));
      await store.delivery.claim('E1', lease('t1'));
      await store.delivery.markDelivered('E1', 3, 't1');
      await store.delivery.claim('E2', lease('t2'));
      await store.delivery.markDead('E2', 't2', { version: 1, attempts: 1, lastError: 'HTTP 400', payloadSample: '', at: '2026-03-01T10:00:00.000Z' });
      await store.delivery.claim('E3', lease('t3'));
      await store.delivery.markFailed('E3', 't3', { attempts: 2, nextAttemptAt: NOW + 60_000, error: 'HTTP 500' });
      expect(await store.delivery.due(NOW, 10)).toEqual([]);

      expect(await store.delivery.resend('E1')).toBe(true);
      expect(await store.delivery.resend('E2')).toBe(true);
      expect(await store.delivery.resend('E3')).toBe(true);
      expect(await store.delivery.resend('E404')).toBe(false);
      expect((await store.delivery.due(NOW, 10)).sort()).toEqual(['E1', 'E2']);
      expect(await store.delivery.status('E1')).toMatchObject({ version: 3, deliveredVersion: 2, attempts: 0, nextAttemptAt: 0 });
      expect(await store.delivery.status('E3')).toMatchObject({ attempts: 2, nextAttemptAt: NOW + 60_000 });
      expect(await store.delivery.deadLetters({ limit: 10 })).toEqual([]);
      // The newest version is what a claim hands out, and its delivery counts as before.
      expect(await store.delivery.claim('E1', lease('t4'))).toMatchObject({ version: 3 });
      await store.delivery.markDelivered('E1', 3, 't4');
      expect(await store.delivery.status('E1')).toMatchObject({ deliveredVersion: 3 });
    });
  });
}
