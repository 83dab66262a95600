/**
 * Contract tests of schemas/openapi.json: the real server over HTTP (projection worker in-process,
 * an HRIS import, statements, OAuth tokens), each response body validated against the schema the
 * document gives for its path, method and status (ajv, JSON Schema 2020-12, with formats).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { AUTH_HEADER, startTestServer, type TestServer } from '../support/server.js';
import { createClient } from '../../src/auth/clients.js';
import type { Scope } from '../../src/auth/scopes.js';
import { signatureHeader } from '../../projections/hris/signature.js';
import { EARNED_VERB } from '../../projections/marketplace-api/badges.js';

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

const DOC_ID = 'https://lrs.local/schemas/openapi.json';
const SECRET = 'contract-webhook-secret';
const document = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../schemas/openapi.json'), 'utf8')) as OpenApi;

interface ResponseObject {
  $ref?: string;
  description?: string;
  content?: Record<string, { schema?: unknown; 'x-line-schema'?: unknown }>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
  parameters?: { $ref?: string; name?: string; in?: string }[];
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, ResponseObject>; schemas: Record<string, unknown> };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// The whole document is added as a schema so that `#/components/schemas/…` references resolve.
ajv.addSchema({ ...document, $id: DOC_ID });

const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Where the document says what answers `method path` with `status`: the JSON pointer of its
 * schema and the media type (JSON, or NDJSON whose every line must match `x-line-schema`), or
 * null for a body-less response.
 */
function responseSchemaPointer(apiPath: string, method: string, status: number): { pointer: string; ndjson: boolean } | null {
  const operation = document.paths[apiPath]?.[method.toLowerCase()];
  if (!operation) throw new Error(`the document has no ${method} ${apiPath}`);
  let pointer = `/paths/${escape(apiPath)}/${method.toLowerCase()}/responses/${status}`;
  let response = operation.responses[String(status)];
  if (!response) throw new Error(`${method} ${apiPath} answered ${status}, which the document does not list (${Object.keys(operation.responses).join(', ')})`);
  if (response.$ref) {
    const name = response.$ref.replace('#/components/responses/', '');
    pointer = `/components/responses/${escape(name)}`;
    response = document.components.responses[name];
    if (!response) throw new Error(`dangling ${pointer}`);
  }
  if (!response.content) return null;
  if (response.content['application/x-ndjson']?.['x-line-schema']) return { pointer: `${pointer}/content/application~1x-ndjson/x-line-schema`, ndjson: true };
  if (!response.content['application/json']?.schema) throw new Error(`${pointer} has no application/json schema`);
  return { pointer: `${pointer}/content/application~1json/schema`, ndjson: false };
}

/** Asserts the response is documented for `method apiPath` and its body matches the schema; returns the body (NDJSON: its lines). */
async function conforms(res: Response, apiPath: string, method: string): Promise<unknown> {
  const found = responseSchemaPointer(apiPath, method, res.status);
  const text = await res.text();
  if (found === null) {
    expect(text).toBe('');
    return undefined;
  }
  expect(res.headers.get('Content-Type') ?? '').toMatch(found.ndjson ? /^application\/x-ndjson/ : /^application\/json/);
  const validate = ajv.getSchema(`${DOC_ID}#${found.pointer}`);
  if (!validate) throw new Error(`cannot compile ${found.pointer}`);
  const bodies = found.ndjson ? text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown) : [JSON.parse(text) as unknown];
  for (const body of bodies) {
    if (!validate(body)) throw new Error(`${method} ${apiPath} ${res.status} does not match ${found.pointer}: ${ajv.errorsText(validate.errors)}\n${text}`);
  }
  return found.ndjson ? bodies : bodies[0];
}

const CSV = [
  'employee_id,email,secondary_emails,given_name,family_name,department,manager_id,job_title,worker_type,status',
  'E1001,Ana.Lopez@acme.example,,Ana,López,Engineering,,Engineer,employee,active',
  'E1002,bo.chen@acme.example,,Bo,Chen,Sales,E1001,Rep,employee,active',
  'E1003,not-an-email,,Cy,Doe,Sales,,Rep,employee,active',
].join('\n');
const COURSE = 'https://lms.example.com/courses/typescript-advanced';
const BADGE = 'https://badges.acme.example/typescript-champion';

let server: TestServer;
let importResponse: Response;

const url = (p: string) => `${server.origin}${p}`;
const get = (p: string, authorization?: string) => fetch(url(p), { headers: authorization ? { Authorization: authorization } : {} });
const postJson = (p: string, body: unknown, authorization = AUTH_HEADER) =>
  fetch(url(p), { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const postForm = (p: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url(p), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

async function client(scopes: Scope[]): Promise<{ id: string; secret: string }> {
  const { client: record, secret } = await createClient({ clients: server.store.clients, oauth: server.store.oauth, now: () => new Date().toISOString() }, { name: 'contract', scopes });
  return { id: record.id, secret };
}

async function bearer(scopes: Scope[]): Promise<string> {
  const { id, secret } = await client(scopes);
  const res = await postForm('/oauth/token', { grant_type: 'client_credentials', client_id: id, client_secret: secret });
  const body = (await conforms(res, '/oauth/token', 'POST')) as { access_token: string };
  expect(res.status).toBe(200);
  return `Bearer ${body.access_token}`;
}

beforeAll(async () => {
  server = await startTestServer({ projection: true, hris: { identity: { hrisAccountHomePage: undefined, emailDomainAliases: new Map() }, webhookSecret: SECRET } });
  importResponse = await fetch(url('/hris/v1/employees'), { method: 'POST', headers: { Authorization: AUTH_HEADER, 'Content-Type': 'text/csv' }, body: CSV });
  const statements = [
    { actor: { mbox: 'mailto:ana.lopez@acme.example' }, verb: { id: 'http://adlnet.gov/expapi/verbs/passed' }, object: { id: COURSE, definition: { name: { 'en-US': 'TypeScript' } } }, result: { score: { scaled: 0.9 }, completion: true }, timestamp: '2026-11-02T09:00:00.000Z' },
    { actor: { mbox: 'mailto:ana.lopez@acme.example' }, verb: { id: EARNED_VERB }, object: { id: BADGE }, timestamp: '2026-11-02T10:00:00.000Z' },
    { actor: { mbox: 'mailto:bo.chen@acme.example' }, verb: { id: 'http://adlnet.gov/expapi/verbs/registered' }, object: { id: COURSE }, timestamp: '2026-11-02T11:00:00.000Z' },
  ];
  const stored = await fetch(`${server.endpoint}/statements`, { method: 'POST', headers: { 'X-Experience-API-Version': '1.0.3', Authorization: AUTH_HEADER, 'Content-Type': 'application/json' }, body: JSON.stringify(statements) });
  expect(stored.status).toBe(200);
  await server.projectionIdle();
});
afterAll(async () => server?.close());

describe('the document', () => {
  it('is served at GET /openapi.json without credentials, as stored', async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(document);
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it('resolves every schema reference it makes', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const name of Object.keys(document.components.schemas)) expect(ajv.getSchema(`${DOC_ID}#/components/schemas/${escape(name)}`)).toBeTypeOf('function');
  });

  it('rejects bodies that break it (the validation is not vacuous)', () => {
    const validate = (pointer: string, body: unknown) => ajv.getSchema(`${DOC_ID}#${pointer}`)?.(body);
    const profile = responseSchemaPointer('/marketplace/v1/profiles/{member_id}', 'GET', 200)?.pointer ?? '';
    const error = responseSchemaPointer('/marketplace/v1/profiles/{member_id}', 'GET', 404)?.pointer ?? '';
    const ok = { member_id: 'E1', version: 1, mapping_version: 'm@1', updated_at: '2026-11-27T10:00:00.000Z' };
    expect(validate(profile, ok)).toBe(true);
    expect(validate(profile, { ...ok, extra: 1 })).toBe(false);
    expect(validate(profile, { ...ok, updated_at: 'yesterday' })).toBe(false);
    expect(validate(profile, { ...ok, scores: [{ activity_id: 'a', score: 101, best: 101, attempts: 1, scored_at: ok.updated_at }] })).toBe(false);
    expect(validate(error, { error: { status: 404, message: 'x' } })).toBe(false);
    expect(() => responseSchemaPointer('/oauth/token', 'POST', 500)).toThrow(/does not list/);
  });

  it('lists only paths the server has: a basic request to each is not the "no resource" 404, and its answer conforms', async () => {
    for (const [apiPath, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const concrete = apiPath.replace('{member_id}', 'E1001').replace('{id}', 'nobody');
        const init: RequestInit = { method: method.toUpperCase(), headers: { Authorization: AUTH_HEADER } };
        if (method === 'post') {
          const form = apiPath.startsWith('/oauth/');
          init.headers = { Authorization: AUTH_HEADER, 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' };
          init.body = form ? '' : '{}';
        }
        const res = await fetch(url(concrete), init);
        const body = (await conforms(res, apiPath, method.toUpperCase())) as { error?: { message?: string } } | undefined;
        expect(body?.error?.message ?? '', `${method.toUpperCase()} ${apiPath}`).not.toMatch(/^No resource at/);
      }
    }
  });
});

describe('marketplace', () => {
  it('GET /profiles/{member_id}: 200 with every section (Basic, all) and with only the sections of a narrow token', async () => {
    const full = (await conforms(await get('/marketplace/v1/profiles/E1001', AUTH_HEADER), '/marketplace/v1/profiles/{member_id}', 'GET')) as Record<string, unknown>;
    expect(full).toMatchObject({ member_id: 'E1001', email: 'ana.lopez@acme.example', status: 'active', mapping_version: expect.any(String) });
    expect(full.completions).toHaveLength(1);
    expect(full.scores).toHaveLength(1);
    expect(full.badges).toHaveLength(1);
    const narrow = await get('/marketplace/v1/profiles/E1001', await bearer(['read:badges']));
    expect(narrow.status).toBe(200);
    const filtered = (await conforms(narrow, '/marketplace/v1/profiles/{member_id}', 'GET')) as Record<string, unknown>;
    expect(Object.keys(filtered).sort()).toEqual(['badges', 'mapping_version', 'member_id', 'updated_at', 'version']);
  });

  it('GET /profiles/{member_id}: 404, 401 and 403 are Error bodies', async () => {
    const missing = await get('/marketplace/v1/profiles/E9999', AUTH_HEADER);
    expect(missing.status).toBe(404);
    await conforms(missing, '/marketplace/v1/profiles/{member_id}', 'GET');
    const anonymous = await get('/marketplace/v1/profiles/E1001');
    expect(anonymous.status).toBe(401);
    await conforms(anonymous, '/marketplace/v1/profiles/{member_id}', 'GET');
    const denied = await get('/marketplace/v1/profiles/E1001', await bearer(['write:badge']));
    expect(denied.status).toBe(403);
    expect(await conforms(denied, '/marketplace/v1/profiles/{member_id}', 'GET')).toMatchObject({ error: { code: 'insufficient_scope' } });
  });

  it('GET /profiles: 200 pages with next_cursor, 400 for a bad limit', async () => {
    const first = await get('/marketplace/v1/profiles?limit=1', AUTH_HEADER);
    expect(first.status).toBe(200);
    const page = (await conforms(first, '/marketplace/v1/profiles', 'GET')) as { profiles: unknown[]; next_cursor: string | null };
    expect(page.profiles).toHaveLength(1);
    expect(page.next_cursor).toEqual(expect.any(String));
    const rest = await get(`/marketplace/v1/profiles?cursor=${page.next_cursor ?? ''}`, await bearer(['read:scores', 'read:completions']));
    expect(rest.status).toBe(200);
    expect(await conforms(rest, '/marketplace/v1/profiles', 'GET')).toMatchObject({ next_cursor: null });
    const bad = await get('/marketplace/v1/profiles?limit=0', AUTH_HEADER);
    expect(bad.status).toBe(400);
    expect(await conforms(bad, '/marketplace/v1/profiles', 'GET')).toMatchObject({ error: { code: 'invalid-parameter' } });
  });

  it('POST /badges: 201 (again 201 for a retried award), 400 naming each bad field, 404 for an unknown member', async () => {
    const writer = await bearer(['write:badge']);
    const award = { member_id: 'E1002', badge_id: 'https://badges.acme.example/closer', name: 'Closer', assertion: { id: 'https://badges.acme.example/a/1' }, issued_at: '2026-11-03T10:00:00Z' };
    const created = await postJson('/marketplace/v1/badges', award, writer);
    expect(created.status).toBe(201);
    const first = (await conforms(created, '/marketplace/v1/badges', 'POST')) as { statement_id: string };
    const again = await postJson('/marketplace/v1/badges', award, writer);
    expect(again.status).toBe(201);
    expect(await conforms(again, '/marketplace/v1/badges', 'POST')).toMatchObject({ statement_id: first.statement_id });
    const bad = await postJson('/marketplace/v1/badges', { member_id: '', badge_id: 'not an iri', extra: 1 }, writer);
    expect(bad.status).toBe(400);
    const error = (await conforms(bad, '/marketplace/v1/badges', 'POST')) as { error: { code: string; problems: { path: string }[] } };
    expect(error.error.code).toBe('invalid-badge');
    expect(error.error.problems.map((p) => p.path).sort()).toEqual(['badge_id', 'extra', 'member_id', 'name']);
    const unknown = await postJson('/marketplace/v1/badges', { ...award, member_id: 'E9999' }, writer);
    expect(unknown.status).toBe(404);
    expect(await conforms(unknown, '/marketplace/v1/badges', 'POST')).toMatchObject({ error: { code: 'unknown-member' } });
    await server.projectionIdle();
    const profile = (await conforms(await get('/marketplace/v1/profiles/E1002', AUTH_HEADER), '/marketplace/v1/profiles/{member_id}', 'GET')) as { badges: { badge_id: string }[] };
    expect(profile.badges.map((b) => b.badge_id)).toEqual([award.badge_id]);
  });
});

describe('HRIS', () => {
  it('POST /employees: 200 report with the rejected rows', async () => {
    expect(importResponse.status).toBe(200);
    const report = (await conforms(importResponse, '/hris/v1/employees', 'POST')) as { applied: number; rejected: { row: number; column: string | null }[] };
    expect(report.applied).toBe(2);
    expect(report.rejected).toEqual([expect.objectContaining({ row: 3, column: 'email' })]);
    const dry = await postJson('/hris/v1/employees?dry_run=true', [{ employee_id: 'E2001', email: 'x@acme.example', given_name: 'X', family_name: 'Y', worker_type: 'contractor', status: 'active' }]);
    expect(dry.status).toBe(200);
    expect(await conforms(dry, '/hris/v1/employees', 'POST')).toMatchObject({ created: 1, dry_run: true });
  });

  it('POST /employees: 400 for unusable input, 415 for another media type', async () => {
    const bad = await fetch(url('/hris/v1/employees'), { method: 'POST', headers: { Authorization: AUTH_HEADER, 'Content-Type': 'text/csv' }, body: 'a,b\n1,2' });
    expect(bad.status).toBe(400);
    await conforms(bad, '/hris/v1/employees', 'POST');
    const xml = await fetch(url('/hris/v1/employees'), { method: 'POST', headers: { Authorization: AUTH_HEADER, 'Content-Type': 'application/xml' }, body: '<x/>' });
    expect(xml.status).toBe(415);
    await conforms(xml, '/hris/v1/employees', 'POST');
  });

  it('POST /events: 200 applied and duplicate, 401 for a bad signature; GET /audit: 200', async () => {
    const body = JSON.stringify({ event_id: 'ev-1', type: 'update', occurred_at: '2026-11-04T10:00:00Z', employee: { employee_id: 'E1002', email: 'bo.chen@acme.example', given_name: 'Bo', family_name: 'Chen', worker_type: 'employee', status: 'active', job_title: 'Lead' } });
    const send = (signature: string) => fetch(url('/hris/v1/events'), { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Signature': signature }, body });
    const now = Math.floor(Date.now() / 1000);
    const applied = await send(signatureHeader(SECRET, body, now));
    expect(applied.status).toBe(200);
    expect(await conforms(applied, '/hris/v1/events', 'POST')).toMatchObject({ status: 'applied', outcome: 'updated' });
    const duplicate = await send(signatureHeader(SECRET, body, now));
    expect(await conforms(duplicate, '/hris/v1/events', 'POST')).toMatchObject({ status: 'duplicate' });
    const forged = await send(signatureHeader('wrong', body, now));
    expect(forged.status).toBe(401);
    expect(await conforms(forged, '/hris/v1/events', 'POST')).toMatchObject({ error: { code: 'signature-mismatch' } });
    const audit = await get('/hris/v1/audit?employee_id=E1002&limit=5', AUTH_HEADER);
    expect(audit.status).toBe(200);
    expect(((await conforms(audit, '/hris/v1/audit', 'GET')) as { entries: unknown[] }).entries.length).toBeGreaterThan(0);
  });
});

describe('OAuth', () => {
  it('POST /token: 200 for client_credentials and refresh_token; 401 invalid_client; 400 unsupported_grant_type', async () => {
    const c = await client(['read:profile', 'write:badge']);
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`;
    const issued = await postForm('/oauth/token', { grant_type: 'client_credentials', scope: 'read:profile' }, { Authorization: basic });
    expect(issued.status).toBe(200);
    expect(issued.headers.get('Cache-Control')).toBe('no-store');
    const tokens = (await conforms(issued, '/oauth/token', 'POST')) as { refresh_token: string; scope: string };
    expect(tokens.scope).toBe('read:profile');
    const refreshed = await postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { Authorization: basic });
    expect(refreshed.status).toBe(200);
    await conforms(refreshed, '/oauth/token', 'POST');
    const wrong = await postForm('/oauth/token', { grant_type: 'client_credentials', client_id: c.id, client_secret: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(await conforms(wrong, '/oauth/token', 'POST')).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    const grant = await postForm('/oauth/token', { grant_type: 'password' }, { Authorization: basic });
    expect(grant.status).toBe(400);
    expect(await conforms(grant, '/oauth/token', 'POST')).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('POST /revoke: 200 with no body; GET /.well-known/jwks.json: the ES256 key; GET /admin/v1/oauth/audit: 200', async () => {
    const c = await client(['read:badges']);
    const issued = await postForm('/oauth/token', { grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret });
    const { access_token: token } = (await conforms(issued, '/oauth/token', 'POST')) as { access_token: string };
    const revoked = await postForm('/oauth/revoke', { token, client_id: c.id, client_secret: c.secret });
    expect(revoked.status).toBe(200);
    await conforms(revoked, '/oauth/revoke', 'POST');
    const jwks = await get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(((await conforms(jwks, '/.well-known/jwks.json', 'GET')) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    const audit = await get(`/admin/v1/oauth/audit?client_id=${encodeURIComponent(c.id)}`, AUTH_HEADER);
    expect(audit.status).toBe(200);
    expect(((await conforms(audit, '/admin/v1/oauth/audit', 'GET')) as { entries: { event: string }[] }).entries.map((e) => e.event)).toContain('token.revoked');
  });
});

describe('admin: statement export', () => {
  it('GET /exports/statements streams every stored statement as NDJSON lines; 400 for a bad bound; 403 without scope admin', async () => {
    const all = await get('/admin/v1/exports/statements', AUTH_HEADER);
    expect(all.status).toBe(200);
    const lines = (await conforms(all, '/admin/v1/exports/statements', 'GET')) as { actor: { mbox: string } }[];
    // The set-up's statements first, in stored order; the badge awards of earlier cases after them.
    expect(lines.slice(0, 3).map((l) => l.actor.mbox)).toEqual(['mailto:ana.lopez@acme.example', 'mailto:ana.lopez@acme.example', 'mailto:bo.chen@acme.example']);
    const ana = await get(`/admin/v1/exports/statements?agent=${encodeURIComponent('{"mbox":"mailto:ana.lopez@acme.example"}')}`, AUTH_HEADER);
    const anas = (await conforms(ana, '/admin/v1/exports/statements', 'GET')) as { actor: { mbox: string } }[];
    expect(anas.map((l) => l.actor.mbox)).toEqual(['mailto:ana.lopez@acme.example', 'mailto:ana.lopez@acme.example']);
    const bad = await get('/admin/v1/exports/statements?since=yesterday', AUTH_HEADER);
    expect(bad.status).toBe(400);
    await conforms(bad, '/admin/v1/exports/statements', 'GET');
    const denied = await get('/admin/v1/exports/statements', await bearer(['read:profile']));
    expect(denied.status).toBe(403);
    await conforms(denied, '/admin/v1/exports/statements', 'GET');
  });
});

describe('admin: dead-letter queue', () => {
  it('GET /dlq lists a dead letter; redrive one (200, then 404) and all; 403 without scope admin', async () => {
    await server.store.delivery.claim('E1001', { token: 'contract', now: 0, until: 1 });
    await server.store.delivery.markDead('E1001', 'contract', { version: 1, attempts: 8, lastError: 'HTTP 503', payloadSample: '{"member_id":"E1001"', at: '2026-11-27T10:00:00.000Z' });
    const list = await get('/admin/v1/dlq?limit=10', AUTH_HEADER);
    expect(list.status).toBe(200);
    expect(await conforms(list, '/admin/v1/dlq', 'GET')).toMatchObject({ entries: [{ id: 'E1001', last_error: 'HTTP 503' }], next: null });
    const one = await fetch(url('/admin/v1/dlq/E1001/redrive'), { method: 'POST', headers: { Authorization: AUTH_HEADER } });
    expect(one.status).toBe(200);
    expect(await conforms(one, '/admin/v1/dlq/{id}/redrive', 'POST')).toEqual({ redriven: 1, id: 'E1001' });
    const gone = await fetch(url('/admin/v1/dlq/E1001/redrive'), { method: 'POST', headers: { Authorization: AUTH_HEADER } });
    expect(gone.status).toBe(404);
    await conforms(gone, '/admin/v1/dlq/{id}/redrive', 'POST');
    const all = await fetch(url('/admin/v1/dlq/redrive'), { method: 'POST', headers: { Authorization: AUTH_HEADER } });
    expect(all.status).toBe(200);
    expect(await conforms(all, '/admin/v1/dlq/redrive', 'POST')).toEqual({ redriven: 0 });
    const denied = await get('/admin/v1/dlq', await bearer(['read:profile']));
    expect(denied.status).toBe(403);
    await conforms(denied, '/admin/v1/dlq', 'GET');
  });
});

describe('Erasures (last: they erase E1002 from the shared server)', () => {
  it('an HRIS erase event: 202; GET /erasures/{id} until done; then the person\'s events and rows are skipped; 400, 404 and the list', async () => {
    const signed = (event: unknown) => {
      const body = JSON.stringify(event);
      return fetch(url('/hris/v1/events'), { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Signature': signatureHeader(SECRET, body, Math.floor(Date.now() / 1000)) }, body });
    };
    const erase = await signed({ event_id: 'ev-erase', type: 'erase', occurred_at: '2026-11-05T10:00:00Z', employee: { employee_id: 'E1002' } });
    expect(erase.status).toBe(202);
    const { erasure_id: id } = (await conforms(erase, '/hris/v1/events', 'POST')) as { erasure_id: string };
    let erasure: { status?: string } = {};
    for (let i = 0; i < 200 && erasure.status !== 'done'; i++) {
      const res = await get(`/admin/v1/erasures/${id}`, AUTH_HEADER);
      expect(res.status).toBe(200);
      erasure = (await conforms(res, '/admin/v1/erasures/{id}', 'GET')) as { status: string };
      if (erasure.status !== 'done') await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(erasure).toMatchObject({ status: 'done', member_id: null, requested_by: 'hris-event:ev-erase', counts: { statements: expect.any(Number), profiles: 1 } });

    const update = await signed({ event_id: 'ev-after', type: 'update', occurred_at: '2026-11-05T11:00:00Z', employee: { employee_id: 'E1002', email: 'bo.chen@acme.example', given_name: 'Bo', family_name: 'Chen', worker_type: 'employee', status: 'active' } });
    expect(update.status).toBe(200);
    expect(await conforms(update, '/hris/v1/events', 'POST')).toEqual({ status: 'erased', event_id: 'ev-after' });
    const rows = await fetch(url('/hris/v1/employees'), { method: 'POST', headers: { Authorization: AUTH_HEADER, 'Content-Type': 'text/csv' }, body: CSV });
    expect(await conforms(rows, '/hris/v1/employees', 'POST')).toMatchObject({ erased: [2] });

    const unknown = await postJson('/admin/v1/erasures', { member_id: 'E9999' });
    expect(unknown.status).toBe(404);
    expect(await conforms(unknown, '/admin/v1/erasures', 'POST')).toMatchObject({ error: { code: 'no-such-member', problems: [{ path: 'member_id' }] } });
    const bad = await postJson('/admin/v1/erasures', { member: 'E1001' });
    expect(bad.status).toBe(400);
    expect(await conforms(bad, '/admin/v1/erasures', 'POST')).toMatchObject({ error: { code: 'invalid-erasure', problems: [{ path: 'member_id', rule: 'required' }] } });
    const list = await get('/admin/v1/erasures?limit=5', AUTH_HEADER);
    expect(await conforms(list, '/admin/v1/erasures', 'GET')).toMatchObject({ erasures: [{ id }], next: null });
    const none = await get('/admin/v1/erasures/er_nothing', AUTH_HEADER);
    expect(none.status).toBe(404);
    await conforms(none, '/admin/v1/erasures/{id}', 'GET');
    const denied = await postJson('/admin/v1/erasures', { member_id: 'E1001' }, await bearer(['read:profile']));
    expect(denied.status).toBe(403);
    await conforms(denied, '/admin/v1/erasures', 'POST');
  });
});
