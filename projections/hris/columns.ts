/**
 * The HRIS column vocabulary (ARCHITECTURE.md §6, contract): which column of a CSV or JSON row
 * carries which Employee field. Rows are read by these names (rows.ts), reports name changed
 * fields by them (sync.ts), and the identity audit log names fields the same way
 * (src/storage/identity-changes.ts `auditFieldName`; columns.unit.spec.ts pins the two together).
 */
import type { Employee } from '../../src/storage/identity-port.js';
import { EMPLOYEE_FIELDS } from '../../src/storage/identity-changes.js';

/** Employee field → HRIS column. */
export const EMPLOYEE_COLUMNS = {
  employeeId: 'employee_id',
  email: 'email',
  secondaryEmails: 'secondary_emails',
  givenName: 'given_name',
  familyName: 'family_name',
  department: 'department',
  managerId: 'manager_id',
  jobTitle: 'job_title',
  workerType: 'worker_type',
  status: 'status',
} as const satisfies Record<keyof Employee, string>;

export type EmployeeColumn = (typeof EMPLOYEE_COLUMNS)[keyof Employee];

/** The columns every HRIS row carries, in the contract's order. */
export const HRIS_COLUMNS: readonly EmployeeColumn[] = EMPLOYEE_FIELDS.map((f) => EMPLOYEE_COLUMNS[f]);

export const toColumns = (fields: readonly (keyof Employee)[]): EmployeeColumn[] => fields.map((f) => EMPLOYEE_COLUMNS[f]);

/** An employee as an HRIS row, keyed by column. */
export function toRow(e: Employee): Record<EmployeeColumn, unknown> {
  return Object.fromEntries(EMPLOYEE_FIELDS.map((f) => [EMPLOYEE_COLUMNS[f], e[f]])) as Record<EmployeeColumn, unknown>;
}
