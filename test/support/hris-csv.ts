/** HRIS CSV rows as the tests post them to `POST /hris/v1/employees`: an employee at acme.example, their email made from their id. */
import { expect } from 'vitest';
import { AUTH_HEADER, type TestServer } from './server.js';

export const HRIS_HEADER = 'employee_id,email,secondary_emails,given_name,family_name,department,manager_id,job_title,worker_type,status';

export const employeeRow = (id: string, status: 'active' | 'terminated' = 'active') =>
  `${id},${id.toLowerCase()}@acme.example,,Given,Family,Engineering,,Engineer,employee,${status}`;

/** Imports the rows through the HRIS API (expecting 200). */
export async function importEmployees(server: TestServer, ...rows: string[]): Promise<void> {
  const res = await fetch(`${server.origin}/hris/v1/employees`, { method: 'POST', headers: { Authorization: AUTH_HEADER, 'Content-Type': 'text/csv' }, body: [HRIS_HEADER, ...rows].join('\n') });
  expect(res.status, await res.clone().text()).toBe(200);
}
