/** The storage contract for leases and reconciliation runs (src/storage/lease-port.ts, reconciliation-port.ts), shared by every backend. */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/port.js';
import { freshStoreEachTest } from './fresh-store.js';

const NOW = 1_800_000_000_000;

export function describeOperationsStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: leases and reconciliation runs contract`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    it(`${name}: a lease is one holder's until it expires or is released; its holder may renew it`, async () => {
      expect(await store.leases.acquire('reconcile', 'a', NOW, NOW + 1_000)).toBe(true);
      expect(await store.leases.acquire('reconcile', 'b', NOW + 500, NOW + 1_500)).toBe(false);
      expect(await store.leases.acquire('other', 'b', NOW, NOW + 1_000)).toBe(true);
      expect(await store.leases.acquire('reconcile', 'a', NOW + 900, NOW + 2_000)).toBe(true);
      expect(await store.leases.acquire('reconcile', 'b', NOW + 1_500, NOW + 3_000)).toBe(false);
      // Expired: anyone may take it, and the old holder's release no longer frees it.
      expect(await store.leases.acquire('reconcile', 'b', NOW + 2_000, NOW + 3_000)).toBe(true);
      await store.leases.release('reconcile', 'a');
      expect(await store.leases.acquire('reconcile', 'a', NOW + 2_100, NOW + 3_000)).toBe(false);
      await store.leases.release('reconcile', 'b');
      expect(await store.leases.acquire('reconcile', 'a', NOW + 2_100, NOW + 3_000)).toBe(true);
    });

    it(`${name}: runs are kept by id, listed newest first in pages, and a saved id is replaced`, async () => {
      for (const id of ['r-0002', 'r-0001', 'r-0003']) await store.reconciliations.save({ id, report: { id, members: 1, flagged: [{ member_id: 'E1', kind: 'ahead' }] } });
      await store.reconciliations.save({ id: 'r-0002', report: { id: 'r-0002', members: 2 } });
      expect((await store.reconciliations.list({ limit: 2 })).map((r) => r.id)).toEqual(['r-0003', 'r-0002']);
      expect((await store.reconciliations.list({ limit: 2, before: 'r-0002' })).map((r) => r.id)).toEqual(['r-0001']);
      expect(await store.reconciliations.get('r-0002')).toEqual({ id: 'r-0002', report: { id: 'r-0002', members: 2 } });
      expect(await store.reconciliations.get('r-0003')).toEqual({ id: 'r-0003', report: { id: 'r-0003', members: 1, flagged: [{ member_id: 'E1', kind: 'ahead' }] } });
      expect(await store.reconciliations.get('r-9999')).toBeNull();
    });
  });
}
