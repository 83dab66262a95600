/** The HRIS API over real HTTP on loopback with a real SQLite file. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTH_HEADER, startTestServer, type TestServer } from '../support/server.js';
import { signatureHeader } from '../../projections/hris/signature.js';
import type { HrisReport } from '../../projections/hris/sync.js';

const HEADER = 'employee_id,email,secondary_emails,given_name,family_name,department,manager_id,job_title,worker_type,status';
const ANA = 'E1001,ana.lopez@acme.example,ana@old.acme.example,Ana,López,Engineering,E1000,Engineer,employee,active';
const BO = 'E1002,bo.berg@acme.example,,Bo,Berg,Sales,E1000,Account Executive,contractor,active';
const BAD = 'E1003,not-an-email,,Cy,Cruz,Sales,,Rep,employee,active';
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;
const SECRET = 'hris-webhook-secret-0123456789';
const IDENTITY = { hrisAccountHomePage: 'https://hris.acme.example', emailDomainAliases: new Map([['old.acme.example', 'acme.example']]) };

let server: TestServer;

async function post(path: string, body: string, type: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.origin}/hris/v1${path}`, { method: 'POST', body, headers: { Authorization: AUTH_HEADER, 'Content-Type': type, ...headers } });
}

async function importCsv(text: string, query = ''): Promise<HrisReport> {
  const res = await post(`/employees${query}`, text, 'text/csv');
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as HrisReport;
}

async function audit(query = ''): Promise<{ entries: { action: string; employee_id: string; source: string; details: Record<string, unknown> }[] }> {
  const res = await fetch(`${server.origin}/hris/v1/audit${query}`, { headers: { Authorization: AUTH_HEADER } });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Awaited<ReturnType<typeof audit>>;
}

describe('POST /hris/v1/employees', () => {
  beforeEach(async () => {
    server = await startTestServer({ hris: { identity: IDENTITY, webhookSecret: undefined } });
  });
  afterEach(async () => server.close());

  it('applies the good rows of a CSV and reports the bad ones by row and column', async () => {
    const report = await importCsv(csv(ANA, BAD, BO));
    expect(report).toMatchObject({ applied: 2, created: 2, updated: 0, unchanged: 0, dry_run: false });
    expect(report.rejected).toEqual([
      { row: 2, column: 'email', rule: 'email-syntax', message: 'email must be an email address (local@domain), got "not-an-email"' },
    ]);
    expect(report.changes.map((c) => [c.row, c.employee_id, c.kind])).toEqual([
      [1, 'E1001', 'created'],
      [3, 'E1002', 'created'],
    ]);
    expect(await server.store.identity.get('E1001')).toMatchObject({ email: 'ana.lopez@acme.example', secondaryEmails: ['ana@old.acme.example'], managerId: 'E1000' });
    expect(await server.store.identity.get('E1003')).toBeNull();
    // The alias-domain secondary email is held in its canonical form.
    expect(await server.store.identity.holders(['email:ana@acme.example'])).toEqual(new Map([['email:ana@acme.example', 'E1001']]));
  });

  it('is idempotent: importing the same file again changes nothing and audits nothing', async () => {
    await importCsv(csv(ANA, BO));
    const before = (await audit()).entries.length;
    const again = await importCsv(csv(ANA, BO));
    expect(again).toEqual({ applied: 2, created: 0, updated: 0, unchanged: 2, rejected: [], changes: [], dry_run: false });
    expect((await audit()).entries).toHaveLength(before);
  });

  it('dry run reports created/updated/unchanged with the changed fields and writes nothing', async () => {
    await importCsv(csv(ANA, BO));
    const changedBo = BO.replace('Account Executive', 'Sales Lead').replace(',Sales,', ',Revenue,');
    const newCy = 'E1003,cy@acme.example,,Cy,Cruz,Sales,,Rep,employee,active';
    const dry = await importCsv(csv(ANA, changedBo, newCy), '?dry_run=true');
    expect(dry).toMatchObject({ applied: 3, created: 1, updated: 1, unchanged: 1, rejected: [], dry_run: true });
    expect(dry.changes).toEqual([
      { row: 2, employee_id: 'E1002', kind: 'updated', fields: ['department', 'job_title'], keys_added: 0, keys_removed: 0 },
      expect.objectContaining({ row: 3, employee_id: 'E1003', kind: 'created' }),
    ]);
    expect(await server.store.identity.get('E1003')).toBeNull();
    expect((await server.store.identity.get('E1002'))?.jobTitle).toBe('Account Executive');
    // The real run does what the dry run said.
    const real = await importCsv(csv(ANA, changedBo, newCy));
    expect({ ...real, dry_run: true }).toEqual(dry);
  });

  it('refuses a row whose email already identifies someone else, naming the column; dry run predicts it', async () => {
    await importCsv(csv(ANA));
    const clash = 'E1009,cy@acme.example,Ana.Lopez+lms@acme.example,Cy,Cruz,Sales,,Rep,employee,active';
    for (const query of ['?dry_run=true', '']) {
      const report = await importCsv(csv(clash, BO), query);
      expect(report.rejected).toEqual([
        {
          row: 1,
          column: 'secondary_emails',
          rule: 'identity-key-taken',
          message: 'secondary_emails: the address ana.lopez@acme.example already identifies employee E1001; the row was not applied',
        },
      ]);
      expect(report.applied).toBe(1);
    }
    expect(await server.store.identity.get('E1009')).toBeNull();
    const [conflict] = (await audit('?employee_id=E1009')).entries;
    expect(conflict).toMatchObject({ action: 'identity.key-conflict', source: 'hris-api', details: { key: 'email:ana.lopez@acme.example', held_by: 'E1001' } });
  });

  it('dry run follows rows that free an address for a later row of the same file', async () => {
    await importCsv(csv(ANA));
    const anaMoves = ANA.replace('ana.lopez@acme.example', 'ana.l@acme.example');
    const cyTakes = 'E1003,ana.lopez@acme.example,,Cy,Cruz,Sales,,Rep,employee,active';
    const dry = await importCsv(csv(anaMoves, cyTakes), '?dry_run=true');
    expect(dry).toMatchObject({ applied: 2, created: 1, updated: 1, rejected: [] });
    expect((await importCsv(csv(anaMoves, cyTakes))).rejected).toEqual([]);
  });

  it('takes a JSON array of rows', async () => {
    const res = await fetch(`${server.origin}/hris/v1/employees`, {
      method: 'POST',
      headers: { Authorization: AUTH_HEADER, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify([
        { employee_id: 'E1', email: 'a@acme.example', secondary_emails: ['a2@acme.example'], given_name: 'A', family_name: 'L', manager_id: null, worker_type: 'Employee', status: 'Active' },
        { employee_id: 'E2', email: 'b@acme.example', given_name: 'B', family_name: 'M', worker_type: 'freelancer', status: 'active' },
      ]),
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as HrisReport;
    expect(report).toMatchObject({ applied: 1, created: 1, rejected: [{ row: 2, column: 'worker_type', rule: 'allowed-values' }] });
    expect(await server.store.identity.get('E1')).toMatchObject({ secondaryEmails: ['a2@acme.example'], workerType: 'employee', status: 'active' });
  });

  it('answers JSON errors for an unusable input, a wrong content type, a bad parameter and missing credentials', async () => {
    const missing = await post('/employees', 'employee_id,email\nE1,a@acme.example\n', 'text/csv');
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { code: string; problems: { path: string; rule: string }[] } };
    expect(body.error.code).toBe('invalid-hris-input');
    expect(body.error.problems).toContainEqual(expect.objectContaining({ path: 'header.status', rule: 'missing-column' }));

    const text = await post('/employees', csv(ANA), 'text/plain');
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { problems: unknown[] } }).error.problems).toEqual([expect.objectContaining({ path: 'Content-Type' })]);

    expect((await post('/employees?dry_run=yes', csv(ANA), 'text/csv')).status).toBe(400);
    expect((await post('/employees?dryrun=true', csv(ANA), 'text/csv')).status).toBe(400);
    expect((await post('/employees', '[{', 'application/json')).status).toBe(400);
    expect((await post('/employees', '{}', 'application/json')).status).toBe(400);

    const anonymous = await fetch(`${server.origin}/hris/v1/employees`, { method: 'POST', body: csv(ANA), headers: { 'Content-Type': 'text/csv' } });
    expect(anonymous.status).toBe(401);
    expect(await server.store.identity.get('E1001')).toBeNull();
  });

  it('GET /hris/v1/audit reads the log newest first, per employee, with a limit', async () => {
    await importCsv(csv(ANA, BO));
    await importCsv(csv(ANA.replace(',Engineer,', ',Staff Engineer,')));
    const { entries } = await audit('?employee_id=E1001&limit=2');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      at: expect.any(String),
      action: 'employee.updated',
      employee_id: 'E1001',
      source: 'hris-api',
      details: { changes: { job_title: { from: 'Engineer', to: 'Staff Engineer' } } },
    });
    expect((await audit()).entries.map((e) => e.employee_id)).toContain('E1002');
    for (const bad of ['?limit=0', '?limit=1001', '?limit=ten', '?employee_id=', '?who=E1']) {
      const res = await fetch(`${server.origin}/hris/v1/audit${bad}`, { headers: { Authorization: AUTH_HEADER } });
      expect(res.status, bad).toBe(400);
    }
  });

  it('POST /hris/v1/events answers 503 with a JSON error when no webhook secret is configured', async () => {
    const body = JSON.stringify({ event_id: 'ev-1', type: 'hire', occurred_at: '2026-01-05T09:00:00Z', employee: {} });
    const res = await fetch(`${server.origin}/hris/v1/events`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-Signature': signatureHeader(SECRET, body, nowSeconds()) } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { status: 503, code: 'events-disabled', message: expect.stringContaining('HRIS_WEBHOOK_SECRET') } });
  });
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

const row = (overrides: Record<string, unknown> = {}) => ({
  employee_id: 'E2001',
  email: 'dana@acme.example',
  secondary_emails: '',
  given_name: 'Dana',
  family_name: 'Diaz',
  department: 'Support',
  manager_id: '',
  job_title: 'Agent',
  worker_type: 'employee',
  status: 'active',
  ...overrides,
});

describe('POST /hris/v1/events (signed change events)', () => {
  beforeEach(async () => {
    server = await startTestServer({ hris: { identity: IDENTITY, webhookSecret: SECRET } });
  });
  afterEach(async () => server.close());

  async function send(event: unknown, options: { t?: number; secret?: string; signature?: string | null; type?: string } = {}): Promise<Response> {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = { 'Content-Type': options.type ?? 'application/json' };
    const signature = options.signature === undefined ? signatureHeader(options.secret ?? SECRET, body, options.t ?? nowSeconds()) : options.signature;
    if (signature !== null) headers['X-Signature'] = signature;
    return fetch(`${server.origin}/hris/v1/events`, { method: 'POST', body, headers });
  }

  const hire = { event_id: 'ev-hire-1', type: 'hire', occurred_at: '2026-01-05T09:00:00.000Z', employee: row() };

  it('applies a signed hire (no Basic credentials needed) and answers a redelivery with duplicate', async () => {
    const first = await send(hire);
    expect(first.status, await first.clone().text()).toBe(200);
    expect(await first.json()).toMatchObject({ status: 'applied', event_id: 'ev-hire-1', employee_id: 'E2001', outcome: 'created' });
    const again = await send({ ...hire, employee: row({ job_title: 'Changed in a replay' }) });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate', event_id: 'ev-hire-1', employee_id: 'E2001' });
    expect((await server.store.identity.get('E2001'))?.jobTitle).toBe('Agent');
    const entries = (await audit('?employee_id=E2001')).entries;
    expect(entries.filter((e) => e.action === 'employee.created')).toHaveLength(1);
    expect(entries[0]?.source).toBe('hris-event:ev-hire-1');
  });

  it('refuses a wrong, missing or malformed signature with 401 and a JSON error', async () => {
    const cases: [Parameters<typeof send>[1], string][] = [
      [{ secret: 'not-the-right-secret-0123' }, 'signature-mismatch'],
      [{ signature: null }, 'signature-missing'],
      [{ signature: 't=now,v1=zz' }, 'signature-malformed'],
    ];
    for (const [options, code] of cases) {
      const res = await send(hire, options);
      expect(res.status, code).toBe(401);
      expect(await res.json()).toMatchObject({ error: { status: 401, code, problems: [{ path: 'X-Signature', rule: code }] } });
    }
    expect(await server.store.identity.get('E2001')).toBeNull();
  });

  it('refuses a timestamp more than 300 s off (401 signature-stale), even when correctly signed', async () => {
    for (const t of [nowSeconds() - 400, nowSeconds() + 400]) {
      const res = await send(hire, { t });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'signature-stale' } });
    }
    expect((await send(hire, { t: nowSeconds() - 200 })).status).toBe(200);
  });

  it('terminates with only an employee_id, keeping the rest of the stored row', async () => {
    await send(hire);
    const res = await send({ event_id: 'ev-term-1', type: 'terminate', occurred_at: '2026-02-01T17:00:00Z', employee: { employee_id: 'E2001' } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'applied', outcome: 'updated', fields: ['status'] });
    expect(await server.store.identity.get('E2001')).toMatchObject({ status: 'terminated', email: 'dana@acme.example', jobTitle: 'Agent' });
    const [latest] = (await audit('?employee_id=E2001&limit=1')).entries;
    expect(latest).toMatchObject({ action: 'employee.terminated', source: 'hris-event:ev-term-1', details: { changes: { status: { from: 'active', to: 'terminated' } } } });
  });

  it('answers 422 for a terminate of an unknown employee, 400 for an invalid event, 409 for a taken address, 415 for non-JSON', async () => {
    const unknown = await send({ event_id: 'ev-t', type: 'terminate', occurred_at: '2026-02-01T17:00:00Z', employee: { employee_id: 'E404' } });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown-employee' } });

    const invalid = await send({ event_id: '', type: 'fire', occurred_at: 'yesterday', employee: row({ email: 'nope' }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { problems: { path: string }[] } }).error.problems.map((p) => p.path)).toEqual(['event_id', 'type', 'occurred_at']);
    const badRow = await send({ ...hire, event_id: 'ev-bad-row', employee: row({ email: 'nope' }) });
    expect(badRow.status).toBe(400);
    expect(await badRow.json()).toMatchObject({ error: { code: 'invalid-event', problems: [{ path: 'employee.email', rule: 'email-syntax' }] } });

    await send(hire);
    const clash = await send({ ...hire, event_id: 'ev-hire-2', employee: row({ employee_id: 'E2002', email: 'Dana+x@old.acme.example' }) });
    expect(clash.status).toBe(409);
    expect(await clash.json()).toMatchObject({ error: { code: 'identity-key-taken', problems: [{ path: 'employee.email', rule: 'identity-key-taken' }] } });

    expect((await send(hire, { type: 'text/plain' })).status).toBe(415);
  });
});
