import { describe, expect, it } from 'vitest';
import { EMPLOYEE_COLUMNS, HRIS_COLUMNS, toRow } from './columns.js';
import { EMPLOYEE_FIELDS, auditFieldName } from '../../src/storage/identity-changes.js';

describe('HRIS columns (ARCHITECTURE.md §6)', () => {
  it('are the ten contract columns, in order, one per Employee field', () => {
    expect(HRIS_COLUMNS).toEqual(['employee_id', 'email', 'secondary_emails', 'given_name', 'family_name', 'department', 'manager_id', 'job_title', 'worker_type', 'status']);
    expect(Object.keys(EMPLOYEE_COLUMNS)).toEqual(EMPLOYEE_FIELDS);
  });

  it('are the names the identity audit log gives the fields', () => {
    for (const field of EMPLOYEE_FIELDS) expect(auditFieldName(field)).toBe(EMPLOYEE_COLUMNS[field]);
  });

  it('key an employee as a row', () => {
    const row = toRow({
      employeeId: 'E1', email: 'a@acme.example', secondaryEmails: [], givenName: 'Ana', familyName: 'Lima',
      department: 'Ops', managerId: null, jobTitle: 'Lead', workerType: 'employee', status: 'active',
    });
    expect(row).toEqual({
      employee_id: 'E1', email: 'a@acme.example', secondary_emails: [], given_name: 'Ana', family_name: 'Lima',
      department: 'Ops', manager_id: null, job_title: 'Lead', worker_type: 'employee', status: 'active',
    });
  });
});
