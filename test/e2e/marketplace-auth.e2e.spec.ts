/**
 * The marketplace API under OAuth2 over real HTTP, with the projection worker in-process:
 * profile reads filtered to the token's scopes, and badge write-back through the LRS reaching
 * the profile by the normal fold (with and without HRIS_ACCOUNT_HOMEPAGE).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_HEADER, startTestServer, type TestServer } from '../support/server.js';
import { createClient } from '../../src/auth/clients.js';
import type { Scope } from '../../src/auth/scopes.js';
import { BADGE_ASSERTION_EXTENSION, EARNED_VERB } from '../../projections/marketplace-api/badges.js';

const CSV = [
  'employee_id,email,secondary_emails,given_name,family_name,department,manager_id,job_title,worker_type,status',
  'E1001,Ana.Lopez@acme.example,,Ana,López,Engineering,,Engineer,employee,active',
].join('\n');
const COURSE = 'https://lms.example.com/courses/typescript-advanced';
const BADGE = 'https://badges.acme.example/typescript-champion';
const at = (hour: number) => new Date(Date.UTC(2026, 10, 2, hour)).toISOString();

let server: TestServer;
afterEach(async () => server.close());

async function start(hrisAccountHomePage: string | undefined): Promise<void> {
  server = await startTestServer({ projection: true, hris: { identity: { hrisAccountHomePage, emailDomainAliases: new Map() }, webhookSecret: undefined } });
  const imported = await fetch(`${server.origin}/hris/v1/employees`, { method: 'POST', headers: { Authorization: AUTH_HEADER, 'Content-Type': 'text/csv' }, body: CSV });
  expect(imported.status).toBe(200);
}

async function token(scopes: Scope[]): Promise<{ authorization: string; clientId: string }> {
  const { client, secret } = await createClient({ clients: server.store.clients, oauth: server.store.oauth, now: () => new Date().toISOString() }, { name: 'marketplace', scopes });
  const res = await fetch(`${server.origin}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret }).toString(),
  });
  expect(res.status).toBe(200);
  return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}`, clientId: client.id };
}

const get = (path: string, authorization: string) => fetch(`${server.origin}${path}`, { headers: { Authorization: authorization } });

async function postBadge(authorization: string, body: unknown): Promise<Response> {
  return fetch(`${server.origin}/marketplace/v1/badges`, { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

describe('profile reads are filtered by scope', () => {
  it('returns only the sections each scope allows; no read scope is a 403', async () => {
    await start('https://hris.acme.example');
    const lrs = { 'X-Experience-API-Version': '1.0.3', Authorization: AUTH_HEADER, 'Content-Type': 'application/json' };
    const statements = [
      { actor: { mbox: 'mailto:ana.lopez@acme.example' }, verb: { id: 'http://adlnet.gov/expapi/verbs/passed' }, object: { id: COURSE }, result: { score: { scaled: 0.9 }, completion: true }, timestamp: at(9) },
      { actor: { mbox: 'mailto:ana.lopez@acme.example' }, verb: { id: EARNED_VERB }, object: { id: BADGE }, timestamp: at(10) },
    ];
    expect((await fetch(`${server.endpoint}/statements`, { method: 'POST', headers: lrs, body: JSON.stringify(statements) })).status).toBe(200);
    await server.projectionIdle();

    const read = async (scopes: Scope[]) => {
      const res = await get('/marketplace/v1/profiles/E1001', (await token(scopes)).authorization);
      expect(res.status).toBe(200);
      return Object.keys((await res.json()) as object).sort();
    };
    const always = ['mapping_version', 'member_id', 'updated_at', 'version'];
    expect(await read(['read:completions'])).toEqual([...always, 'completions'].sort());
    expect(await read(['read:scores', 'read:badges'])).toEqual([...always, 'badges', 'scores'].sort());
    expect(await read(['read:profile'])).toEqual([...always, 'certificates', 'email', 'enrollments', 'skills', 'status'].sort());
    expect(await read(['read:profile', 'read:completions', 'read:scores', 'read:badges'])).toEqual(Object.keys((await (await get('/marketplace/v1/profiles/E1001', AUTH_HEADER)).json()) as object).sort());

    const list = (await (await get('/marketplace/v1/profiles', (await token(['read:badges'])).authorization)).json()) as { profiles: Record<string, unknown>[] };
    expect(list.profiles).toEqual([{ member_id: 'E1001', version: expect.any(Number), mapping_version: 'lms-marketplace@1', updated_at: expect.any(String), badges: [expect.objectContaining({ badge_id: BADGE })] }]);

    const denied = await get('/marketplace/v1/profiles/E1001', (await token(['write:badge', 'admin'])).authorization);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'insufficient_scope',
      message: 'Reading profiles needs scope one of: read:profile, read:completions, read:scores, read:badges; the credential does not have it.',
    });
  });
});

describe('POST /marketplace/v1/badges', () => {
  it('records an Open Badges earned statement, with the client as authority, that reaches the profile (HRIS account actor)', async () => {
    await start('https://hris.acme.example');
    const { authorization, clientId } = await token(['write:badge', 'read:badges']);
    const assertion = { id: 'https://badges.acme.example/assertions/42', type: 'Assertion' };
    const res = await postBadge(authorization, { member_id: 'E1001', badge_id: BADGE, name: 'TypeScript Champion', assertion, issued_at: '2026-11-02T12:00:00+01:00' });
    expect(res.status, await res.clone().text()).toBe(201);
    const { statement_id } = (await res.json()) as { statement_id: string };

    const stored = (await (await fetch(`${server.endpoint}/statements?statementId=${statement_id}`, { headers: { 'X-Experience-API-Version': '1.0.3', Authorization: AUTH_HEADER } })).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({
      actor: { objectType: 'Agent', account: { homePage: 'https://hris.acme.example', name: 'E1001' } },
      verb: { id: EARNED_VERB },
      object: { objectType: 'Activity', id: BADGE, definition: { type: 'http://activitystrea.ms/schema/1.0/badge', name: { 'en-US': 'TypeScript Champion' } } },
      result: { extensions: { [BADGE_ASSERTION_EXTENSION]: assertion } },
      authority: { account: { homePage: 'urn:lrs:client', name: clientId } },
    });

    await server.projectionIdle();
    const profile = (await (await get('/marketplace/v1/profiles/E1001', authorization)).json()) as { badges: unknown[] };
    expect(profile.badges).toEqual([{ badge_id: BADGE, name: 'TypeScript Champion', issued_at: '2026-11-02T11:00:00.000Z', assertion }]);

    // A retry of the same award stores nothing new.
    const again = await postBadge(authorization, { member_id: 'E1001', badge_id: BADGE, name: 'TypeScript Champion', assertion, issued_at: '2026-11-02T12:00:00+01:00' });
    expect(((await again.json()) as { statement_id: string }).statement_id).toBe(statement_id);
  });

  it('uses the member\'s email as actor when no HRIS account home page is configured', async () => {
    await start(undefined);
    const { authorization } = await token(['write:badge', 'read:badges']);
    expect((await postBadge(authorization, { member_id: 'E1001', badge_id: BADGE, name: 'TypeScript Champion' })).status).toBe(201);
    await server.projectionIdle();
    const profile = (await (await get('/marketplace/v1/profiles/E1001', authorization)).json()) as { badges: { badge_id: string; assertion: unknown }[] };
    expect(profile.badges).toEqual([expect.objectContaining({ badge_id: BADGE, name: 'TypeScript Champion', assertion: null })]);
  });

  it('answers 404 for an unknown member, 400 naming bad fields, 403 without write:badge', async () => {
    await start('https://hris.acme.example');
    const { authorization } = await token(['write:badge']);
    const unknown = await postBadge(authorization, { member_id: 'E9999', badge_id: BADGE, name: 'X' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown-member');

    const bad = await postBadge(authorization, { member_id: '', badge_id: 'not an iri', name: 7, issued_at: 'yesterday', assertion: 3, extra: true });
    expect(bad.status).toBe(400);
    const problems = ((await bad.json()) as { error: { problems: { path: string }[] } }).error.problems.map((p) => p.path).sort();
    expect(problems).toEqual(['assertion', 'badge_id', 'extra', 'issued_at', 'member_id', 'name']);

    const reader = await token(['read:badges']);
    expect((await postBadge(reader.authorization, { member_id: 'E1001', badge_id: BADGE, name: 'X' })).status).toBe(403);
  });
});
