/**
 * Named leases in the store: how processes sharing one store agree that only one of them runs a
 * job at a time (a reconciliation, ARCHITECTURE.md §9). A lease is held until it expires or its
 * holder releases it; a holder that dies simply lets it expire.
 */
export interface LeaseStore {
  /** Takes or renews the lease until `until` (ms since the epoch) if it is free, expired at `now`, or already this holder's. */
  acquire(name: string, holder: string, now: number, until: number): Promise<boolean>;
  /** Gives the lease up, if this holder still has it. */
  release(name: string, holder: string): Promise<void>;
}
