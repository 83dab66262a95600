import { describe, expect, it } from 'vitest';
import { HrisInputError, readCsvRows, readJsonRows, validateRow, validateRows } from './rows.js';

const HEADER = 'employee_id,email,secondary_emails,given_name,family_name,department,manager_id,job_title,worker_type,status';
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n');
const ANA = 'E1001,ana.lopez@acme.example,ana@old.acme.example; a.lopez@acme.example,Ana,López,Engineering,E1000,Engineer,employee,active';

describe('readCsvRows / validateRows', () => {
  it('turns a good row into an Employee: trimmed cells, ;-separated secondary emails, empty manager as null', () => {
    const { valid, rejected } = validateRows(readCsvRows(csv(ANA, 'E2001, bo@acme.example ,,Bo,Berg,,, ,Contractor,ACTIVE')));
    expect(rejected).toEqual([]);
    expect(valid).toEqual([
      {
        row: 1,
        employee: {
          employeeId: 'E1001', email: 'ana.lopez@acme.example', secondaryEmails: ['ana@old.acme.example', 'a.lopez@acme.example'],
          givenName: 'Ana', familyName: 'López', department: 'Engineering', managerId: 'E1000', jobTitle: 'Engineer', workerType: 'employee', status: 'active',
        },
      },
      {
        row: 2,
        employee: {
          employeeId: 'E2001', email: 'bo@acme.example', secondaryEmails: [], givenName: 'Bo', familyName: 'Berg',
          department: '', managerId: null, jobTitle: '', workerType: 'contractor', status: 'active',
        },
      },
    ]);
  });

  it('accepts columns in any order, extra columns, a BOM, CRLF and quoted cells', () => {
    const text = '\uFEFFstatus,worker_type,job_title,manager_id,department,family_name,given_name,secondary_emails,email,employee_id,location\r\n' +
      'active,employee,"Engineer, Senior",,"Eng\r\nineering",López,Ana,,ana@acme.example,E1,Madrid\r\n';
    const { valid, rejected } = validateRows(readCsvRows(text));
    expect(rejected).toEqual([]);
    expect(valid[0]?.employee).toMatchObject({ employeeId: 'E1', jobTitle: 'Engineer, Senior', department: 'Eng\r\nineering' });
  });

  it('reports every problem of a bad row by row (1 = first data row) and column, and keeps the good rows', () => {
    const { valid, rejected } = validateRows(
      readCsvRows(
        csv(
          ANA,
          'E 2,not-an-email,ok@acme.example;broken@,,Berg,,E 9,,intern,gone',
          'E3,c@acme.example,,Cy,Cruz,,E3,,employee,active',
          'E4,d@acme.example,,Di',
          'p_abc,e@acme.example,,Ed,Eck,,,,employee,active',
        ),
      ),
    );
    expect(valid.map((v) => v.row)).toEqual([1]);
    expect(rejected.map((p) => [p.row, p.column, p.rule])).toEqual([
      [2, 'employee_id', 'id-syntax'],
      [2, 'email', 'email-syntax'],
      [2, 'secondary_emails', 'email-syntax'],
      [2, 'given_name', 'not-empty'],
      [2, 'manager_id', 'id-syntax'],
      [2, 'worker_type', 'allowed-values'],
      [2, 'status', 'allowed-values'],
      [3, 'manager_id', 'not-self'],
      [4, null, 'cell-count'],
      [5, 'employee_id', 'reserved-prefix'],
    ]);
    expect(rejected.find((p) => p.column === 'worker_type')?.message).toBe('worker_type must be employee or contractor, got "intern"');
    expect(rejected.find((p) => p.column === 'secondary_emails')?.message).toMatch(/item 2 .*"broken@"/);
  });

  it('rejects every row of an employee_id that appears more than once', () => {
    const { valid, rejected } = validateRows(readCsvRows(csv(ANA, 'E2,b@acme.example,,Bo,Berg,,,,employee,active', ANA)));
    expect(valid.map((v) => v.employee.employeeId)).toEqual(['E2']);
    expect(rejected).toEqual([
      { row: 1, column: 'employee_id', rule: 'repeated-employee-id', message: 'employee_id E1001 is on rows 1, 3; none of them was applied' },
      { row: 3, column: 'employee_id', rule: 'repeated-employee-id', message: 'employee_id E1001 is on rows 1, 3; none of them was applied' },
    ]);
  });

  it('drops secondary emails repeating the primary or each other (case-insensitively)', () => {
    const result = validateRow(1, { employee_id: 'E1', email: 'Ana@acme.example', secondary_emails: 'ana@ACME.example;b@acme.example;B@acme.example', given_name: 'A', family_name: 'L', worker_type: 'employee', status: 'active' });
    expect('employee' in result && result.employee.secondaryEmails).toEqual(['b@acme.example']);
  });

  it('refuses the whole input for a missing or repeated column, a CSV syntax error, or nothing at all', () => {
    const error = (text: string) => {
      try {
        readCsvRows(text);
      } catch (e) {
        return e as HrisInputError;
      }
      throw new Error('no error');
    };
    const missing = error('employee_id,email,given_name\nE1,a@acme.example,Ana');
    expect(missing).toBeInstanceOf(HrisInputError);
    expect(missing.problems.map((p) => p.path)).toEqual([
      'header.secondary_emails', 'header.family_name', 'header.department', 'header.manager_id', 'header.job_title', 'header.worker_type', 'header.status',
    ]);
    expect(error(`${HEADER},email\n`).problems).toEqual([{ path: 'header.email', rule: 'repeated-column', message: 'the header names email more than once' }]);
    expect(error(`${HEADER}\nE1,"unclosed,x\n`).problems[0]).toMatchObject({ rule: 'csv-syntax' });
    expect(error('').problems[0]).toMatchObject({ path: 'header', rule: 'header' });
  });
});

describe('readJsonRows', () => {
  it('takes an array of objects; secondary_emails may be an array, manager_id null', () => {
    const { valid, rejected } = validateRows(
      readJsonRows([
        { employee_id: 'E1', email: 'a@acme.example', secondary_emails: ['b@acme.example'], given_name: 'A', family_name: 'L', department: null, manager_id: null, job_title: null, worker_type: 'employee', status: 'active' },
        'not an object',
        { employee_id: 'E3', email: 'c@acme.example', secondary_emails: ['nope'], given_name: 'C', family_name: 'C', worker_type: 'employee', status: 'active' },
        { employee_id: 4, given_name: 'D', family_name: 'D', worker_type: 'employee', status: 'active' },
      ]),
    );
    expect(valid.map((v) => v.employee.secondaryEmails)).toEqual([['b@acme.example']]);
    expect(valid[0]?.employee).toMatchObject({ department: '', managerId: null, jobTitle: '' });
    expect(rejected.map((p) => [p.row, p.column, p.rule])).toEqual([
      [2, null, 'object'],
      [3, 'secondary_emails', 'email-syntax'],
      [4, 'employee_id', 'type'],
      [4, 'email', 'required'],
    ]);
    expect(rejected.find((p) => p.row === 3)?.message).toBe("secondary_emails must be email addresses separated by ';' (or, in JSON, an array of them) (item 1)");
  });

  it('refuses a body that is not an array', () => {
    expect(() => readJsonRows({ employee_id: 'E1' })).toThrow(HrisInputError);
  });
});
