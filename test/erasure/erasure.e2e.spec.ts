/**
 * Erasure end to end (ARCHITECTURE.md §11): the real LRS on loopback with its projection worker,
 * erasure runner and deliverer pushing to the real sandbox marketplace. A member with statements
 * under four identity variants (HRIS account, primary and secondary email, mbox_sha1sum), one
 * with an attachment sent by @xapi/xapi, a state document and an agent profile is erased over
 * the admin API; afterwards nothing of them is readable, the other member is unchanged to the
 * byte, nothing brings them back (a late statement, the HRIS row again, an import of an export
 * taken before, a rebuild, a replay), and the SQLite files hold none of their bytes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import XAPIModule from '@xapi/xapi';
import type { Statement } from '@xapi/xapi';
import { AUTH_HEADER, TEST_KEY, TEST_SECRET, xapiFetch, type TestServer } from '../support/server.js';
import { HRIS_HEADER } from '../support/hris-csv.js';
import type { SandboxMarketplace } from '../../projections/sandbox-marketplace/marketplace.js';
import { pushToSandboxEachTest } from '../delivery/support.js';
import { waitFor } from '../support/wait.js';
import { runLrs } from '../support/lrs-cli.js';

const XAPI = XAPIModule.default;
const HOME = 'https://hris.acme.example';
const ADL = 'http://adlnet.gov/expapi/verbs/';
const COURSE = 'https://acme.example/courses/privacy';

// Distinctive spellings, so that a scan of the files finds them only if they are really there.
const ANA = { id: 'E7301', email: 'anais.quintanilla@acme.example', secondary: 'a.quintanilla@old.acme.example', given: 'Anaïs', family: 'Quintanilla-Vidal' };
const BOB = { id: 'E7302', email: 'bob.okonkwo@acme.example' };
const hrisRow = (p: { id: string; email: string; secondary?: string; given?: string; family?: string }) =>
  `${p.id},${p.email},${p.secondary ?? ''},${p.given ?? 'Bob'},${p.family ?? 'Okonkwo'},Legal,,Counsel,employee,active`;

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const ANA_ACTORS = [
  { objectType: 'Agent', account: { homePage: HOME, name: ANA.id } },
  { objectType: 'Agent', mbox: `mailto:${ANA.email}` },
  { objectType: 'Agent', mbox: `mailto:${ANA.secondary}` },
  { objectType: 'Agent', mbox_sha1sum: sha1(`mailto:${ANA.email}`) },
];
const BOB_ACTOR = { objectType: 'Agent', mbox: `mailto:${BOB.email}` };

let sandbox: SandboxMarketplace;
let server: TestServer;
const each = pushToSandboxEachTest({ hris: { identity: { hrisAccountHomePage: HOME, emailDomainAliases: new Map([['old.acme.example', 'acme.example']]) }, webhookSecret: undefined } });
beforeEach(() => {
  ({ sandbox, server } = each);
});

const api = (p: string, init: RequestInit = {}) => fetch(`${server.origin}${p}`, { ...init, headers: { Authorization: AUTH_HEADER, ...(init.headers as Record<string, string>) } });
const postHris = (...rows: string[]) => api('/hris/v1/employees', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: [HRIS_HEADER, ...rows].join('\n') });
const completed = (actor: unknown, course = COURSE) => ({ actor, verb: { id: `${ADL}completed` }, object: { objectType: 'Activity', id: course }, result: { completion: true } });
const agentParam = (actor: unknown) => encodeURIComponent(JSON.stringify(actor));

/** Everything a reader can see of Bob: his statements as stored, his state document, his profile. */
async function bobSeen(): Promise<string[]> {
  const xapi = xapiFetch(server);
  return [
    await (await xapi(`/statements?agent=${agentParam(BOB_ACTOR)}&format=exact`)).text(),
    await (await xapi(`/activities/state?activityId=${encodeURIComponent(COURSE)}&agent=${agentParam(BOB_ACTOR)}&stateId=bookmark`)).text(),
    await (await api(`/marketplace/v1/profiles/${BOB.id}`)).text(),
  ];
}

async function settled(): Promise<void> {
  await server.projectionIdle();
  await waitFor('every member delivered', async () => (await server.store.delivery.pendingCount()) === 0);
}

/** The byte strings of a person the files must not hold. */
const needles = [ANA.email, ANA.secondary, ANA.given, ANA.family, ANA.id, `mailto:${ANA.email}`].map((s) => Buffer.from(s, 'utf8'));

function bytesFound(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const bytes = fs.readFileSync(file);
  return needles.filter((n) => bytes.includes(n)).map((n) => `${path.basename(file)}: ${n.toString('utf8')}`);
}

describe('erasure of a member, end to end', () => {
  it('removes every copy, leaves others as they were, brings nothing back and leaves no byte in the files', async () => {
    expect((await postHris(hrisRow(ANA), hrisRow(BOB))).status).toBe(200);
    const xapi = xapiFetch(server);
    for (const actor of [...ANA_ACTORS, BOB_ACTOR]) expect((await xapi('/statements', { method: 'POST', json: completed(actor) })).status).toBe(200);
    const certificate = new TextEncoder().encode('certificate of Anaïs Quintanilla-Vidal');
    const client = new XAPI({ endpoint: server.endpoint, auth: XAPI.toBasicAuth(TEST_KEY, TEST_SECRET), version: '1.0.3', adapter: 'fetch' });
    await client.sendStatement({
      statement: {
        ...(completed(ANA_ACTORS[1], 'https://acme.example/courses/gdpr') as unknown as Statement),
        attachments: [{ usageType: XAPI.AttachmentUsages.CERTIFICATE_OF_COMPLETION, display: { 'en-US': 'Certificate' }, contentType: 'text/plain', length: certificate.byteLength, sha2: createHash('sha256').update(certificate).digest('hex') }],
      },
      attachments: [certificate.buffer as ArrayBuffer],
    });
    const state = (actor: unknown) => `/activities/state?activityId=${encodeURIComponent(COURSE)}&agent=${agentParam(actor)}&stateId=bookmark`;
    expect((await xapi(state(ANA_ACTORS[1]), { method: 'PUT', json: { page: 7, note: ANA.family } })).status).toBe(204);
    expect((await xapi(state(BOB_ACTOR), { method: 'PUT', json: { page: 3 } })).status).toBe(204);
    const agentProfile = `/agents/profile?agent=${agentParam(ANA_ACTORS[0])}&profileId=preferences`;
    expect((await xapi(agentProfile, { method: 'POST', json: { name: ANA.given } })).status).toBe(204);
    await settled();
    expect(sandbox.state.profiles.has(ANA.id)).toBe(true);
    const bobBefore = await bobSeen();

    // An export taken before the erasure.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrs-erasure-'));
    const exported = path.join(dir, 'before.ndjson');
    const env = { SQLITE_PATH: server.sqlitePath, HRIS_ACCOUNT_HOMEPAGE: HOME, EMAIL_DOMAIN_ALIASES: 'old.acme.example=acme.example', LOG_LEVEL: 'silent' };
    expect((await runLrs(['export', 'statements', '--out', exported], env)).code).toBe(0);

    const asked = await api('/admin/v1/erasures', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ member_id: ANA.id }) });
    expect(asked.status, await asked.clone().text()).toBe(202);
    const { id } = (await asked.json()) as { id: string };
    expect(asked.headers.get('Location')).toBe(`/admin/v1/erasures/${id}`);
    let erasure: Record<string, unknown> = {};
    await waitFor('the erasure done', async () => {
      erasure = (await (await api(`/admin/v1/erasures/${id}`)).json()) as Record<string, unknown>;
      return erasure.status === 'done';
    });
    expect(erasure).toMatchObject({
      id,
      member_id: null,
      requested_by: `api:${TEST_KEY}`,
      counts: { statements: 5, attachments: 1, documents: 2, profiles: 1, identity_keys: expect.any(Number), audit_entries_redacted: expect.any(Number) },
    });
    expect(JSON.stringify(erasure)).not.toContain(ANA.email);

    // Nothing of Ana can be read; the marketplace got the DELETE.
    for (const actor of ANA_ACTORS) {
      expect(((await (await xapi(`/statements?agent=${agentParam(actor)}`)).json()) as { statements: unknown[] }).statements).toEqual([]);
    }
    expect((await xapi(state(ANA_ACTORS[1]))).status).toBe(404);
    expect((await xapi(agentProfile)).status).toBe(404);
    expect((await api(`/marketplace/v1/profiles/${ANA.id}`)).status).toBe(404);
    expect(((await (await api('/marketplace/v1/profiles')).json()) as { profiles: { member_id: string }[] }).profiles.map((p) => p.member_id)).toEqual([BOB.id]);
    expect((await (await api(`/hris/v1/audit?employee_id=${ANA.id}`)).json()).entries).toEqual([]);
    expect(sandbox.state.profiles.has(ANA.id)).toBe(false);
    expect(sandbox.state.deleted.has(ANA.id)).toBe(true);
    expect(await bobSeen()).toEqual(bobBefore);

    // Nothing brings her back: a late statement, her HRIS row again, the old export, a rebuild, a replay.
    const late = await xapi('/statements', { method: 'POST', json: completed(ANA_ACTORS[2]) });
    expect(late.status).toBe(403);
    expect(await late.json()).toMatchObject({ error: { code: 'erased-identity', problems: [{ path: 'statement.actor', rule: 'not-erased' }] } });
    const again = await postHris(hrisRow(ANA));
    expect(((await again.json()) as { erased?: number[]; applied: number })).toMatchObject({ applied: 0, erased: [1] });
    const imported = await runLrs(['import', 'statements', exported], env);
    const report = JSON.parse(imported.stdout) as { imported: number; unchanged: number; rejected: { rule: string }[] };
    expect(report).toMatchObject({ imported: 0, unchanged: 1 });
    expect(report.rejected.map((r) => r.rule)).toEqual(['not-erased', 'not-erased', 'not-erased', 'not-erased', 'not-erased']);
    expect((await runLrs(['rebuild'], env)).code).toBe(0);
    const replayed = await runLrs(['replay'], env);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).not.toContain(ANA.id);
    await settled();
    expect((await api(`/marketplace/v1/profiles/${ANA.id}`)).status).toBe(404);
    expect(await server.store.identity.get(ANA.id)).toBeNull();
    expect(await bobSeen()).toEqual(bobBefore);
    expect(sandbox.state.profiles.has(ANA.id)).toBe(false);

    const found: string[] = [];
    await server.close((sqlitePath) => {
      for (const file of [sqlitePath, `${sqlitePath}-wal`]) found.push(...bytesFound(file));
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(found).toEqual([]);
  });
});
