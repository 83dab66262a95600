/**
 * MongoDB identity store, written for a standalone server: no multi-document transactions.
 * Documents, filters and indexes are exported for the tests; the store only sends them.
 *
 * Collections: `employees` (`_id` = employee id, with the keys it committed and its changeSeq),
 * `identity_keys` (`_id` = key: the unique `_id` is what lets one employee at a time hold a
 * key), `identity_audit`, `hris_events` (`_id` = event id), `identity_settings`, and the
 * `identity` counter in `counters`, which hands out changeSeqs (and audit seqs).
 *
 * An upsert reads top to bottom: check event → read → decide → claim keys → reserve seq →
 * write employee → claim event → release keys → flush audit.
 * - claim keys: insert a claim per new key. A duplicate key error means someone holds it: if
 *   it is another employee whose committed keys list it, the row is refused (`key-taken`), the
 *   claims this attempt made are released and the conflict is audited. A claim the holder's
 *   document does not list is left over from a crashed or lost attempt; once older than
 *   STALE_CLAIM_MS it is taken over.
 * - write employee: a conditional write on the changeSeq read (insert for a new employee);
 *   losing that race to another process decides again from the winner's document.
 * - The employee document carries the change's audit entries (`pendingAudit`) until they are
 *   copied to `identity_audit` under deterministic ids, so a crash between the two loses none:
 *   the next upsert of that employee, or the next audit read, finishes the copy.
 * - The event id is claimed after the employee is written: a crash in between makes a
 *   redelivery apply the same row again, which is harmless (it is then `unchanged`).
 * So a row is never half-applied as far as readers can tell: `get`, `holders` and
 * `changesSince` read the employee document, and `holders` ignores claims it does not list.
 *
 * An erase deletes by employee id, each step repeatable: pending audit entries copied → audit
 * entries redacted → event ids → key claims → the employee document, which is also its entry in
 * the change log (changesSince reads employees). Last, so a crash before it leaves the document
 * that a rerun finds, and never redacted entries still pending on it.
 *
 * Upserts of one store instance are serialized, so changeSeqs are committed in order and a
 * reader checkpointing on changeSeq never skips one; writers in other processes are not
 * ordered with this one (as for statements).
 */
import type { AuditEntry, Employee, EmployeeUpsert, IdentityStore, StoredEmployee, UpsertOutcome } from '../identity-port.js';
import { changeAuditEntries, diffEmployee, keyConflictAuditEntry, pickEmployee } from '../identity-changes.js';
import { COUNTERS, insertIgnoringDuplicates, isDuplicateKeyError, type CollectionLike, type DbLike, type Filter, type IndexDefinition, type Update } from './driver.js';
import { serialQueue } from './serial.js';
import { WriteContentionError } from '../contention.js';

export const EMPLOYEES = 'employees';
export const IDENTITY_KEYS = 'identity_keys';
export const IDENTITY_AUDIT = 'identity_audit';
export const HRIS_EVENTS = 'hris_events';
export const IDENTITY_SETTINGS = 'identity_settings';
export const IDENTITY_COUNTER = 'identity';

/** A claim older than this whose holder's document does not list its key is left over: it can be taken over. */
export const STALE_CLAIM_MS = 60_000;
/** Decide, write; after a lost race decide again, a bounded number of times. */
const MAX_ATTEMPTS = 3;

export interface AuditDocument extends AuditEntry {
  /** `<seq>.<n>`: deterministic, so copying pending entries twice stores them once. */
  _id: string;
  seq: number;
  n: number;
}

export interface EmployeeDocument extends Omit<Employee, 'employeeId'> {
  _id: string;
  /** The keys this employee holds, as committed with its latest change. */
  keys: string[];
  changeSeq: number;
  updatedAt: string;
  /** The latest change's audit entries, until copied to identity_audit; `auditPending` marks them (partial index). */
  pendingAudit?: AuditDocument[];
  auditPending?: number;
}

export interface KeyClaimDocument {
  _id: string;
  employeeId: string;
  claimedAt: string;
}

export interface EventDocument {
  _id: string;
  employeeId: string;
  appliedAt: string;
}

export interface SettingDocument {
  _id: string;
  value: string;
}

export const IDENTITY_INDEXES: Readonly<Record<string, readonly IndexDefinition[]>> = {
  [EMPLOYEES]: [
    /** changesSince, in change order. */
    { key: { changeSeq: 1 }, options: { name: 'change_seq', unique: true } },
    /** Employees whose audit entries still wait to be copied. */
    { key: { auditPending: 1 }, options: { name: 'audit_pending', partialFilterExpression: { auditPending: { $exists: true } } } },
  ],
  /** Claims of one employee (clean-up of keys it no longer wants). */
  [IDENTITY_KEYS]: [{ key: { employeeId: 1 }, options: { name: 'employee' } }],
  [IDENTITY_AUDIT]: [
    { key: { seq: -1, n: -1 }, options: { name: 'seq' } },
    /** Also the redaction of an erased employee's entries. */
    { key: { employeeId: 1, seq: -1, n: -1 }, options: { name: 'employee_seq' } },
  ],
  /** The event ids of an erased employee. */
  [HRIS_EVENTS]: [{ key: { employeeId: 1 }, options: { name: 'employee' } }],
};

export async function createIdentityIndexes(db: DbLike): Promise<void> {
  for (const [collection, indexes] of Object.entries(IDENTITY_INDEXES)) {
    for (const index of indexes) await db.collection(collection).createIndex(index.key, index.options);
  }
}

// ---------------------------------------------------------------------------------------------
// Documents, filters, updates (pure)
// ---------------------------------------------------------------------------------------------

export function toEmployeeDocument(e: Employee, keys: string[], changeSeq: number, updatedAt: string, pendingAudit: AuditDocument[]): EmployeeDocument {
  const { employeeId, ...fields } = pickEmployee(e);
  const doc: EmployeeDocument = { _id: employeeId, ...fields, keys, changeSeq, updatedAt };
  if (pendingAudit.length > 0) (doc.pendingAudit = pendingAudit), (doc.auditPending = changeSeq);
  return doc;
}

export function toStoredEmployee(doc: EmployeeDocument): StoredEmployee {
  return { ...pickEmployee({ ...doc, employeeId: doc._id }), changeSeq: doc.changeSeq, updatedAt: doc.updatedAt };
}

export function toAuditDocuments(entries: AuditEntry[], seq: number): AuditDocument[] {
  return entries.map((entry, n) => ({ _id: `${seq}.${n}`, seq, n, ...entry }));
}

function toAuditEntry(doc: AuditDocument): AuditEntry {
  return { at: doc.at, action: doc.action, employeeId: doc.employeeId, source: doc.source, details: doc.details };
}

/** The conditional write of an existing employee: only if nobody changed it since `readSeq`. */
export function employeeUpdate(doc: EmployeeDocument, readSeq: number): { filter: Filter; update: Update } {
  const { _id, pendingAudit, auditPending, ...set } = doc;
  const update: Update = pendingAudit === undefined
    ? { $set: set, $unset: { pendingAudit: '', auditPending: '' } }
    : { $set: { ...set, pendingAudit, auditPending } };
  return { filter: { _id, changeSeq: readSeq }, update };
}

/** Marks a change's audit entries as copied (only if no later change replaced them). */
export function auditCopiedUpdate(employeeId: string, changeSeq: number): { filter: Filter; update: Update } {
  return { filter: { _id: employeeId, changeSeq }, update: { $unset: { pendingAudit: '', auditPending: '' } } };
}

/** Claims of `employeeId` on keys it does not want (any more, or never committed). */
export function unwantedClaimsFilter(employeeId: string, wanted: string[]): Filter {
  return { employeeId, _id: { $nin: wanted } };
}

export const EMPLOYEE_PROJECTION = { pendingAudit: 0, auditPending: 0 } as const;
export const AUDIT_SORT: Record<string, 1 | -1> = { seq: -1, n: -1 };

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

export function mongoIdentityStore(db: DbLike): IdentityStore {
  const employees: CollectionLike<EmployeeDocument> = db.collection(EMPLOYEES);
  const keys: CollectionLike<KeyClaimDocument> = db.collection(IDENTITY_KEYS);
  const audit: CollectionLike<AuditDocument> = db.collection(IDENTITY_AUDIT);
  const events: CollectionLike<EventDocument> = db.collection(HRIS_EVENTS);
  const settings: CollectionLike<SettingDocument> = db.collection(IDENTITY_SETTINGS);
  const counters: CollectionLike<{ _id: string; seq: number }> = db.collection(COUNTERS);

  async function reserveSeq(): Promise<number> {
    const counter = await counters.findOneAndUpdate({ _id: IDENTITY_COUNTER }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    if (counter === null) throw new Error('the identity counter upsert returned no document');
    return counter.seq;
  }


  /** Copies a change's pending audit entries to identity_audit, then clears them. */
  async function copyPendingAudit(doc: EmployeeDocument): Promise<void> {
    if (doc.pendingAudit === undefined) return;
    await insertIgnoringDuplicates(audit, doc.pendingAudit);
    const { filter, update } = auditCopiedUpdate(doc._id, doc.changeSeq);
    await employees.updateOne(filter, update);
  }

  async function claimEvent(eventId: string, employeeId: string, at: string): Promise<boolean> {
    return insertIgnoringDuplicates(events, [{ _id: eventId, employeeId, appliedAt: at }]);
  }

  /**
   * Claims the keys; returns the first key another employee holds (after releasing this
   * attempt's claims), 'retry' when a claim vanished or was taken over meanwhile, or null.
   */
  async function claimKeys(employeeId: string, wanted: string[], at: string): Promise<{ key: string; heldBy: string } | 'retry' | null> {
    if (wanted.length === 0) return null;
    const inserted = await insertIgnoringDuplicates(keys, wanted.map((key) => ({ _id: key, employeeId, claimedAt: at })));
    if (inserted) return null;
    const claims = new Map((await keys.find({ _id: { $in: wanted } }).toArray()).map((c) => [c._id, c]));
    const foreign = wanted.flatMap((key) => {
      const claim = claims.get(key);
      return claim !== undefined && claim.employeeId !== employeeId ? [claim] : [];
    });
    if (foreign.length === 0) {
      // Every refused claim was ours already; a key nobody holds now was released meanwhile.
      return wanted.every((key) => claims.has(key)) ? null : 'retry';
    }
    const holders = await employees.find({ _id: { $in: [...new Set(foreign.map((c) => c.employeeId))] } }, { projection: { _id: 1, keys: 1 } }).toArray();
    const committed = new Map(holders.map((h) => [h._id, new Set(h.keys)]));
    let taken: { key: string; heldBy: string } | null = null;
    let tookOver = false;
    for (const claim of foreign) {
      const listed = committed.get(claim.employeeId)?.has(claim._id) === true;
      if (!listed && Date.parse(at) - Date.parse(claim.claimedAt) > STALE_CLAIM_MS) {
        await keys.deleteMany({ _id: claim._id, employeeId: claim.employeeId, claimedAt: claim.claimedAt });
        tookOver = true;
      } else {
        taken ??= { key: claim._id, heldBy: claim.employeeId };
      }
    }
    if (taken === null) return tookOver ? 'retry' : null;
    // Give back what this attempt claimed: keys it wanted, did not hold before, and holds now.
    await keys.deleteMany({ _id: { $in: wanted }, employeeId, claimedAt: at });
    return taken;
  }

  async function attempt(row: EmployeeUpsert, source: string, at: string, eventId: string | undefined): Promise<UpsertOutcome | 'retry'> {
    const { employee } = row;
    const id = employee.employeeId;
    if (eventId !== undefined && (await events.findOne({ _id: eventId })) !== null) return { kind: 'duplicate-event', employeeId: id, eventId };

    const stored = await employees.findOne({ _id: id });
    if (stored !== null) await copyPendingAudit(stored);
    const before = stored === null ? null : toStoredEmployee(stored);
    const change = diffEmployee(before, stored?.keys ?? [], employee, row.keys);
    if (change.kind === 'unchanged') {
      if (eventId !== undefined && !(await claimEvent(eventId, id, at))) return { kind: 'duplicate-event', employeeId: id, eventId };
      return { ...change, employeeId: id, changeSeq: stored?.changeSeq ?? 0 };
    }

    const claimed = await claimKeys(id, change.keysAdded, at);
    if (claimed === 'retry') return 'retry';
    if (claimed !== null) {
      const entry = keyConflictAuditEntry(id, claimed.key, claimed.heldBy, source, at);
      await audit.insertMany(toAuditDocuments([entry], await reserveSeq()), { ordered: true });
      return { kind: 'key-taken', employeeId: id, key: claimed.key, heldBy: claimed.heldBy };
    }

    const changeSeq = await reserveSeq();
    const entries = toAuditDocuments(changeAuditEntries(before, employee, change, source, at), changeSeq);
    const doc = toEmployeeDocument(employee, [...new Set(row.keys)], changeSeq, at, entries);
    if (stored === null) {
      try {
        await employees.insertMany([doc], { ordered: true });
      } catch (error) {
        if (isDuplicateKeyError(error)) return 'retry'; // created meanwhile by another process
        throw error;
      }
    } else {
      const { filter, update } = employeeUpdate(doc, stored.changeSeq);
      if ((await employees.findOneAndUpdate(filter, update, { upsert: false, returnDocument: 'after' })) === null) return 'retry';
    }

    const duplicate = eventId !== undefined && !(await claimEvent(eventId, id, at));
    await keys.deleteMany(unwantedClaimsFilter(id, doc.keys));
    await copyPendingAudit(doc);
    // A concurrent delivery of the same event applied the same row: report it as the duplicate it is.
    if (duplicate) return { kind: 'duplicate-event', employeeId: id, eventId: eventId as string };
    return { ...change, employeeId: id, changeSeq };
  }

  async function upsert(row: EmployeeUpsert, source: string, at: string, eventId: string | undefined): Promise<UpsertOutcome> {
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const outcome = await attempt(row, source, at, eventId);
      if (outcome !== 'retry') return outcome;
    }
    throw new WriteContentionError(`identity upsert of ${row.employee.employeeId} lost the race ${MAX_ATTEMPTS} times; nothing of the row was committed`);
  }

  async function erase(employeeId: string, redactedAs: string): Promise<{ keys: number; auditRedacted: number }> {
    const stored = await employees.findOne({ _id: employeeId });
    if (stored !== null) await copyPendingAudit(stored);
    const { matchedCount: auditRedacted } = await audit.updateMany({ employeeId }, { $set: { employeeId: redactedAs, details: {} } });
    await events.deleteMany({ employeeId });
    const { deletedCount: keysDeleted } = await keys.deleteMany({ employeeId });
    await employees.deleteMany({ _id: employeeId });
    return { keys: keysDeleted, auditRedacted };
  }

  // Upserts (and erasures) of this instance run one after another (see the header).
  const serialized = serialQueue();

  return {
    upsert(row, source, at, eventId) {
      return serialized(() => upsert(row, source, at, eventId));
    },

    async get(employeeId) {
      const doc = await employees.findOne({ _id: employeeId }, { projection: EMPLOYEE_PROJECTION });
      return doc === null ? null : toStoredEmployee(doc);
    },

    async holders(wanted) {
      const found = new Map<string, string>();
      if (wanted.length === 0) return found;
      const claims = await keys.find({ _id: { $in: [...new Set(wanted)] } }).toArray();
      if (claims.length === 0) return found;
      // Only keys the holder committed count: a claim alone may be an attempt in flight or left over.
      const holders = await employees
        .find({ _id: { $in: [...new Set(claims.map((c) => c.employeeId))] } }, { projection: { _id: 1, keys: 1 } })
        .toArray();
      const committed = new Map(holders.map((h) => [h._id, new Set(h.keys)]));
      for (const claim of claims) {
        if (committed.get(claim.employeeId)?.has(claim._id)) found.set(claim._id, claim.employeeId);
      }
      return found;
    },

    async changesSince(changeSeq, limit) {
      if (limit <= 0) return [];
      const docs = await employees.find({ changeSeq: { $gt: changeSeq } }, { projection: EMPLOYEE_PROJECTION }).sort({ changeSeq: 1 }).limit(limit).toArray();
      return docs.map(toStoredEmployee);
    },

    async audit({ employeeId, limit }) {
      if (limit <= 0) return [];
      // Finish copies a crash interrupted, so the log read is complete.
      for (const doc of await employees.find({ auditPending: { $exists: true } }).toArray()) await copyPendingAudit(doc);
      const filter: Filter = employeeId === undefined ? {} : { employeeId };
      const docs = await audit.find(filter).sort(AUDIT_SORT).limit(limit).toArray();
      return docs.map(toAuditEntry);
    },

    erase(employeeId, redactedAs) {
      return serialized(() => erase(employeeId, redactedAs));
    },

    async pseudonymKey(generated) {
      await insertIgnoringDuplicates(settings, [{ _id: 'pseudonym-key', value: generated }]);
      const setting = await settings.findOne({ _id: 'pseudonym-key' });
      if (setting === null) throw new Error('the pseudonym key setting vanished after it was written');
      return setting.value;
    },
  };
}
