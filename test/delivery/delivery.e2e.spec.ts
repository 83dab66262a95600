/**
 * Marketplace push end to end (ARCHITECTURE.md §7): the real LRS on loopback with the projection
 * worker and the deliverer in-process, pushing to the real sandbox marketplace over HTTP.
 * HRIS rows and xAPI statements go in through the HTTP API; what the marketplace received is
 * read from the sandbox.
 */
import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { importEmployees, employeeRow as row } from '../support/hris-csv.js';
import { AUTH_HEADER, xapiFetch, type TestServer } from '../support/server.js';
import type { SandboxMarketplace } from '../../projections/sandbox-marketplace/marketplace.js';
import type { Profile } from '../../src/model/profile.js';
import { deliverySuccess } from '../../projections/delivery/success-rate.js';
import { MARKETPLACE_SECRET, appliedVersions, isIncreasing, pushToSandboxEachTest, pushesFor } from './support.js';
import { sleep, waitFor } from '../support/wait.js';

const ADL = 'http://adlnet.gov/expapi/verbs/';

let sandbox: SandboxMarketplace;
let server: TestServer;
let xapi: ReturnType<typeof xapiFetch>;

const each = pushToSandboxEachTest();
beforeEach(() => {
  ({ sandbox, server } = each);
  xapi = xapiFetch(server);
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.origin}${path}`, { ...init, headers: { Authorization: AUTH_HEADER, ...(init.headers as Record<string, string>) } });

const importRows = (...rows: string[]) => importEmployees(server, ...rows);

async function complete(memberId: string, course: string): Promise<void> {
  const res = await xapi('/statements', {
    method: 'POST',
    json: { actor: { mbox: `mailto:${memberId.toLowerCase()}@acme.example` }, verb: { id: `${ADL}completed` }, object: { id: `https://lms.example.com/courses/${course}` } },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** The newest version of each member in the LRS (after the projection caught up). */
async function newest(memberId: string): Promise<number> {
  await server.projectionIdle();
  return (await server.store.projections.member(memberId))!.version;
}

async function delivered(memberId: string): Promise<void> {
  const version = await newest(memberId);
  await waitFor(`${memberId} v${version} at the marketplace`, async () => (await server.store.delivery.status(memberId))?.deliveredVersion === version);
}

describe('marketplace push, end to end against the sandbox marketplace', () => {
  it('a posted completion reaches the marketplace as a signed PUT of the whole profile; a leaver becomes a DELETE', async () => {
    await importRows(row('E1001'), row('E1002'));
    await complete('E1001', 'safety');
    await delivered('E1001');
    const version = await newest('E1001');
    const held = sandbox.state.profiles.get('E1001') as unknown as Profile;
    expect(held.version).toBe(version);
    expect(held.completions.map((c) => c.activity_id)).toEqual(['https://lms.example.com/courses/safety']);
    // Exactly what the profiles API serves.
    expect(held).toEqual(await (await api('/marketplace/v1/profiles/E1001')).json());

    const put = pushesFor(sandbox, 'E1001').find((p) => p.version === version && p.applied)!;
    expect(put).toMatchObject({ method: 'PUT', idempotency_key: `E1001:${version}`, content_type: 'application/json', status: 200 });
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(put.signature ?? '') ?? [];
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
    expect(v1).toBe(createHmac('sha256', MARKETPLACE_SECRET).update(`${t}.${put.body}`).digest('hex'));
    expect(JSON.parse(put.body)).toEqual(held);

    await importRows(row('E1002', 'terminated'));
    await delivered('E1002');
    expect(sandbox.state.profiles.has('E1002')).toBe(false);
    const del = pushesFor(sandbox, 'E1002').at(-1)!;
    expect(del).toMatchObject({ method: 'DELETE', version: await newest('E1002'), applied: true, body: '' });
    expect(await (await fetch(`${sandbox.url}/_held/E1002`)).json()).toEqual({ error: 'not-found', deleted_version: await newest('E1002') });
  });

  it('a marketplace down for a while (500), then back, receives every member\'s newest version: nothing lost, nothing out of order', async () => {
    sandbox.setFaults({ mode: '500' });
    const members = ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'];
    await importRows(...members.map((m) => row(m)));
    for (const wave of ['a', 'b', 'c']) {
      for (const m of members) await complete(m, `${wave}-${m}`);
      await server.projectionIdle();
      await sleep(100);
    }
    await waitFor('retries during the outage', async () => {
      for (const m of members) if (((await server.store.delivery.status(m))?.attempts ?? 0) < 2) return false;
      return true;
    });
    expect(appliedVersions(sandbox).size).toBe(0);
    expect((await server.store.delivery.status('E1'))?.lastError).toMatch(/^HTTP 500/);

    sandbox.setFaults({ mode: 'none' });
    for (const m of members) await delivered(m);
    const applied = appliedVersions(sandbox);
    for (const m of members) {
      const versions = applied.get(m) ?? [];
      expect(isIncreasing(versions), `${m}: ${versions.join(',')}`).toBe(true);
      expect(versions.at(-1)).toBe(await newest(m));
      // Coalesced: the versions made during the outage were never sent, only the newest.
      expect(versions).toEqual([await newest(m)]);
      expect((sandbox.state.profiles.get(m) as unknown as Profile).completions).toHaveLength(3);
    }
    expect(await server.store.delivery.deadLetters({ limit: 10 })).toEqual([]);
    expect(sandbox.state.log.filter((p) => p.status === 409)).toEqual([]);
    // The success rate: every member got through, none at its first attempt; each 500 answered counts as a failed attempt.
    const faulted = sandbox.state.log.filter((p) => p.fault === '500').length;
    expect(await deliverySuccess(server.store.delivery, 24, Date.now())).toEqual({
      window_hours: 24,
      concluded: 6,
      delivered_first_attempt: 0,
      delivered_after_retry: 6,
      dead_lettered: 0,
      failed_attempts: faulted,
      first_attempt_pct: 0,
      eventual_pct: 100,
    });
  });

  it('a 429 with Retry-After is honoured before the next attempt', async () => {
    await importRows(row('E1001'));
    await delivered('E1001');
    sandbox.setFaults({ mode: '429', retryAfter: 1, count: 1 });
    await complete('E1001', 'safety');
    await delivered('E1001');
    const pushes = pushesFor(sandbox, 'E1001');
    const limited = pushes.findIndex((p) => p.status === 429);
    expect(limited).toBeGreaterThan(0);
    const next = pushes[limited + 1]!;
    expect(next).toMatchObject({ status: 200, applied: true, version: pushes[limited]!.version });
    const gap = Date.parse(next.at) - Date.parse(pushes[limited]!.at);
    // The backoff alone would have waited 20 ms.
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(gap).toBeLessThan(3000);
  });

  it('a permanent 400 goes to the DLQ at once; after the fault is switched off a redrive delivers the newest version', async () => {
    await importRows(row('E1001'), row('E1002'));
    await delivered('E1001');
    await delivered('E1002');
    sandbox.setFaults({ mode: '400' });
    await complete('E1001', 'safety');
    const version = await newest('E1001');

    const dlq = async () => (await (await api('/admin/v1/dlq')).json()) as { entries: Record<string, unknown>[]; next: string | null };
    await waitFor('the DLQ entry', async () => (await dlq()).entries.length === 1);
    const [entry] = (await dlq()).entries;
    expect(entry).toMatchObject({ id: 'E1001', member_id: 'E1001', published_id: 'E1001', version, attempts: 1 });
    expect(entry!.last_error).toMatch(/^HTTP 400/);
    expect(entry!.payload_sample).toContain('"member_id":"E1001"');
    expect(Date.parse(entry!.dead_lettered_at as string)).toBeGreaterThan(Date.now() - 60_000);
    expect((await fetch(`${server.origin}/admin/v1/dlq`)).status).toBe(401);

    // Not retried on its own, even once the marketplace is fine again.
    sandbox.setFaults({ mode: 'none' });
    await sleep(300);
    expect(pushesFor(sandbox, 'E1001').filter((p) => p.version === version)).toHaveLength(1);
    expect(sandbox.state.profiles.get('E1001')).toMatchObject({ version: version - 1 });

    // A newer version made meanwhile is the one the redrive delivers.
    await complete('E1001', 'first-aid');
    await sleep(200); // pending, so the deliverer sends it: the dead letter stays until then
    await delivered('E1001');
    expect((await dlq()).entries).toEqual([]);

    // Redrive one, then all.
    sandbox.setFaults({ mode: '400' });
    await complete('E1001', 'fire');
    await complete('E1002', 'fire');
    await waitFor('two DLQ entries', async () => (await dlq()).entries.length === 2);
    sandbox.setFaults({ mode: 'none' });
    expect((await api('/admin/v1/dlq/E404/redrive', { method: 'POST' })).status).toBe(404);
    const one = await api('/admin/v1/dlq/E1001/redrive', { method: 'POST' });
    expect(await one.json()).toEqual({ redriven: 1, id: 'E1001' });
    await delivered('E1001');
    expect((await dlq()).entries.map((e) => e.id)).toEqual(['E1002']);
    expect(await (await api('/admin/v1/dlq/redrive', { method: 'POST' })).json()).toEqual({ redriven: 1 });
    await delivered('E1002');
    expect((await dlq()).entries).toEqual([]);
    for (const [m, versions] of appliedVersions(sandbox)) expect(isIncreasing(versions), `${m}: ${versions.join(',')}`).toBe(true);
  });
});
