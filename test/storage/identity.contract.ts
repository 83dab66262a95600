/**
 * The storage contract for IdentityStore (src/storage/identity-port.ts), shared by every
 * backend (ARCHITECTURE.md §3). `open` returns a fresh, empty store per test.
 * Keys are built with the real key shaping (projections/identity/keys.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Employee, EmployeeUpsert } from '../../src/storage/identity-port.js';
import type { Store } from '../../src/storage/port.js';
import { freshStoreEachTest } from './fresh-store.js';
import { employeeWith } from '../support/employees.js';
import { employeeIdentityKeys, identityKey, type IdentityConfig } from '../../projections/identity/keys.js';

const CONFIG: IdentityConfig = { hrisAccountHomePage: 'https://hris.acme.example', emailDomainAliases: new Map([['old.acme.example', 'acme.example']]) };
const T1 = '2026-01-05T09:00:00.000Z';
const T2 = '2026-01-06T09:00:00.000Z';
const T3 = '2026-01-07T09:00:00.000Z';

export const employee = employeeWith({ givenName: 'Ana', familyName: 'López', department: 'Engineering' });

export function row(e: Employee): EmployeeUpsert {
  return { employee: e, keys: employeeIdentityKeys(e, CONFIG) };
}

export function describeIdentityStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: identity store contract`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    it(`${name}: creates an employee with its keys, a changeSeq and a created audit entry`, async () => {
      const ana = employee('E1001', { secondaryEmails: ['ana.lopez@old.acme.example'], managerId: 'E1000' });
      const outcome = await store.identity.upsert(row(ana), 'hris-csv', T1);
      expect(outcome).toMatchObject({ kind: 'created', employeeId: 'E1001', keysRemoved: [] });
      if (outcome.kind !== 'created') throw new Error('not created');
      expect(outcome.changeSeq).toBeGreaterThan(0);
      expect(outcome.fields).toHaveLength(10);
      expect(new Set(outcome.keysAdded)).toEqual(new Set(row(ana).keys));

      expect(await store.identity.get('E1001')).toEqual({ ...ana, changeSeq: outcome.changeSeq, updatedAt: T1 });
      const holders = await store.identity.holders([identityKey.email('ana.lopez@acme.example'), identityKey.account('E1001'), 'email:nobody@acme.example']);
      expect(holders).toEqual(new Map([[identityKey.email('ana.lopez@acme.example'), 'E1001'], [identityKey.account('E1001'), 'E1001']]));
      expect(await store.identity.audit({ employeeId: 'E1001', limit: 10 })).toEqual([
        { at: T1, action: 'identity.key-added', employeeId: 'E1001', source: 'hris-csv', details: { keys: outcome.keysAdded } },
        {
          at: T1,
          action: 'employee.created',
          employeeId: 'E1001',
          source: 'hris-csv',
          details: {
            employee: {
              employee_id: 'E1001', email: 'e1001@acme.example', secondary_emails: ['ana.lopez@old.acme.example'], given_name: 'Ana',
              family_name: 'López', department: 'Engineering', manager_id: 'E1000', job_title: 'Engineer', worker_type: 'employee', status: 'active',
            },
          },
        },
      ]);
    });

    it(`${name}: an identical row is unchanged: same changeSeq, nothing written`, async () => {
      const first = await store.identity.upsert(row(employee('E1')), 'hris-csv', T1);
      const again = await store.identity.upsert(row(employee('E1')), 'hris-csv', T2);
      expect(again).toEqual({ kind: 'unchanged', employeeId: 'E1', changeSeq: (first as { changeSeq: number }).changeSeq, fields: [], keysAdded: [], keysRemoved: [] });
      expect((await store.identity.get('E1'))?.updatedAt).toBe(T1);
      expect(await store.identity.audit({ limit: 10 })).toHaveLength(2);
      expect(await store.identity.changesSince(0, 10)).toHaveLength(1);
    });

    it(`${name}: an update names the changed fields, takes a new changeSeq and audits from → to`, async () => {
      const first = await store.identity.upsert(row(employee('E1')), 'hris-csv', T1);
      const outcome = await store.identity.upsert(row(employee('E1', { jobTitle: 'Staff Engineer', managerId: 'E9' })), 'hris-api', T2);
      expect(outcome).toMatchObject({ kind: 'updated', fields: ['managerId', 'jobTitle'], keysAdded: [], keysRemoved: [] });
      expect((outcome as { changeSeq: number }).changeSeq).toBeGreaterThan((first as { changeSeq: number }).changeSeq);
      expect(await store.identity.get('E1')).toMatchObject({ jobTitle: 'Staff Engineer', managerId: 'E9', updatedAt: T2 });
      const [latest] = await store.identity.audit({ employeeId: 'E1', limit: 1 });
      expect(latest).toEqual({
        at: T2,
        action: 'employee.updated',
        employeeId: 'E1',
        source: 'hris-api',
        details: { changes: { manager_id: { from: null, to: 'E9' }, job_title: { from: 'Engineer', to: 'Staff Engineer' } } },
      });
    });

    it(`${name}: a changed email moves the keys: the old ones are released, the new ones held`, async () => {
      await store.identity.upsert(row(employee('E1', { email: 'ana@acme.example' })), 'hris-csv', T1);
      const outcome = await store.identity.upsert(row(employee('E1', { email: 'ana.lopez@acme.example' })), 'hris-csv', T2);
      if (outcome.kind !== 'updated') throw new Error(`expected updated, got ${outcome.kind}`);
      expect(outcome.fields).toEqual(['email']);
      expect(outcome.keysAdded).toContain(identityKey.email('ana.lopez@acme.example'));
      expect(outcome.keysRemoved).toContain(identityKey.email('ana@acme.example'));
      const holders = await store.identity.holders([identityKey.email('ana@acme.example'), identityKey.email('ana.lopez@acme.example')]);
      expect(holders).toEqual(new Map([[identityKey.email('ana.lopez@acme.example'), 'E1']]));
      const actions = (await store.identity.audit({ employeeId: 'E1', limit: 3 })).map((e) => e.action);
      expect(actions).toEqual(['identity.key-removed', 'identity.key-added', 'employee.updated']);
      // The released address can now identify someone else.
      expect(await store.identity.upsert(row(employee('E2', { email: 'ana@acme.example' })), 'hris-csv', T3)).toMatchObject({ kind: 'created' });
    });

    it(`${name}: a key held by another employee refuses the whole row and audits the conflict`, async () => {
      await store.identity.upsert(row(employee('E1', { email: 'ana@acme.example' })), 'hris-csv', T1);
      await store.identity.upsert(row(employee('E2', { email: 'bo@acme.example' })), 'hris-csv', T1);
      // E2 now claims E1's address (through an alias domain and a +tag: the same normalised key).
      const taken = await store.identity.upsert(
        row(employee('E2', { email: 'bo@acme.example', jobTitle: 'Lead', secondaryEmails: ['Ana+lms@old.acme.example'] })),
        'hris-csv',
        T2,
      );
      expect(taken).toEqual({ kind: 'key-taken', employeeId: 'E2', key: identityKey.email('ana@acme.example'), heldBy: 'E1' });
      expect(await store.identity.get('E2')).toMatchObject({ jobTitle: 'Engineer', secondaryEmails: [] });
      expect((await store.identity.holders([identityKey.email('ana@acme.example')])).get(identityKey.email('ana@acme.example'))).toBe('E1');
      expect(await store.identity.audit({ employeeId: 'E2', limit: 1 })).toEqual([
        { at: T2, action: 'identity.key-conflict', employeeId: 'E2', source: 'hris-csv', details: { key: identityKey.email('ana@acme.example'), held_by: 'E1' } },
      ]);
      // A new employee with a taken key is not created at all.
      expect(await store.identity.upsert(row(employee('E3', { email: 'ANA@acme.example' })), 'hris-csv', T2)).toMatchObject({ kind: 'key-taken', heldBy: 'E1' });
      expect(await store.identity.get('E3')).toBeNull();
      expect(await store.identity.changesSince(0, 10)).toHaveLength(2);
    });

    it(`${name}: termination and reactivation are audited as such`, async () => {
      await store.identity.upsert(row(employee('E1')), 'hris-csv', T1);
      await store.identity.upsert(row(employee('E1', { status: 'terminated', department: 'Alumni' })), 'hris-event:ev1', T2);
      await store.identity.upsert(row(employee('E1')), 'hris-csv', T3);
      const entries = await store.identity.audit({ employeeId: 'E1', limit: 2 });
      expect(entries.map((e) => e.action)).toEqual(['employee.reactivated', 'employee.terminated']);
      expect(entries[1]?.details).toEqual({ changes: { department: { from: 'Engineering', to: 'Alumni' }, status: { from: 'active', to: 'terminated' } } });
    });

    it(`${name}: an event id is applied once; a second delivery writes nothing`, async () => {
      const first = await store.identity.upsert(row(employee('E1')), 'hris-event:ev-1', T1, 'ev-1');
      expect(first.kind).toBe('created');
      const again = await store.identity.upsert(row(employee('E1', { jobTitle: 'Changed' })), 'hris-event:ev-1', T2, 'ev-1');
      expect(again).toEqual({ kind: 'duplicate-event', employeeId: 'E1', eventId: 'ev-1' });
      expect((await store.identity.get('E1'))?.jobTitle).toBe('Engineer');
      // An event whose row changes nothing is still recorded as applied.
      expect((await store.identity.upsert(row(employee('E1')), 'hris-event:ev-2', T2, 'ev-2')).kind).toBe('unchanged');
      expect((await store.identity.upsert(row(employee('E1')), 'hris-event:ev-2', T3, 'ev-2')).kind).toBe('duplicate-event');
    });

    it(`${name}: a refused event is not recorded, so its redelivery applies once the conflict is gone`, async () => {
      await store.identity.upsert(row(employee('E1', { email: 'ana@acme.example' })), 'hris-csv', T1);
      const hire = row(employee('E2', { email: 'ana@acme.example' }));
      expect((await store.identity.upsert(hire, 'hris-event:hire-2', T1, 'hire-2')).kind).toBe('key-taken');
      await store.identity.upsert(row(employee('E1', { email: 'ana.old@acme.example' })), 'hris-csv', T2);
      expect((await store.identity.upsert(hire, 'hris-event:hire-2', T3, 'hire-2')).kind).toBe('created');
    });

    it(`${name}: a key-only change (e.g. after the domain aliases changed) is an update with no fields`, async () => {
      const e = employee('E1', { email: 'ana@old.acme.example' });
      const first = await store.identity.upsert({ employee: e, keys: [identityKey.account('E1'), identityKey.email('ana@old.acme.example')] }, 'hris-csv', T1);
      const outcome = await store.identity.upsert(row(e), 'hris-csv', T2);
      expect(outcome).toMatchObject({ kind: 'updated', fields: [] });
      expect((outcome as { keysRemoved: string[] }).keysRemoved).toEqual([identityKey.email('ana@old.acme.example')]);
      expect((outcome as { changeSeq: number }).changeSeq).toBeGreaterThan((first as { changeSeq: number }).changeSeq);
      expect((await store.identity.audit({ employeeId: 'E1', limit: 5 })).map((a) => a.action)).toEqual([
        'identity.key-removed',
        'identity.key-added',
        'identity.key-added',
        'employee.created',
      ]);
    });

    it(`${name}: changesSince follows the change log in order, from a checkpoint, with a limit`, async () => {
      await store.identity.upsert(row(employee('E1')), 's', T1);
      await store.identity.upsert(row(employee('E2')), 's', T1);
      await store.identity.upsert(row(employee('E3')), 's', T1);
      await store.identity.upsert(row(employee('E1', { jobTitle: 'Lead' })), 's', T2);
      const all = await store.identity.changesSince(0, 10);
      expect(all.map((e) => e.employeeId)).toEqual(['E2', 'E3', 'E1']);
      expect(all.map((e) => e.changeSeq)).toEqual([...all.map((e) => e.changeSeq)].sort((a, b) => a - b));
      const [firstTwo, rest] = [await store.identity.changesSince(0, 2), await store.identity.changesSince(all[1]?.changeSeq ?? 0, 10)];
      expect(firstTwo.map((e) => e.employeeId)).toEqual(['E2', 'E3']);
      expect(rest.map((e) => e.employeeId)).toEqual(['E1']);
      expect(rest[0]).toMatchObject({ jobTitle: 'Lead', updatedAt: T2 });
      expect(await store.identity.changesSince(all[2]?.changeSeq ?? 0, 10)).toEqual([]);
      expect(await store.identity.changesSince(0, 0)).toEqual([]);
    });

    it(`${name}: the audit log reads newest first, for everyone or one employee, up to a limit`, async () => {
      await store.identity.upsert(row(employee('E1')), 's', T1);
      await store.identity.upsert(row(employee('E2')), 's', T2);
      await store.identity.upsert(row(employee('E1', { jobTitle: 'Lead' })), 's', T3);
      const all = await store.identity.audit({ limit: 100 });
      expect(all.map((e) => `${e.employeeId} ${e.action}`)).toEqual([
        'E1 employee.updated',
        'E2 identity.key-added',
        'E2 employee.created',
        'E1 identity.key-added',
        'E1 employee.created',
      ]);
      expect((await store.identity.audit({ limit: 2 })).map((e) => e.action)).toEqual(['employee.updated', 'identity.key-added']);
      expect((await store.identity.audit({ employeeId: 'E2', limit: 100 })).every((e) => e.employeeId === 'E2')).toBe(true);
      expect(await store.identity.audit({ employeeId: 'E404', limit: 100 })).toEqual([]);
    });

    it(`${name}: holders answers only for held keys`, async () => {
      expect(await store.identity.holders([])).toEqual(new Map());
      expect(await store.identity.holders(['email:nobody@acme.example'])).toEqual(new Map());
      expect(await store.identity.get('nobody')).toBeNull();
    });

    it(`${name}: the pseudonym key is kept once: the first one stored wins`, async () => {
      expect(await store.identity.pseudonymKey('first-generated-key')).toBe('first-generated-key');
      expect(await store.identity.pseudonymKey('second-generated-key')).toBe('first-generated-key');
    });
  });
}
