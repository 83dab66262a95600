/**
 * The history of reconciliation runs (ARCHITECTURE.md §9): each run's report, kept so an operator
 * can see drift over time (GET /admin/v1/reconciliations). Ids sort by start time, so "newest
 * first" is descending id order and a page continues below the last id seen.
 */
export interface ReconciliationRun {
  /** Sortable by start time (projections/reconcile/run-id.ts). */
  id: string;
  /** The report as `lrs reconcile` prints it. */
  report: Record<string, unknown>;
}

export interface ReconciliationStore {
  save(run: ReconciliationRun): Promise<void>;
  /** Newest first, below `before` when given. */
  list(options: { limit: number; before?: string }): Promise<ReconciliationRun[]>;
  get(id: string): Promise<ReconciliationRun | null>;
}
