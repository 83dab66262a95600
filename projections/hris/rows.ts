/**
 * HRIS rows (ARCHITECTURE.md §6): CSV or JSON in, validated Employees out. Pure, no I/O.
 *
 * - CSV (RFC 4180, parsed by csv-parse): UTF-8, optional BOM, a header row naming at least the
 *   ten HRIS columns in any order (extra columns are ignored), cells trimmed, empty lines skipped.
 *   A CSV syntax error or a missing column makes the whole input unusable (`HrisInputError`).
 * - JSON: an array of objects keyed by the same column names.
 * - Rows are numbered from 1 = the first data row (the header is not counted); in JSON, row n
 *   is the array element at index n - 1.
 * - Each row is checked against schemas/hris-employee.schema.json (ajv) and the rules below;
 *   every problem of a row is reported, by row and column. A row with any problem is rejected,
 *   the others stand. Rows sharing an employee_id are all rejected: which one is right is
 *   not ours to guess.
 */
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Employee } from '../../src/storage/identity-port.js';
import type { Problem } from '../../src/http/errors.js';
import { readProjectJson } from '../../src/project-files.js';
import { HRIS_COLUMNS, type EmployeeColumn } from './columns.js';

/** One problem of one row. `column` is null when the problem is the row as a whole. */
export interface RowProblem {
  row: number;
  column: string | null;
  rule: string;
  message: string;
}

export interface ValidRow {
  row: number;
  employee: Employee;
}

export interface ValidatedRows {
  valid: ValidRow[];
  rejected: RowProblem[];
}

/** A row as read: its number and its cells by column (CSV) or the JSON element. */
export interface RawRow {
  row: number;
  value: unknown;
  /** A problem found while reading (e.g. a CSV row with a cell too many). */
  problem?: RowProblem;
}

/** The input as a whole cannot be read (CSV syntax, header, not a JSON array). */
export class HrisInputError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[],
  ) {
    super(message);
    this.name = 'HrisInputError';
  }
}

// ---------------------------------------------------------------------------------------------
// Schema


interface RowSchema {
  properties: Record<string, { description: string }>;
}

/** local@domain, the shape ajv-formats' "email" checks: dot-atoms, a dotted domain of DNS labels. */
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isEmail(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s);
}

const schema = readProjectJson<RowSchema>('schemas/hris-employee.schema.json');
// No coercion, no defaults: cells are shaped explicitly (trimmed, lower-cased enums) first.
const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addFormat('email', isEmail);
const validateShape = ajv.compile(schema);

const RULE_BY_KEYWORD: Record<string, string> = {
  required: 'required',
  type: 'type',
  format: 'email-syntax',
  enum: 'allowed-values',
  pattern: 'id-syntax',
  minLength: 'not-empty',
  maxLength: 'max-length',
  maxItems: 'max-items',
  anyOf: 'type',
};

function describe(column: string): string {
  return schema.properties[column]?.description ?? 'valid';
}

/** How telling an error is: a value rule beats a type mismatch (from the other anyOf branch), which beats anyOf's summary. */
function rank(error: ErrorObject): number {
  return error.keyword === 'anyOf' ? 2 : error.keyword === 'type' ? 1 : 0;
}

/** One problem per column: the most telling error ajv gives for it. */
function schemaProblems(row: number, value: unknown): RowProblem[] {
  if (validateShape(value)) return [];
  const byColumn = new Map<string, ErrorObject>();
  for (const error of validateShape.errors ?? []) {
    const column = error.keyword === 'required' ? String((error.params as { missingProperty: string }).missingProperty) : error.instancePath.split('/')[1];
    if (column === undefined || column === '') continue;
    const seen = byColumn.get(column);
    if (seen === undefined || rank(error) < rank(seen)) byColumn.set(column, error);
  }
  const cells = value as Record<string, unknown>;
  return [...byColumn].map(([column, error]) => {
    const rule = RULE_BY_KEYWORD[error.keyword] ?? error.keyword;
    const got = cells[column];
    const shown = error.instancePath.split('/').length > 2 ? ` (item ${Number(error.instancePath.split('/')[2]) + 1})` : typeof got === 'string' && got !== '' && got.length <= 80 ? `, got "${got}"` : got === '' ? ', got an empty cell' : '';
    const message = rule === 'required' ? `${column} is required: it must be ${describe(column)}` : `${column} must be ${describe(column)}${shown}`;
    return { row, column, rule, message };
  });
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Rows of a CSV text. Throws HrisInputError when the text is not CSV or lacks a column. */
export function readCsvRows(text: string): RawRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as unknown as { lines?: number }).lines;
    const message = `the CSV cannot be read${line === undefined ? '' : ` at line ${line}`}: ${error.message}`;
    throw new HrisInputError(`${message}; nothing was applied.`, [{ path: line === undefined ? 'body' : `line ${line}`, rule: 'csv-syntax', message }]);
  }
  const [header, ...data] = records;
  if (header === undefined) {
    throw new HrisInputError('The CSV is empty; nothing was applied.', [
      { path: 'header', rule: 'header', message: `expected a header naming ${HRIS_COLUMNS.join(', ')}` },
    ]);
  }
  const names = header.map((h) => h.toLowerCase());
  const missing = HRIS_COLUMNS.filter((c) => !names.includes(c));
  const repeated = names.filter((n, i) => n !== '' && names.indexOf(n) !== i);
  if (missing.length > 0 || repeated.length > 0) {
    const problems: Problem[] = [
      ...missing.map((c) => ({ path: `header.${c}`, rule: 'missing-column', message: `the header has no ${c} column` })),
      ...[...new Set(repeated)].map((c) => ({ path: `header.${c}`, rule: 'repeated-column', message: `the header names ${c} more than once` })),
    ];
    throw new HrisInputError(`The CSV header must name each HRIS column once (${HRIS_COLUMNS.join(', ')}); nothing was applied.`, problems);
  }
  return data.map((cells, i) => {
    const row = i + 1;
    const value = Object.fromEntries(names.map((name, j) => [name, cells[j] ?? '']));
    if (cells.length === names.length) return { row, value };
    const message = `the row has ${cells.length} cells, the header ${names.length}`;
    return { row, value, problem: { row, column: null, rule: 'cell-count', message } };
  });
}

/** Rows of a parsed JSON body. Throws HrisInputError unless it is an array. */
export function readJsonRows(json: unknown): RawRow[] {
  if (!Array.isArray(json)) {
    throw new HrisInputError('The JSON body must be an array of employee rows; nothing was applied.', [
      { path: 'body', rule: 'array', message: 'must be an array of objects keyed by the HRIS columns' },
    ]);
  }
  return json.map((value, i) => {
    const row = i + 1;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { row, value };
    return { row, value, problem: { row, column: null, rule: 'object', message: 'the row must be an object keyed by the HRIS columns' } };
  });
}

// ---------------------------------------------------------------------------------------------
// Validation

function columnOrder(column: string | null): number {
  const i = column === null ? -1 : HRIS_COLUMNS.indexOf(column as EmployeeColumn);
  return i === -1 ? HRIS_COLUMNS.length : i;
}

/** Cells as validated: strings trimmed, worker_type and status lower-cased (HRIS exports capitalise them). */
function shape(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v.trim() : v;
  for (const k of ['worker_type', 'status']) if (typeof out[k] === 'string') out[k] = (out[k] as string).toLowerCase();
  return out;
}

function splitEmails(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter((v) => v !== '');
  if (typeof value !== 'string') return [];
  return value.split(';').map((v) => v.trim()).filter((v) => v !== '');
}

/** Secondary emails without repeats or the primary (compared case-insensitively), in the order given. */
function secondaryEmails(primary: string, value: unknown): string[] {
  const seen = new Set([primary.toLowerCase()]);
  return splitEmails(value).filter((e) => !seen.has(e.toLowerCase()) && (seen.add(e.toLowerCase()), true));
}

/** Checks one row; the Employee when it is valid, otherwise every problem found. */
export function validateRow(row: number, value: unknown): { employee: Employee } | { problems: RowProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [{ row, column: null, rule: 'object', message: 'the row must be an object keyed by the HRIS columns' }] };
  }
  const cells = shape(value as Record<string, unknown>);
  const problems = schemaProblems(row, cells);
  const failed = new Set(problems.map((p) => p.column));

  if (!failed.has('secondary_emails') && typeof cells.secondary_emails === 'string') {
    splitEmails(cells.secondary_emails).forEach((email, i) => {
      if (!isEmail(email)) {
        problems.push({ row, column: 'secondary_emails', rule: 'email-syntax', message: `secondary_emails item ${i + 1} must be an email address (local@domain), got "${email}"` });
      }
    });
  }
  if (!failed.has('employee_id') && typeof cells.employee_id === 'string' && cells.employee_id.toLowerCase().startsWith('p_')) {
    problems.push({ row, column: 'employee_id', rule: 'reserved-prefix', message: 'employee_id must not start with "p_", the prefix of pseudonymous member ids' });
  }
  if (!failed.has('manager_id') && cells.manager_id !== undefined && cells.manager_id === cells.employee_id) {
    problems.push({ row, column: 'manager_id', rule: 'not-self', message: 'manager_id must not be the employee’s own id' });
  }
  if (problems.length > 0) return { problems: problems.sort((a, b) => columnOrder(a.column) - columnOrder(b.column)) };

  const text = (k: string) => (typeof cells[k] === 'string' ? (cells[k] as string) : '');
  const email = text('email');
  return {
    employee: {
      employeeId: text('employee_id'),
      email,
      secondaryEmails: secondaryEmails(email, cells.secondary_emails),
      givenName: text('given_name'),
      familyName: text('family_name'),
      department: text('department'),
      managerId: text('manager_id') === '' ? null : text('manager_id'),
      jobTitle: text('job_title'),
      workerType: cells.worker_type as Employee['workerType'],
      status: cells.status as Employee['status'],
    },
  };
}

/** Validates every row; rows sharing an employee_id are all rejected. */
export function validateRows(rows: RawRow[]): ValidatedRows {
  const rejected: RowProblem[] = [];
  const checked: ValidRow[] = [];
  for (const raw of rows) {
    if (raw.problem) {
      rejected.push(raw.problem);
      continue;
    }
    const result = validateRow(raw.row, raw.value);
    if ('problems' in result) rejected.push(...result.problems);
    else checked.push({ row: raw.row, employee: result.employee });
  }
  const rowsOf = new Map<string, number[]>();
  for (const { row, employee } of checked) rowsOf.set(employee.employeeId, [...(rowsOf.get(employee.employeeId) ?? []), row]);
  const valid: ValidRow[] = [];
  for (const r of checked) {
    const same = rowsOf.get(r.employee.employeeId) ?? [];
    if (same.length === 1) {
      valid.push(r);
      continue;
    }
    rejected.push({
      row: r.row,
      column: 'employee_id',
      rule: 'repeated-employee-id',
      message: `employee_id ${r.employee.employeeId} is on rows ${same.join(', ')}; none of them was applied`,
    });
  }
  rejected.sort((a, b) => a.row - b.row);
  return { valid, rejected };
}
