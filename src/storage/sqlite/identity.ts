/**
 * SQLite identity store: one transaction per employee row, so a row is applied whole or not at
 * all: employee, keys, change log entry, audit entries and the HRIS event id commit together.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry, Employee, EmployeeUpsert, IdentityStore, StoredEmployee, UpsertOutcome } from '../identity-port.js';
import { changeAuditEntries, diffEmployee, keyConflictAuditEntry } from '../identity-changes.js';
import { writeTransaction } from './connection.js';

interface EmployeeRow {
  employee_id: string;
  email: string;
  secondary_emails: string;
  given_name: string;
  family_name: string;
  department: string;
  manager_id: string | null;
  job_title: string;
  worker_type: Employee['workerType'];
  status: Employee['status'];
  change_seq: number;
  updated_at: string;
}

interface AuditRow {
  at: string;
  action: string;
  employee_id: string;
  source: string;
  details: string;
}

const PSEUDONYM_KEY_SETTING = 'pseudonym-key';

function toStored(row: EmployeeRow): StoredEmployee {
  return {
    employeeId: row.employee_id,
    email: row.email,
    secondaryEmails: JSON.parse(row.secondary_emails) as string[],
    givenName: row.given_name,
    familyName: row.family_name,
    department: row.department,
    managerId: row.manager_id,
    jobTitle: row.job_title,
    workerType: row.worker_type,
    status: row.status,
    changeSeq: row.change_seq,
    updatedAt: row.updated_at,
  };
}

function toAuditEntry(row: AuditRow): AuditEntry {
  return { at: row.at, action: row.action, employeeId: row.employee_id, source: row.source, details: JSON.parse(row.details) as Record<string, unknown> };
}

export function sqliteIdentityStore(db: Database.Database): IdentityStore {
  const employeeById = db.prepare<[string], EmployeeRow>('SELECT * FROM employees WHERE employee_id = ?');
  const keysOf = db.prepare<[string], { key: string }>('SELECT key FROM identity_keys WHERE employee_id = ?');
  const holderOf = db.prepare<[string], { employee_id: string }>('SELECT employee_id FROM identity_keys WHERE key = ?');
  const eventById = db.prepare<[string], { event_id: string }>('SELECT event_id FROM hris_events WHERE event_id = ?');
  const insertEvent = db.prepare<[string, string, string]>('INSERT INTO hris_events (event_id, employee_id, applied_at) VALUES (?, ?, ?)');
  const insertChange = db.prepare<[string, string]>('INSERT INTO employee_changes (employee_id, at) VALUES (?, ?)');
  const upsertEmployee = db.prepare<EmployeeRow>(`
    INSERT INTO employees (employee_id, email, secondary_emails, given_name, family_name, department, manager_id, job_title, worker_type, status, change_seq, updated_at)
    VALUES (@employee_id, @email, @secondary_emails, @given_name, @family_name, @department, @manager_id, @job_title, @worker_type, @status, @change_seq, @updated_at)
    ON CONFLICT (employee_id) DO UPDATE SET
      email = excluded.email, secondary_emails = excluded.secondary_emails, given_name = excluded.given_name,
      family_name = excluded.family_name, department = excluded.department, manager_id = excluded.manager_id,
      job_title = excluded.job_title, worker_type = excluded.worker_type, status = excluded.status,
      change_seq = excluded.change_seq, updated_at = excluded.updated_at`);
  const insertKey = db.prepare<[string, string]>('INSERT INTO identity_keys (key, employee_id) VALUES (?, ?)');
  const deleteKey = db.prepare<[string, string]>('DELETE FROM identity_keys WHERE key = ? AND employee_id = ?');
  const insertAudit = db.prepare<[string, string, string, string, string]>(
    'INSERT INTO identity_audit (at, action, employee_id, source, details) VALUES (?, ?, ?, ?, ?)',
  );
  const changesSince = db.prepare<[number, number], EmployeeRow>('SELECT * FROM employees WHERE change_seq > ? ORDER BY change_seq LIMIT ?');
  const auditAll = db.prepare<[number], AuditRow>('SELECT at, action, employee_id, source, details FROM identity_audit ORDER BY id DESC LIMIT ?');
  const auditOf = db.prepare<[string, number], AuditRow>(
    'SELECT at, action, employee_id, source, details FROM identity_audit WHERE employee_id = ? ORDER BY id DESC LIMIT ?',
  );
  const insertSetting = db.prepare<[string, string]>('INSERT OR IGNORE INTO identity_settings (name, value) VALUES (?, ?)');
  const settingByName = db.prepare<[string], { value: string }>('SELECT value FROM identity_settings WHERE name = ?');

  const eraseKeys = db.prepare<[string]>('DELETE FROM identity_keys WHERE employee_id = ?');
  const eraseEmployee = db.prepare<[string]>('DELETE FROM employees WHERE employee_id = ?');
  const eraseChanges = db.prepare<[string]>('DELETE FROM employee_changes WHERE employee_id = ?');
  const eraseEvents = db.prepare<[string]>('DELETE FROM hris_events WHERE employee_id = ?');
  const redactAudit = db.prepare<[string, string]>("UPDATE identity_audit SET employee_id = ?, details = '{}' WHERE employee_id = ?");
  const erase = writeTransaction(db, (employeeId: string, redactedAs: string) => {
    const keys = eraseKeys.run(employeeId).changes;
    eraseEmployee.run(employeeId);
    eraseChanges.run(employeeId);
    eraseEvents.run(employeeId);
    return { keys, auditRedacted: redactAudit.run(redactedAs, employeeId).changes };
  });

  const audit = (entry: AuditEntry) => insertAudit.run(entry.at, entry.action, entry.employeeId, entry.source, JSON.stringify(entry.details));

  const upsert = writeTransaction(db, (row: EmployeeUpsert, source: string, at: string, eventId: string | undefined): UpsertOutcome => {
    const { employee } = row;
    const id = employee.employeeId;
    if (eventId !== undefined && eventById.get(eventId)) return { kind: 'duplicate-event', employeeId: id, eventId };

    const beforeRow = employeeById.get(id);
    const before = beforeRow ? toStored(beforeRow) : null;
    const change = diffEmployee(before, keysOf.all(id).map((k) => k.key), employee, row.keys);
    if (change.kind === 'unchanged') {
      if (eventId !== undefined) insertEvent.run(eventId, id, at);
      return { ...change, employeeId: id, changeSeq: before?.changeSeq ?? 0 };
    }
    for (const key of change.keysAdded) {
      const holder = holderOf.get(key);
      if (holder && holder.employee_id !== id) {
        // The only write of a refused row: the conflict is worth an audit entry.
        audit(keyConflictAuditEntry(id, key, holder.employee_id, source, at));
        return { kind: 'key-taken', employeeId: id, key, heldBy: holder.employee_id };
      }
    }

    const changeSeq = Number(insertChange.run(id, at).lastInsertRowid);
    upsertEmployee.run({
      employee_id: id,
      email: employee.email,
      secondary_emails: JSON.stringify(employee.secondaryEmails),
      given_name: employee.givenName,
      family_name: employee.familyName,
      department: employee.department,
      manager_id: employee.managerId,
      job_title: employee.jobTitle,
      worker_type: employee.workerType,
      status: employee.status,
      change_seq: changeSeq,
      updated_at: at,
    });
    for (const key of change.keysRemoved) deleteKey.run(key, id);
    for (const key of change.keysAdded) insertKey.run(key, id);
    for (const entry of changeAuditEntries(before, employee, change, source, at)) audit(entry);
    if (eventId !== undefined) insertEvent.run(eventId, id, at);
    return { ...change, employeeId: id, changeSeq };
  });

  return {
    async upsert(row, source, at, eventId) {
      return upsert(row, source, at, eventId);
    },

    async get(employeeId) {
      const row = employeeById.get(employeeId);
      return row ? toStored(row) : null;
    },

    async holders(keys) {
      const found = new Map<string, string>();
      for (const key of new Set(keys)) {
        const holder = holderOf.get(key);
        if (holder) found.set(key, holder.employee_id);
      }
      return found;
    },

    async changesSince(changeSeq, limit) {
      if (limit <= 0) return [];
      return changesSince.all(changeSeq, limit).map(toStored);
    },

    async audit({ employeeId, limit }) {
      if (limit <= 0) return [];
      const rows = employeeId === undefined ? auditAll.all(limit) : auditOf.all(employeeId, limit);
      return rows.map(toAuditEntry);
    },

    async pseudonymKey(generated) {
      insertSetting.run(PSEUDONYM_KEY_SETTING, generated);
      return (settingByName.get(PSEUDONYM_KEY_SETTING) as { value: string }).value;
    },

    async erase(employeeId, redactedAs) {
      return erase(employeeId, redactedAs);
    },
  };
}
