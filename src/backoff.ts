/**
 * Exponential backoff, the one formula every retry in the system uses: the marketplace push per
 * member (ARCHITECTURE.md §7), the polling loops after a failed step (polling-loop.ts), and the
 * restart of the background thread of `lrs serve`.
 */
export interface Backoff {
  /** First delay, ms (ARCHITECTURE.md §7: 500). */
  baseMs: number;
  /** Growth per failed attempt (2). */
  factor: number;
  /** Largest delay, ms (30 000). */
  capMs: number;
}

export const DEFAULT_BACKOFF: Readonly<Backoff> = { baseMs: 500, factor: 2, capMs: 30_000 };

/** Delay before the next attempt after `failures` failed ones (1-based): base × factor^(failures−1), capped. */
export function backoffDelay(failures: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.capMs, backoff.baseMs * backoff.factor ** Math.max(0, failures - 1));
}
