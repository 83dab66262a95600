/** Employee fixtures: an active employee at acme.example, their email made from their id. */
import type { Employee } from '../../src/storage/identity-port.js';

/** A builder of employees with these defaults (a suite's own names, department, …). */
export function employeeWith(defaults: Partial<Employee>) {
  return (id: string, overrides: Partial<Employee> = {}): Employee => ({
    employeeId: id,
    email: `${id.toLowerCase()}@acme.example`,
    secondaryEmails: [],
    givenName: 'Given',
    familyName: id,
    department: 'L&D',
    managerId: null,
    jobTitle: 'Engineer',
    workerType: 'employee',
    status: 'active',
    ...defaults,
    ...overrides,
  });
}

export const employee = employeeWith({});
