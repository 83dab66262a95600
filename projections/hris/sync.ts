/**
 * The HRIS sync service: applies validated rows (CSV/JSON import) and change events to the
 * identity store. Each row is one `IdentityStore.upsert`, so a row is applied whole or not at
 * all; rows are applied in order, and a refused row does not stop the others.
 *
 * An import upserts the rows it carries: employees absent from it are left as they are (a
 * leaver is a row with status=terminated, or a terminate event).
 *
 * A dry run reads the store and reports what the same import would do, without writing. It
 * follows the rows' effect on each other (a key freed or taken by an earlier row), and assumes
 * the stored employees' keys were derived with the current configuration.
 */
import type { Employee, IdentityStore, UpsertOutcome } from '../../src/storage/identity-port.js';
import { diffEmployee, pickEmployee } from '../../src/storage/identity-changes.js';
import { toColumns, toRow } from './columns.js';
import { emailIdentityKeys, employeeIdentityKeys, identityKey, type IdentityConfig } from '../identity/keys.js';
import { validateRow, type RowProblem, type ValidatedRows } from './rows.js';
import type { Tombstone } from '../erasure/tombstone.js';
import { Refusal } from '../../src/refusal.js';

export interface HrisDeps {
  identity: IdentityStore;
  config: IdentityConfig;
  /** UTC ISO 8601 time of a change. */
  now: () => string;
  /** Erased people (projections/erasure/tombstone.ts): their rows are skipped, never applied again. */
  erased?: Pick<Tombstone, 'refresh' | 'employeeErased' | 'memberErased'>;
  /** Starts the erasure of an employee (an `erase` event); absent: erase events are refused. */
  erase?: (employeeId: string, requestedBy: string) => Promise<{ id: string }>;
}

export interface RowChange {
  row: number;
  employee_id: string;
  kind: 'created' | 'updated';
  /** HRIS columns that changed (all of them for a new employee). */
  fields: string[];
  keys_added: number;
  keys_removed: number;
}

export interface HrisReport {
  /** Rows applied (in a dry run: that would be applied) = created + updated + unchanged. */
  applied: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Problems of the rows that were not applied, by row (1 = first data row) and column. */
  rejected: RowProblem[];
  /** The created and updated rows, with what changed. */
  changes: RowChange[];
  /** Rows of people who were erased: skipped (present only when there are some). */
  erased?: number[];
  dry_run: boolean;
}

/** The column a key of this employee comes from: the account key from employee_id, email keys from the email that gives them. */
export function columnOfKey(employee: Employee, key: string, config: IdentityConfig): string {
  if (key === identityKey.account(employee.employeeId)) return 'employee_id';
  return emailIdentityKeys(employee.email, config).includes(key) ? 'email' : 'secondary_emails';
}

export function keyTakenProblem(row: number, employee: Employee, key: string, heldBy: string, config: IdentityConfig): RowProblem {
  const column = columnOfKey(employee, key, config);
  const what = key.startsWith('email:') ? `the address ${key.slice('email:'.length)}` : key.startsWith('sha1:') ? 'a hashed form of that address' : `the account ${key.slice('account:'.length)}`;
  return { row, column, rule: 'identity-key-taken', message: `${column}: ${what} already identifies employee ${heldBy}; the row was not applied` };
}

/**
 * Applies (or, dry, predicts) the valid rows; the report also lists the rows rejected before.
 * `onProgress` is told the rows done so far, every 100 rows and at the end.
 */
export async function importEmployees(deps: HrisDeps, rows: ValidatedRows, options: { dryRun: boolean; source: string; onProgress?: (rows: number) => void }): Promise<HrisReport> {
  const report: HrisReport = { applied: 0, created: 0, updated: 0, unchanged: 0, rejected: [...rows.rejected], changes: [], dry_run: options.dryRun };
  const decide = options.dryRun ? dryRun(deps) : (employee: Employee, keys: string[]) => deps.identity.upsert({ employee, keys }, options.source, deps.now());
  await deps.erased?.refresh();
  for (const [i, { row, employee }] of rows.valid.entries()) {
    if (i % 100 === 0) options.onProgress?.(i);
    if (deps.erased?.employeeErased(employee)) {
      (report.erased ??= []).push(row);
      continue;
    }
    const keys = employeeIdentityKeys(employee, deps.config);
    const outcome = await decide(employee, keys);
    switch (outcome.kind) {
      case 'created':
      case 'updated':
        report.changes.push({
          row,
          employee_id: employee.employeeId,
          kind: outcome.kind,
          fields: toColumns(outcome.fields),
          keys_added: outcome.keysAdded.length,
          keys_removed: outcome.keysRemoved.length,
        });
        report[outcome.kind]++;
        break;
      case 'unchanged':
        report.unchanged++;
        break;
      case 'key-taken':
        report.rejected.push(keyTakenProblem(row, employee, outcome.key, outcome.heldBy, deps.config));
        break;
      case 'duplicate-event':
        throw new Error('an import carries no event id');
    }
  }
  options.onProgress?.(rows.valid.length);
  report.applied = report.created + report.updated + report.unchanged;
  report.rejected.sort((a, b) => a.row - b.row);
  return report;
}

/** Predicts upserts without writing, remembering what earlier rows of the same run changed. */
function dryRun(deps: HrisDeps): (employee: Employee, keys: string[]) => Promise<UpsertOutcome> {
  const employees = new Map<string, { employee: Employee; keys: string[] }>();
  const holders = new Map<string, string | null>(); // key → employee after earlier rows (null: released)
  return async (employee, keys) => {
    const id = employee.employeeId;
    let before = employees.get(id) ?? null;
    if (before === null) {
      const stored = await deps.identity.get(id);
      if (stored !== null) before = { employee: pickEmployee(stored), keys: employeeIdentityKeys(stored, deps.config) };
    }
    const change = diffEmployee(before?.employee ?? null, before?.keys ?? [], employee, keys);
    if (change.kind === 'unchanged') return { ...change, employeeId: id, changeSeq: 0 };
    const stored = await deps.identity.holders(change.keysAdded);
    for (const key of change.keysAdded) {
      const holder = holders.has(key) ? holders.get(key) : stored.get(key);
      if (holder !== undefined && holder !== null && holder !== id) return { kind: 'key-taken', employeeId: id, key, heldBy: holder };
    }
    for (const key of change.keysRemoved) holders.set(key, null);
    for (const key of change.keysAdded) holders.set(key, id);
    employees.set(id, { employee, keys });
    return { ...change, employeeId: id, changeSeq: 0 };
  };
}

// ---------------------------------------------------------------------------------------------
// Change events

/** An `erase` event needs only employee_id; a redelivered one finds the erasure running (or done: `erased`). */
async function eraseEvent(deps: HrisDeps, event: HrisEvent, employeeId: string): Promise<EventResult> {
  if (employeeId === '') return { status: 'invalid', problems: [{ path: 'employee.employee_id', rule: 'required', message: 'employee.employee_id is required' }] };
  if (deps.erase === undefined) return { status: 'invalid', problems: [{ path: 'type', rule: 'erase-enabled', message: 'this server does not take erase events' }] };
  try {
    const erasure = await deps.erase(employeeId, `hris-event:${event.eventId}`);
    return { status: 'erasure-requested', event_id: event.eventId, erasure_id: erasure.id };
  } catch (error) {
    if (error instanceof Refusal && error.kind === 'not-found') return { status: 'unknown-employee', event_id: event.eventId, employee_id: employeeId };
    throw error;
  }
}

export type HrisEventType = 'hire' | 'update' | 'terminate' | 'erase';
const EVENT_TYPES: readonly HrisEventType[] = ['hire', 'update', 'terminate', 'erase'];

export interface HrisEvent {
  eventId: string;
  type: HrisEventType;
  occurredAt: string;
  /** The row as sent (validated when applied: a terminate may carry only employee_id). */
  employee: Record<string, unknown>;
}

/** A problem with an event, by JSON path into its body. */
export interface EventProblem {
  path: string;
  rule: string;
  message: string;
}

export type EventResult =
  | { status: 'applied'; event_id: string; employee_id: string; outcome: 'created' | 'updated' | 'unchanged'; fields: string[] }
  | { status: 'duplicate'; event_id: string; employee_id: string }
  | { status: 'invalid'; problems: EventProblem[] }
  | { status: 'unknown-employee'; event_id: string; employee_id: string }
  | { status: 'key-taken'; problem: EventProblem }
  /** An erase event: the erasure runs in the background (GET /admin/v1/erasures/{id}). */
  | { status: 'erasure-requested'; event_id: string; erasure_id: string }
  /** The event is about a person who was erased: nothing was applied. */
  | { status: 'erased'; event_id: string };

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Checks the envelope `{ event_id, type, occurred_at, employee }`. */
export function parseEvent(json: unknown): { event: HrisEvent } | { problems: EventProblem[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { problems: [{ path: 'body', rule: 'object', message: 'the event must be an object { event_id, type, occurred_at, employee }' }] };
  }
  const body = json as Record<string, unknown>;
  const problems: EventProblem[] = [];
  const { event_id: eventId, type, occurred_at: occurredAt, employee } = body;
  if (typeof eventId !== 'string' || eventId.trim() === '' || eventId.length > 200) {
    problems.push({ path: 'event_id', rule: 'required', message: 'event_id must be a non-empty string of at most 200 characters' });
  }
  if (!EVENT_TYPES.includes(type as HrisEventType)) problems.push({ path: 'type', rule: 'allowed-values', message: `type must be one of ${EVENT_TYPES.join(', ')}` });
  if (typeof occurredAt !== 'string' || !ISO_DATE_TIME.test(occurredAt) || Number.isNaN(Date.parse(occurredAt))) {
    problems.push({ path: 'occurred_at', rule: 'date-time', message: 'occurred_at must be an ISO 8601 date-time with a time zone' });
  }
  if (typeof employee !== 'object' || employee === null || Array.isArray(employee)) {
    problems.push({ path: 'employee', rule: 'object', message: 'employee must be an object keyed by the HRIS columns' });
  }
  if (problems.length > 0) return { problems };
  return { event: { eventId: eventId as string, type: type as HrisEventType, occurredAt: occurredAt as string, employee: employee as Record<string, unknown> } };
}

/**
 * Applies an event once: the event id is claimed in the same upsert as the row, so a second
 * delivery is a `duplicate` and changes nothing. hire and update carry a full row; a
 * terminate needs only employee_id: the given cells are laid over the stored employee and
 * status becomes terminated.
 */
export async function applyEvent(deps: HrisDeps, event: HrisEvent): Promise<EventResult> {
  let row = event.employee;
  const named = typeof row.employee_id === 'string' ? row.employee_id.trim() : '';
  await deps.erased?.refresh();
  if (named !== '' && deps.erased?.memberErased(named)) return { status: 'erased', event_id: event.eventId };
  if (event.type === 'erase') return eraseEvent(deps, event, named);
  const employeeId = typeof row.employee_id === 'string' ? row.employee_id.trim() : '';
  if (event.type === 'terminate') {
    if (typeof row.status === 'string' && row.status.trim().toLowerCase() !== 'terminated') {
      return { status: 'invalid', problems: [{ path: 'employee.status', rule: 'terminate-status', message: 'a terminate event cannot carry a status other than terminated' }] };
    }
    const stored = employeeId === '' ? null : await deps.identity.get(employeeId);
    if (stored === null) {
      if (employeeId === '') return { status: 'invalid', problems: [{ path: 'employee.employee_id', rule: 'required', message: 'employee.employee_id is required' }] };
      // A leaver the store never knew: a full row still records them (their statements resolve).
      const full = validateRow(1, { ...row, status: 'terminated' });
      if ('problems' in full) return { status: 'unknown-employee', event_id: event.eventId, employee_id: employeeId };
      row = { ...row, status: 'terminated' };
    } else {
      row = { ...toRow(stored), ...row, status: 'terminated' };
    }
  }
  const checked = validateRow(1, row);
  if ('problems' in checked) {
    return { status: 'invalid', problems: checked.problems.map((p) => ({ path: p.column === null ? 'employee' : `employee.${p.column}`, rule: p.rule, message: p.message })) };
  }
  const { employee } = checked;
  if (deps.erased?.employeeErased(employee)) return { status: 'erased', event_id: event.eventId };
  const outcome = await deps.identity.upsert({ employee, keys: employeeIdentityKeys(employee, deps.config) }, `hris-event:${event.eventId}`, deps.now(), event.eventId);
  switch (outcome.kind) {
    case 'duplicate-event':
      return { status: 'duplicate', event_id: event.eventId, employee_id: employee.employeeId };
    case 'key-taken': {
      const p = keyTakenProblem(1, employee, outcome.key, outcome.heldBy, deps.config);
      return { status: 'key-taken', problem: { path: `employee.${p.column ?? 'email'}`, rule: p.rule, message: p.message } };
    }
    default:
      return { status: 'applied', event_id: event.eventId, employee_id: employee.employeeId, outcome: outcome.kind, fields: toColumns(outcome.fields) };
  }
}
