/**
 * The delivery success rate over a window (the "> 99% webhook delivery success" criterion): of
 * the versions whose delivery concluded in the window — delivered or dead-lettered — the share
 * delivered at the first attempt, and eventually. Counted per hour (DeliveryStore.outcomes), so
 * the window is whole hours, the current one included.
 */
import type { DeliveryStore } from '../../src/storage/delivery-port.js';

export interface DeliverySuccess {
  window_hours: number;
  /** Versions whose delivery concluded in the window. */
  concluded: number;
  delivered_first_attempt: number;
  delivered_after_retry: number;
  dead_lettered: number;
  /** Attempts that failed and were retried. */
  failed_attempts: number;
  /** Percentages with two decimals; null when nothing concluded. */
  first_attempt_pct: number | null;
  eventual_pct: number | null;
}

const pct = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 100);

export async function deliverySuccess(store: DeliveryStore, windowHours: number, now: number): Promise<DeliverySuccess> {
  const counts = await store.outcomes(now - (windowHours - 1) * 3_600_000);
  const delivered = counts.delivered_first_attempt + counts.delivered_after_retry;
  const concluded = delivered + counts.dead_lettered;
  return {
    window_hours: windowHours,
    concluded,
    delivered_first_attempt: counts.delivered_first_attempt,
    delivered_after_retry: counts.delivered_after_retry,
    dead_lettered: counts.dead_lettered,
    failed_attempts: counts.failed_attempt,
    first_attempt_pct: pct(counts.delivered_first_attempt, concluded),
    eventual_pct: pct(delivered, concluded),
  };
}
