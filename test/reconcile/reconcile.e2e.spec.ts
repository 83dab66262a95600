/**
 * Reconciliation end to end (ARCHITECTURE.md §9): the real LRS on loopback with its projection
 * worker and deliverer pushing to the real sandbox marketplace; the sandbox's state is then
 * corrupted in each of its six ways and `lrs reconcile` runs as a real child process on the
 * same SQLite file, reading the sandbox through the signed §7 reads.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { importEmployees, employeeRow as row } from '../support/hris-csv.js';
import { AUTH_HEADER, xapiFetch, type TestServer } from '../support/server.js';
import type { SandboxMarketplace } from '../../projections/sandbox-marketplace/marketplace.js';
import { MARKETPLACE_SECRET, pushToSandboxEachTest } from '../delivery/support.js';
import { waitFor } from '../support/wait.js';
import { runLrs } from '../support/lrs-cli.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { startReconcileSchedule } from '../../projections/reconcile/runtime.js';
import { RECONCILE_LEASE, type ReconcileReport } from '../../projections/reconcile/reconcile.js';

const ADL = 'http://adlnet.gov/expapi/verbs/';
const ACTIVE = ['E1001', 'E1002', 'E1003', 'E1004', 'E1005', 'E1006', 'E1007', 'E1008'];
const LEAVER = 'E1009';

let sandbox: SandboxMarketplace;
let server: TestServer;

const each = pushToSandboxEachTest();
beforeEach(() => {
  ({ sandbox, server } = each);
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.origin}${path}`, { ...init, headers: { Authorization: AUTH_HEADER, ...(init.headers as Record<string, string>) } });

const importRows = (...rows: string[]) => importEmployees(server, ...rows);

async function allDelivered(): Promise<void> {
  await server.projectionIdle();
  await waitFor('every member delivered', async () => (await server.store.delivery.pendingCount()) === 0);
}

async function corrupt(kind: string, memberId?: string): Promise<string[]> {
  const res = await fetch(`${sandbox.url}/_corrupt`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind, ...(memberId ? { member_id: memberId } : {}) }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { corrupted: string[] }).corrupted;
}

/** Eight active members with two completions each (versions 1–3), and a leaver whose DELETE was delivered. */
async function publishEveryone(): Promise<void> {
  await importRows(...ACTIVE.map((id) => row(id)), row(LEAVER));
  const xapi = xapiFetch(server);
  for (const id of [...ACTIVE, LEAVER]) {
    for (const course of ['safety', 'privacy']) {
      const res = await xapi('/statements', {
        method: 'POST',
        json: { actor: { mbox: `mailto:${id.toLowerCase()}@acme.example` }, verb: { id: `${ADL}completed` }, object: { id: `https://lms.example.com/courses/${course}` } },
      });
      expect(res.status).toBe(200);
      await server.projectionIdle();
    }
  }
  await allDelivered();
  await importRows(row(LEAVER, 'terminated'));
  await allDelivered();
  expect([...sandbox.state.profiles.keys()].sort()).toEqual(ACTIVE);
}

const reconcileCli = (args: string[], env: Record<string, string> = {}) =>
  runLrs(['reconcile', ...args], { SQLITE_PATH: server.sqlitePath, MARKETPLACE_URL: sandbox.url, MARKETPLACE_SECRET, LOG_LEVEL: 'silent', DELIVERY_TIMEOUT_MS: '2000', ...env });

function reportOf(stdout: string): ReconcileReport {
  return JSON.parse(stdout) as ReconcileReport;
}

const version = async (memberId: string) => (await server.store.projections.member(memberId))!.version;

describe('lrs reconcile against the sandbox marketplace, after it was corrupted in each of six ways', () => {
  it('reports each kind with its count and exit code, repairs all but what it must flag, and a second run reports the flagged member only', async () => {
    await publishEveryone();
    const before = Object.fromEntries(await Promise.all(ACTIVE.map(async (id) => [id, await version(id)] as const)));
    expect(await corrupt('drop', 'E1001')).toEqual(['E1001']);
    expect(await corrupt('stale', 'E1002')).toEqual(['E1002']);
    expect(await corrupt('alter', 'E1003')).toEqual(['E1003']);
    expect(await corrupt('ahead', 'E1004')).toEqual(['E1004']);
    expect(await corrupt('orphan', 'X0001')).toEqual(['X0001']);
    expect(await corrupt('undelete', LEAVER)).toEqual([LEAVER]);

    const look = await reconcileCli([]);
    expect(look.code, look.stderr).toBe(1);
    const first = reportOf(look.stdout);
    expect(first).toMatchObject({ trigger: 'cli', members: 8, in_sync: 4, missing: 1, stale: 1, mismatched: 1, orphaned: 2, ahead: 1, drift_pct: 75, fixed: 0, drift_pct_after: null });
    expect(first.drifted).toEqual([
      { member_id: 'E1001', kind: 'missing' },
      { member_id: 'E1002', kind: 'stale' },
      { member_id: 'E1003', kind: 'mismatched' },
      { member_id: 'E1004', kind: 'ahead' },
      { member_id: LEAVER, kind: 'orphaned' },
      { member_id: 'X0001', kind: 'orphaned' },
    ]);
    expect(first.flagged).toEqual([{ member_id: 'E1004', kind: 'ahead', detail: expect.stringContaining(`version ${before.E1004! + 1}`) }]);
    // A look only: nothing was pushed, nothing changed.
    expect(sandbox.state.profiles.has('E1001')).toBe(false);

    const fix = await reconcileCli(['--fix', '--max-drift', '20']);
    expect(fix.code, fix.stderr).toBe(0);
    const fixed = reportOf(fix.stdout);
    expect(fixed).toMatchObject({ members: 8, missing: 1, stale: 1, mismatched: 1, orphaned: 2, ahead: 1, drift_pct: 75, fixed: 5, drift_pct_after: 12.5 });
    expect(fixed.flagged.map((f) => [f.member_id, f.kind])).toEqual([['E1004', 'ahead']]);
    // Missing and stale got the newest version again; the mismatched one a new version of the same content.
    expect(sandbox.state.profiles.get('E1001')).toMatchObject({ version: before.E1001, completions: [expect.anything(), expect.anything()] });
    expect(sandbox.state.profiles.get('E1002')).toMatchObject({ version: before.E1002 });
    expect(await version('E1003')).toBe(before.E1003! + 1);
    expect(sandbox.state.profiles.get('E1003')).toMatchObject({ version: before.E1003! + 1, email: 'e1003@acme.example', completions: [expect.anything(), expect.anything()] });
    expect(sandbox.state.profiles.has('X0001')).toBe(false);
    expect(sandbox.state.profiles.has(LEAVER)).toBe(false);
    expect(sandbox.state.profiles.get('E1004')).toMatchObject({ version: before.E1004! + 1 });

    const again = await reconcileCli([]);
    expect(again.code).toBe(1);
    expect(reportOf(again.stdout)).toMatchObject({ members: 8, in_sync: 7, missing: 0, stale: 0, mismatched: 0, orphaned: 0, ahead: 1, drift_pct: 12.5, drifted: [{ member_id: 'E1004', kind: 'ahead' }] });
    expect((await reconcileCli(['--max-drift', '12.5'])).code).toBe(0);

    // Every run is kept, newest first, and readable by id.
    const history = (await (await api('/admin/v1/reconciliations?limit=2')).json()) as { reconciliations: ReconcileReport[]; next: string | null };
    expect(history.reconciliations.map((r) => r.drift_pct)).toEqual([12.5, 12.5]);
    expect(history.next).toBe(history.reconciliations[1]!.id);
    const older = (await (await api(`/admin/v1/reconciliations?before=${history.next}`)).json()) as { reconciliations: ReconcileReport[]; next: string | null };
    expect(older.reconciliations.map((r) => r.id)).toEqual([fixed.id, first.id]);
    expect(older.next).toBeNull();
    expect(await (await api(`/admin/v1/reconciliations/${fixed.id}`)).json()).toEqual(fixed);
    expect((await api('/admin/v1/reconciliations/rc_nothing')).status).toBe(404);
  });

  it('runs on a schedule (RECONCILE_INTERVAL_S) and keeps the run in the history; exit 3 when the marketplace cannot be read, 4 while another run holds the lease', async () => {
    await publishEveryone();
    await corrupt('drop', 'E1005');
    const config = loadConfig({ SQLITE_PATH: server.sqlitePath, MARKETPLACE_URL: sandbox.url, MARKETPLACE_SECRET, RECONCILE_INTERVAL_S: '1' });
    const schedule = startReconcileSchedule(config, server.store, createLogger('silent'));
    try {
      await waitFor('a scheduled run in the history', async () => (await server.store.reconciliations.list({ limit: 1 })).length > 0, 20_000);
      // RECONCILE_FIX defaults to true: the scheduled run repaired the dropped member.
      await waitFor('E1005 repaired', async () => sandbox.state.profiles.has('E1005'));
    } finally {
      await schedule?.stop();
    }
    const [run] = (await (await api('/admin/v1/reconciliations')).json() as { reconciliations: ReconcileReport[] }).reconciliations;
    expect(run).toMatchObject({ trigger: 'schedule', members: 8, missing: 1, fixed: 1, drift_pct_after: 0 });

    const unreadable = await reconcileCli([], { MARKETPLACE_SECRET: 'not-the-marketplace-secret-000' });
    expect(unreadable.code).toBe(3);
    expect(reportOf(unreadable.stdout).error).toMatch(/HTTP 401/);

    const now = Date.now();
    expect(await server.store.leases.acquire(RECONCILE_LEASE, 'another-process', now, now + 60_000)).toBe(true);
    const busy = await reconcileCli([]);
    expect(busy.code).toBe(4);
    expect(JSON.parse(busy.stdout)).toMatchObject({ error: { code: 'reconcile-running' } });

    const usage = await reconcileCli(['--max-drift', 'lots']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--max-drift must be a percentage/);
  });
});
