/**
 * The identity aggregate (ARCHITECTURE.md §6): HRIS employees, the identity keys an xAPI actor is
 * resolved by, the HRIS event ids already applied, and the audit log of identity changes.
 *
 * Employee changes form an ordered log (`changeSeq`, like statements' `seq`) so the
 * projection worker can follow them from a checkpoint: a change of email or status reaches
 * the profile, and statements kept as unmatched are folded once their actor resolves.
 */

export type WorkerType = 'employee' | 'contractor';
export type EmployeeStatus = 'active' | 'terminated';

export interface Employee {
  employeeId: string;
  /** Primary email as the HRIS gives it. */
  email: string;
  secondaryEmails: string[];
  givenName: string;
  familyName: string;
  department: string;
  managerId: string | null;
  jobTitle: string;
  workerType: WorkerType;
  status: EmployeeStatus;
}

export interface StoredEmployee extends Employee {
  /** Position of this employee's latest change in the change log. */
  changeSeq: number;
  updatedAt: string;
}

export type EmployeeChangeKind = 'created' | 'updated' | 'unchanged';

export interface EmployeeUpsert {
  employee: Employee;
  /**
   * Identity keys of this employee (projections/identity/keys.ts): normalised emails, SHA-1s
   * of mailto IRIs, account name. A key held by another employee makes the upsert fail.
   */
  keys: string[];
}

export type UpsertOutcome =
  | {
      kind: EmployeeChangeKind;
      employeeId: string;
      changeSeq: number;
      /** Employee fields that changed (all of them for `created`, none for `unchanged`). */
      fields: (keyof Employee)[];
      keysAdded: string[];
      keysRemoved: string[];
    }
  /** A key of this employee already identifies another employee; nothing of this row was written. */
  | { kind: 'key-taken'; employeeId: string; key: string; heldBy: string }
  /** The HRIS event carrying this row was applied before; nothing was written. */
  | { kind: 'duplicate-event'; employeeId: string; eventId: string };

export interface AuditEntry {
  at: string;
  /** `employee.created`, `employee.updated`, `employee.terminated`, `employee.reactivated`, `identity.key-added`, `identity.key-removed`, `identity.key-conflict` (src/storage/identity-changes.ts) */
  action: string;
  employeeId: string;
  /** Where the change came from: `hris-api` (POST /hris/v1/employees), `cli:<file>`, `hris-event:<id>`… */
  source: string;
  /** What changed, field by field; never secrets. */
  details: Record<string, unknown>;
}

export interface IdentityStore {
  /**
   * Applies one employee row atomically (employee, keys, change log, audit entries and, for
   * an HRIS event, its id). A row is `updated` when a field or its key set changed (a key-only
   * change, e.g. after EMAIL_DOMAIN_ALIASES changed, takes a new changeSeq too: resolution
   * changed). An unchanged row writes nothing but the event id and keeps its changeSeq.
   * A key conflict writes only its `identity.key-conflict` audit entry.
   */
  upsert(row: EmployeeUpsert, source: string, at: string, eventId?: string): Promise<UpsertOutcome>;
  get(employeeId: string): Promise<StoredEmployee | null>;
  /** The employee holding each key, for the keys that are held. */
  holders(keys: string[]): Promise<Map<string, string>>;
  /** Employees whose latest change is after `changeSeq`, in change order. */
  changesSince(changeSeq: number, limit: number): Promise<StoredEmployee[]>;
  /** Audit entries, newest first. */
  audit(options: { employeeId?: string; limit: number }): Promise<AuditEntry[]>;
  /**
   * The key of pseudonymous member ids kept in the store when PSEUDONYM_KEY is unset: the
   * stored one, or `generated` stored as it when there is none yet (first writer wins), so
   * every process sharing the store derives the same ids.
   */
  pseudonymKey(generated: string): Promise<string>;
  /**
   * Erases an employee: the employee, its identity keys, its change-log entries and applied
   * HRIS event ids; its audit entries stay as redacted entries (employee id `redactedAs`, no
   * details). Idempotent: erasing again finds nothing and counts zeros.
   */
  erase(employeeId: string, redactedAs: string): Promise<{ keys: number; auditRedacted: number }>;
}
