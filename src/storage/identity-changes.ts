/**
 * What an employee upsert changes and the audit entries it writes: pure shaping shared by both
 * identity adapters (ARCHITECTURE.md §2) and by the HRIS dry run, so the three agree.
 *
 * Audit details name fields in snake_case (`given_name`): the HRIS column names operators know
 * (ARCHITECTURE.md §6), which the HRIS side owns (projections/hris/columns.ts pins the two together).
 */
import { isDeepStrictEqual } from 'node:util';
import type { AuditEntry, Employee, EmployeeChangeKind } from './identity-port.js';

/** Every Employee field, in the HRIS contract's column order. */
export const EMPLOYEE_FIELDS = Object.keys({
  employeeId: true,
  email: true,
  secondaryEmails: true,
  givenName: true,
  familyName: true,
  department: true,
  managerId: true,
  jobTitle: true,
  workerType: true,
  status: true,
} satisfies Record<keyof Employee, true>) as (keyof Employee)[];

/** How an audit entry names a field: `givenName` → `given_name`. */
export const auditFieldName = (field: keyof Employee): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export interface EmployeeChange {
  kind: EmployeeChangeKind;
  fields: (keyof Employee)[];
  keysAdded: string[];
  keysRemoved: string[];
}

/** Only the Employee fields of a stored row or document (drops changeSeq, _id, …). */
export function pickEmployee(source: Employee): Employee {
  return {
    employeeId: source.employeeId,
    email: source.email,
    secondaryEmails: [...source.secondaryEmails],
    givenName: source.givenName,
    familyName: source.familyName,
    department: source.department,
    managerId: source.managerId,
    jobTitle: source.jobTitle,
    workerType: source.workerType,
    status: source.status,
  };
}

/** Compares the stored employee and the keys it holds with the row and keys being applied. */
export function diffEmployee(before: Employee | null, heldKeys: readonly string[], after: Employee, keys: readonly string[]): EmployeeChange {
  const wanted = new Set(keys);
  const held = new Set(heldKeys);
  const keysAdded = [...wanted].filter((k) => !held.has(k));
  const keysRemoved = [...held].filter((k) => !wanted.has(k));
  if (before === null) return { kind: 'created', fields: [...EMPLOYEE_FIELDS], keysAdded, keysRemoved };
  const fields = EMPLOYEE_FIELDS.filter((f) => !isDeepStrictEqual(before[f], after[f]));
  const kind = fields.length > 0 || keysAdded.length > 0 || keysRemoved.length > 0 ? 'updated' : 'unchanged';
  return { kind, fields, keysAdded, keysRemoved };
}

function byColumn(e: Employee): Record<string, unknown> {
  return Object.fromEntries(EMPLOYEE_FIELDS.map((f) => [auditFieldName(f), e[f]]));
}

/**
 * The audit entries of an applied change, in this order: the employee entry
 * (`employee.created`, `employee.terminated`, `employee.reactivated` or `employee.updated`,
 * when a field changed), then `identity.key-added` and `identity.key-removed`.
 */
export function changeAuditEntries(
  before: Employee | null,
  after: Employee,
  change: EmployeeChange,
  source: string,
  at: string,
): AuditEntry[] {
  const entry = (action: string, details: Record<string, unknown>): AuditEntry => ({ at, action, employeeId: after.employeeId, source, details });
  const entries: AuditEntry[] = [];
  if (before === null) {
    entries.push(entry('employee.created', { employee: byColumn(after) }));
  } else if (change.fields.length > 0) {
    const changes = Object.fromEntries(change.fields.map((f) => [auditFieldName(f), { from: before[f], to: after[f] }]));
    const action =
      before.status !== after.status ? (after.status === 'terminated' ? 'employee.terminated' : 'employee.reactivated') : 'employee.updated';
    entries.push(entry(action, { changes }));
  }
  if (change.keysAdded.length > 0) entries.push(entry('identity.key-added', { keys: change.keysAdded }));
  if (change.keysRemoved.length > 0) entries.push(entry('identity.key-removed', { keys: change.keysRemoved }));
  return entries;
}

export function keyConflictAuditEntry(employeeId: string, key: string, heldBy: string, source: string, at: string): AuditEntry {
  return { at, action: 'identity.key-conflict', employeeId, source, details: { key, held_by: heldBy } };
}
