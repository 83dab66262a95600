/**
 * xAPI 1.0.3 scopes (Communication 4.2) on /xapi, per resource and method, for Bearer tokens
 * and Basic credentials; statements/read/mine; define; scope admin on the HRIS API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_BASIC, basic, bearer, startAuthHarness, type AuthHarness } from './support.js';
import type { Scope } from '../../src/auth/scopes.js';

let h: AuthHarness;
beforeEach(async () => {
  h = await startAuthHarness();
});
afterEach(async () => h.close());

const ACTIVITY = 'https://example.com/courses/a';
const AGENT = JSON.stringify({ mbox: 'mailto:ana@example.com' });
const statement = (n: number, extra: Record<string, unknown> = {}) => ({
  actor: { mbox: 'mailto:ana@example.com' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
  object: { id: `${ACTIVITY}/${n}`, definition: { name: { 'en-US': `Course ${n}` } } },
  ...extra,
});

async function tokenFor(scopes: Scope[]): Promise<string> {
  return bearer((await h.grant(await h.client(scopes))).access_token);
}

type RequestSpec = readonly [path: string, method: string, json?: unknown, headers?: Record<string, string>];
const requests: Record<string, RequestSpec> = {
  'GET /statements': ['/statements', 'GET'],
  'POST /statements': ['/statements', 'POST', statement(1)],
  'GET /activities/state': [`/activities/state?activityId=${encodeURIComponent(ACTIVITY)}&agent=${encodeURIComponent(AGENT)}`, 'GET'],
  'PUT /activities/state': [`/activities/state?activityId=${encodeURIComponent(ACTIVITY)}&agent=${encodeURIComponent(AGENT)}&stateId=s`, 'PUT', { x: 1 }],
  'GET /activities/profile': [`/activities/profile?activityId=${encodeURIComponent(ACTIVITY)}`, 'GET'],
  'PUT /agents/profile': [`/agents/profile?agent=${encodeURIComponent(AGENT)}&profileId=p`, 'PUT', { x: 1 }, { 'If-None-Match': '*' }],
  'GET /activities': [`/activities?activityId=${encodeURIComponent(ACTIVITY)}`, 'GET'],
  'GET /agents': [`/agents?agent=${encodeURIComponent(AGENT)}`, 'GET'],
};

async function allowed(authorization: string): Promise<string[]> {
  const ok: string[] = [];
  for (const [name, [path, method, json, headers]] of Object.entries(requests)) {
    const res = await h.xapi(path, authorization, { method, ...(json === undefined ? {} : { json }), ...(headers ? { headers } : {}) });
    if (res.status === 403) {
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('insufficient_scope');
      expect(body.error.message).toMatch(/needs scope/);
    } else {
      expect(res.status, `${name}: ${await res.clone().text()}`).toBeLessThan(300);
      ok.push(name);
    }
  }
  return ok;
}

describe('xAPI scopes per resource and method', () => {
  it.each([
    [['statements/write'], ['POST /statements']],
    [['statements/read'], ['GET /statements', 'GET /activities', 'GET /agents']],
    [['statements/read/mine'], ['GET /statements']],
    [['state'], ['GET /activities/state', 'PUT /activities/state']],
    [['profile'], ['GET /activities/profile', 'PUT /agents/profile']],
    [['define'], ['GET /activities', 'GET /agents']],
    [['all/read'], ['GET /statements', 'GET /activities/state', 'GET /activities/profile', 'GET /activities', 'GET /agents']],
    [['all'], Object.keys(requests)],
    [['read:profile', 'admin', 'write:badge'], []],
  ] as [Scope[], string[]][])('a token with %j may do exactly %j', async (scopes, expected) => {
    expect(await allowed(await tokenFor(scopes))).toEqual(expected);
  });

  it('Basic credentials of a registered client get the same checks; the seeded credential (all) may do everything', async () => {
    const client = await h.client(['state']);
    expect(await allowed(basic(client.id, client.secret))).toEqual(['GET /activities/state', 'PUT /activities/state']);
    expect(await allowed(ADMIN_BASIC)).toEqual(Object.keys(requests));
  });

  it('the alternate request syntax is checked under the real method', async () => {
    const token = await tokenFor(['statements/write']);
    const res = await h.app.request('/xapi/statements?method=GET', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Authorization: token, 'X-Experience-API-Version': '1.0.3' }).toString(),
    });
    expect(res.status).toBe(403);
  });

  it('/about needs no credentials; no credentials elsewhere is a 401', async () => {
    expect((await h.app.request('/xapi/about')).status).toBe(200);
    expect((await h.app.request('/xapi/statements', { headers: { 'X-Experience-API-Version': '1.0.3' } })).status).toBe(401);
  });
});

describe('statements/read/mine', () => {
  it('reads only the statements whose authority is the caller\'s, in queries, pages and by id', async () => {
    const mine = await h.client(['statements/write', 'statements/read/mine'], 'mine');
    const other = await h.client(['statements/write'], 'other');
    const mineToken = bearer((await h.grant(mine)).access_token);
    const otherToken = bearer((await h.grant(other)).access_token);
    const post = async (token: string, n: number) => ((await (await h.xapi('/statements', token, { method: 'POST', json: statement(n) })).json()) as string[])[0] as string;
    const own = [await post(mineToken, 1), await post(mineToken, 2), await post(mineToken, 3)];
    const foreign = await post(otherToken, 4);
    await post(otherToken, 5);

    const first = (await (await h.xapi('/statements?limit=2', mineToken)).json()) as { statements: { id: string; authority: { account: { name: string } } }[]; more: string };
    expect(first.statements.map((s) => s.id)).toEqual([own[2], own[1]]);
    expect(first.statements.every((s) => s.authority.account.name === mine.id)).toBe(true);
    const second = (await (await h.app.request(first.more, { headers: { Authorization: mineToken, 'X-Experience-API-Version': '1.0.3' } })).json()) as { statements: { id: string }[]; more: string };
    expect(second.statements.map((s) => s.id)).toEqual([own[0]]);
    expect(second.more).toBe('');

    expect((await h.xapi(`/statements?statementId=${own[0]}`, mineToken)).status).toBe(200);
    expect((await h.xapi(`/statements?statementId=${foreign}`, mineToken)).status).toBe(404);
    // The seeded credential reads everything.
    expect(((await (await h.xapi('/statements', ADMIN_BASIC)).json()) as { statements: unknown[] }).statements).toHaveLength(5);
  });

  it('a tampered cursor without the authority filter still yields only the caller\'s statements', async () => {
    const mine = await h.client(['statements/write', 'statements/read/mine']);
    const token = bearer((await h.grant(mine)).access_token);
    await h.xapi('/statements', ADMIN_BASIC, { method: 'POST', json: [statement(1), statement(2)] });
    await h.xapi('/statements', token, { method: 'POST', json: [statement(3), statement(4)] });
    const first = (await (await h.xapi('/statements?limit=1', token)).json()) as { more: string };
    const cursor = new URL(first.more, 'http://x').searchParams.get('more') as string;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { filter: { keys: string[] } };
    decoded.filter.keys = [];
    const forged = Buffer.from(JSON.stringify(decoded)).toString('base64url');
    const page = (await (await h.xapi(`/statements?more=${forged}`, token)).json()) as { statements: { authority: { account: { name: string } } }[] };
    expect(page.statements.length).toBeGreaterThan(0);
    expect(page.statements.every((s) => s.authority.account.name === mine.id)).toBe(true);
  });
});

describe('define', () => {
  it('statements written without define do not change the canonical Activity definition', async () => {
    const writer = await tokenFor(['statements/write']);
    const definer = await tokenFor(['statements/write', 'define']);
    await h.xapi('/statements', writer, { method: 'POST', json: statement(1) });
    const read = async (n: number) => (await (await h.xapi(`/activities?activityId=${encodeURIComponent(`${ACTIVITY}/${n}`)}`, ADMIN_BASIC)).json()) as Record<string, unknown>;
    expect(await read(1)).toEqual({ objectType: 'Activity', id: `${ACTIVITY}/1` });
    await h.xapi('/statements', definer, { method: 'POST', json: statement(1) });
    expect(await read(1)).toMatchObject({ definition: { name: { 'en-US': 'Course 1' } } });
  });
});

describe('admin scope on the HRIS API', () => {
  it('needs admin (or all); other scopes get a 403 naming it', async () => {
    const reader = await tokenFor(['read:profile', 'statements/read']);
    const admin = await tokenFor(['admin']);
    const res = await h.app.request('/hris/v1/audit', { headers: { Authorization: reader } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('The HRIS API needs scope admin; the credential does not have it.');
    expect((await h.app.request('/hris/v1/audit', { headers: { Authorization: admin } })).status).toBe(200);
    expect((await h.app.request('/hris/v1/audit', { headers: { Authorization: ADMIN_BASIC } })).status).toBe(200);
  });
});
