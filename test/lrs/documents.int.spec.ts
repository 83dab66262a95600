/**
 * The State, Activity Profile and Agent Profile resources over real HTTP on loopback with a
 * real SQLite file (xAPI 1.0.3 Communication 2.2–2.7, 3.1).
 */
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serveEachTest } from '../support/serve-each-test.js';
import { qs } from '../support/query.js';
import { sleep } from '../support/wait.js';

const lrs = serveEachTest();
const { xapi } = lrs;

const ACTIVITY = 'https://acme.example/courses/safety';
const AGENT = { objectType: 'Agent', mbox: 'mailto:ana@acme.example' };
const sha1 = (bytes: Uint8Array | string) => createHash('sha1').update(bytes).digest('hex');

/** Parameters of one state document (fresh stateId unless given). */
const state = (over: Record<string, unknown> = {}) => ({ activityId: ACTIVITY, agent: AGENT, stateId: randomUUID(), ...over });
const activityProfile = (over: Record<string, unknown> = {}) => ({ activityId: ACTIVITY, profileId: randomUUID(), ...over });
const agentProfile = (over: Record<string, unknown> = {}) => ({ agent: AGENT, profileId: randomUUID(), ...over });

async function send(method: string, path: string, params: Record<string, unknown>, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  return xapi(`${path}?${qs(params)}`, { method, ...init });
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string; problems: { path: string; rule: string }[] }> {
  return ((await res.json()) as { error: { status: number; code: string; message: string; problems: { path: string; rule: string }[] } }).error;
}

async function getJson(path: string, params: Record<string, unknown>): Promise<unknown> {
  const res = await send('GET', path, params);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

describe('state documents: single document', () => {
  it('PUT stores a document that GET returns with its Content-Type, a quoted SHA-1 ETag and Last-Modified', async () => {
    const params = state();
    const body = '{"progress": 0.5,  "page":3}';
    const put = await send('PUT', '/activities/state', params, { body, headers: { 'Content-Type': 'application/json' } });
    expect(put.status).toBe(204);
    const res = await send('GET', '/activities/state', params);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(res.headers.get('ETag')).toBe(`"${sha1(body)}"`);
    expect(Date.parse(res.headers.get('Last-Modified') ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(res.headers.get('X-Experience-API-Version')).toBe('1.0.3');
    expect(await res.text()).toBe(body); // byte-exact, spacing included
  });

  it('keeps binary documents byte-exact, whatever their content type', async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    const params = state();
    expect((await send('PUT', '/activities/state', params, { body: bytes, headers: { 'Content-Type': 'image/png' } })).status).toBe(204);
    const res = await send('GET', '/activities/state', params);
    expect(res.headers.get('Content-Type')).toBe('image/png');
    expect(res.headers.get('ETag')).toBe(`"${sha1(bytes)}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it('a document sent without a Content-Type is kept as application/octet-stream', async () => {
    const params = state();
    // fetch gives a string body text/plain, but bytes go without a Content-Type.
    await send('PUT', '/activities/state', params, { body: new TextEncoder().encode('plain bytes') });
    const res = await send('GET', '/activities/state', params);
    expect(res.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(await res.text()).toBe('plain bytes');
  });

  it('HEAD answers the GET headers without the body', async () => {
    const params = state();
    await send('PUT', '/activities/state', params, { body: 'abc', headers: { 'Content-Type': 'text/plain' } });
    const res = await send('HEAD', '/activities/state', params);
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBe(`"${sha1('abc')}"`);
    expect(res.headers.get('Content-Type')).toBe('text/plain');
    expect(await res.text()).toBe('');
  });

  it('GET of a missing document is a 404 naming the stateId', async () => {
    const res = await send('GET', '/activities/state', state());
    expect(res.status).toBe(404);
    expect((await errorOf(res)).problems[0]).toMatchObject({ path: 'stateId', rule: 'document-exists' });
  });

  it('PUT replaces the whole document; DELETE removes it and is idempotent', async () => {
    const params = state();
    await send('PUT', '/activities/state', params, { json: { a: 1, b: 2 } });
    await send('PUT', '/activities/state', params, { json: { c: 3 } });
    expect(await getJson('/activities/state', params)).toEqual({ c: 3 });
    expect((await send('DELETE', '/activities/state', params)).status).toBe(204);
    expect((await send('GET', '/activities/state', params)).status).toBe(404);
    expect((await send('DELETE', '/activities/state', params)).status).toBe(204);
  });

  it('a registration is part of the context: the same stateId with and without one are two documents', async () => {
    const registration = randomUUID();
    const plain = state();
    const registered = { ...plain, registration };
    await send('PUT', '/activities/state', plain, { json: { which: 'none' } });
    await send('PUT', '/activities/state', registered, { json: { which: 'registered' } });
    expect(await getJson('/activities/state', plain)).toEqual({ which: 'none' });
    expect(await getJson('/activities/state', { ...registered, registration: registration.toUpperCase() })).toEqual({ which: 'registered' });
  });

  it('the agent is identified by its identifier: a name or objectType makes no difference', async () => {
    const params = state();
    await send('PUT', '/activities/state', params, { json: { x: 1 } });
    expect(await getJson('/activities/state', { ...params, agent: { mbox: AGENT.mbox, name: 'Ana' } })).toEqual({ x: 1 });
  });
});

describe('state documents: POST merges JSON objects', () => {
  it('POST to a new document stores it as sent; a second POST merges top-level properties', async () => {
    const params = state();
    const first = '{"x":"foo","y":"bar","o":{"a":1}}';
    expect((await send('POST', '/activities/state', params, { body: first, headers: { 'Content-Type': 'application/json' } })).status).toBe(204);
    expect(await (await send('GET', '/activities/state', params)).text()).toBe(first);
    expect((await send('POST', '/activities/state', params, { json: { x: 'bash', z: 'faz', o: { b: 2 } } })).status).toBe(204);
    const res = await send('GET', '/activities/state', params);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(await res.json()).toEqual({ x: 'bash', y: 'bar', z: 'faz', o: { b: 2 } });
  });

  it('POST of a non-JSON body to a JSON document is a 400 and changes nothing', async () => {
    const params = state();
    await send('POST', '/activities/state', params, { json: { a: 1 } });
    const res = await send('POST', '/activities/state', params, { body: 'abc', headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).problems[0]).toMatchObject({ path: 'Content-Type', rule: 'application-json' });
    expect(await getJson('/activities/state', params)).toEqual({ a: 1 });
  });

  it('POST of JSON to a document that is not JSON is a 400 and changes nothing', async () => {
    const params = state();
    await send('PUT', '/activities/state', params, { body: '/ asdf / undefined', headers: { 'Content-Type': 'application/octet-stream' } });
    const res = await send('POST', '/activities/state', params, { json: { a: 1 } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).problems[0]).toMatchObject({ path: 'document', rule: 'stored-json-object' });
    expect(await (await send('GET', '/activities/state', params)).text()).toBe('/ asdf / undefined');
  });

  it('POST of malformed JSON or of a JSON array is a 400, with or without a stored document', async () => {
    const params = state();
    const malformed = await send('POST', '/activities/state', params, { body: '{"a":1}{', headers: { 'Content-Type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe('malformed-json');
    const array = await send('POST', '/activities/state', params, { json: [1, 2] });
    expect(array.status).toBe(400);
    expect((await errorOf(array)).problems[0]).toMatchObject({ path: 'body', rule: 'json-object' });
    expect((await send('GET', '/activities/state', params)).status).toBe(404);
  });

  it('PUT of malformed JSON sent as application/json is a 400; any other type is stored as it is', async () => {
    const params = state();
    expect((await send('PUT', '/activities/state', params, { body: '{', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
    expect((await send('PUT', '/activities/state', params, { body: '{', headers: { 'Content-Type': 'text/plain' } })).status).toBe(204);
  });
});

describe('state documents: several at once', () => {
  it('GET without stateId lists the ids of the context, with Last-Modified of the newest; since is exclusive', async () => {
    const context = { activityId: `${ACTIVITY}/${randomUUID()}`, agent: AGENT };
    const a = state({ ...context, stateId: 'a' });
    await send('PUT', '/activities/state', a, { json: { n: 1 } });
    const aUpdated = (await lrs.server.store.documents.get({ resource: 'state', activityId: context.activityId, agent: `mbox:${AGENT.mbox}`, registration: null, id: 'a' }))?.updated as string;
    await sleep(5);
    await send('PUT', '/activities/state', state({ ...context, stateId: 'b' }), { json: { n: 2 } });
    await send('PUT', '/activities/state', state({ ...context, stateId: 'c', registration: randomUUID() }), { json: { n: 3 } });

    const all = await send('GET', '/activities/state', context);
    expect(await all.json()).toEqual(['a', 'b', 'c']);
    expect(all.headers.get('Last-Modified')).toEqual(expect.any(String));
    expect(all.headers.get('ETag')).toMatch(/^"[0-9a-f]{40}"$/);
    expect(await getJson('/activities/state', { ...context, since: aUpdated })).toEqual(['b', 'c']);
    expect(await getJson('/activities/state', { ...context, since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
  });

  it('DELETE without stateId deletes the context: one registration when given, else every document of the Activity and Agent', async () => {
    const context = { activityId: `${ACTIVITY}/${randomUUID()}`, agent: AGENT };
    const registration = randomUUID();
    await send('PUT', '/activities/state', state({ ...context, stateId: 'a' }), { json: {} });
    await send('PUT', '/activities/state', state({ ...context, stateId: 'r', registration }), { json: {} });
    const bystander = state({ stateId: 'a', activityId: context.activityId, agent: { mbox: 'mailto:bob@acme.example' } });
    await send('PUT', '/activities/state', bystander, { json: {} });

    expect((await send('DELETE', '/activities/state', { ...context, registration })).status).toBe(204);
    expect(await getJson('/activities/state', context)).toEqual(['a']);
    expect((await send('DELETE', '/activities/state', context)).status).toBe(204);
    expect(await getJson('/activities/state', context)).toEqual([]);
    expect((await send('GET', '/activities/state', bystander)).status).toBe(200);
  });
});

describe('concurrency (Communication 3.1)', () => {
  async function etagOf(path: string, params: Record<string, unknown>): Promise<string> {
    return (await send('GET', path, params)).headers.get('ETag') as string;
  }

  it('PUT with the current ETag in If-Match replaces; a stale one is a 412 and changes nothing', async () => {
    const params = agentProfile();
    await send('PUT', '/agents/profile', params, { json: { v: 1 }, headers: { 'If-None-Match': '*' } });
    const etag = await etagOf('/agents/profile', params);
    expect((await send('PUT', '/agents/profile', params, { json: { v: 2 }, headers: { 'If-Match': etag } })).status).toBe(204);
    const stale = await send('PUT', '/agents/profile', params, { json: { v: 3 }, headers: { 'If-Match': etag } });
    expect(stale.status).toBe(412);
    expect((await errorOf(stale)).problems[0]).toMatchObject({ path: 'If-Match', rule: 'etag-matches' });
    expect(await getJson('/agents/profile', params)).toEqual({ v: 2 });
  });

  it('PUT with If-None-Match: * creates only: 204 when absent, 412 when present', async () => {
    const params = activityProfile();
    expect((await send('PUT', '/activities/profile', params, { json: { v: 1 }, headers: { 'If-None-Match': '*' } })).status).toBe(204);
    const again = await send('PUT', '/activities/profile', params, { json: { v: 2 }, headers: { 'If-None-Match': '*' } });
    expect(again.status).toBe(412);
    expect(await getJson('/activities/profile', params)).toEqual({ v: 1 });
  });

  it('a profile PUT without If-Match or If-None-Match: 409 explaining what to do when the document exists, 400 when not', async () => {
    const params = activityProfile();
    const missing = await send('PUT', '/activities/profile', params, { json: { v: 1 } });
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).problems[0]).toMatchObject({ path: 'If-Match', rule: 'precondition-required' });
    await send('POST', '/activities/profile', params, { json: { v: 1 } });
    const conflict = await send('PUT', '/activities/profile', params, { json: { v: 2 } });
    expect(conflict.status).toBe(409);
    expect((await errorOf(conflict)).message).toMatch(/If-Match/);
    expect(await getJson('/activities/profile', params)).toEqual({ v: 1 });
  });

  it('a state PUT needs no precondition header, but honours one', async () => {
    const params = state();
    expect((await send('PUT', '/activities/state', params, { json: { v: 1 } })).status).toBe(204);
    expect((await send('PUT', '/activities/state', params, { json: { v: 2 } })).status).toBe(204);
    expect((await send('PUT', '/activities/state', params, { json: { v: 3 }, headers: { 'If-Match': '"0000000000000000000000000000000000000000"' } })).status).toBe(412);
  });

  it('POST and DELETE honour If-Match too', async () => {
    const params = agentProfile();
    await send('POST', '/agents/profile', params, { json: { a: 1 } });
    const etag = await etagOf('/agents/profile', params);
    expect((await send('POST', '/agents/profile', params, { json: { b: 2 }, headers: { 'If-Match': '"1111111111111111111111111111111111111111"' } })).status).toBe(412);
    expect((await send('POST', '/agents/profile', params, { json: { b: 2 }, headers: { 'If-Match': etag } })).status).toBe(204);
    expect((await send('DELETE', '/agents/profile', params, { headers: { 'If-Match': etag } })).status).toBe(412);
    expect((await send('DELETE', '/agents/profile', params, { headers: { 'If-Match': await etagOf('/agents/profile', params) } })).status).toBe(204);
    expect((await send('GET', '/agents/profile', params)).status).toBe(404);
  });

  it('concurrent POSTs to one document all land: each merge is applied to the latest version', async () => {
    const params = state();
    await send('PUT', '/activities/state', params, { json: {} });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send('POST', '/activities/state', params, { json: { [`k${i}`]: i } })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(204));
    expect(Object.keys((await getJson('/activities/state', params)) as object).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
  });
});

describe('profile documents', () => {
  it('activity profiles: PUT, GET, list with since, DELETE', async () => {
    const activityId = `${ACTIVITY}/${randomUUID()}`;
    const p1 = activityProfile({ activityId, profileId: 'p1' });
    expect((await send('PUT', '/activities/profile', p1, { body: 'text', headers: { 'Content-Type': 'text/plain', 'If-None-Match': '*' } })).status).toBe(204);
    expect(await (await send('GET', '/activities/profile', p1)).text()).toBe('text');
    expect(await getJson('/activities/profile', { activityId })).toEqual(['p1']);
    expect(await getJson('/activities/profile', { activityId, since: '2000-01-01T00:00:00Z' })).toEqual(['p1']);
    expect((await send('DELETE', '/activities/profile', p1)).status).toBe(204);
    expect(await getJson('/activities/profile', { activityId })).toEqual([]);
  });

  it('agent profiles are per Agent and list their ids', async () => {
    const agent = { mbox: `mailto:${randomUUID()}@acme.example` };
    await send('POST', '/agents/profile', { agent, profileId: 'prefs' }, { json: { theme: 'dark' } });
    await send('POST', '/agents/profile', { agent: AGENT, profileId: 'other' }, { json: {} });
    expect(await getJson('/agents/profile', { agent })).toEqual(['prefs']);
    expect(await getJson('/agents/profile', { agent, profileId: 'prefs' })).toEqual({ theme: 'dark' });
  });

  it('an agent profile DELETE needs a profileId (deleting many is for state only)', async () => {
    const res = await send('DELETE', '/agents/profile', { agent: AGENT });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).problems[0]).toMatchObject({ path: 'profileId', rule: 'required' });
  });
});

describe('parameters', () => {
  it.each([
    ['/activities/state', { agent: AGENT, stateId: 's' }, 'activityId', 'required'],
    ['/activities/state', { activityId: ACTIVITY, agent: 'not JSON', stateId: 's' }, 'agent', 'json'],
    ['/activities/state', { activityId: ACTIVITY, agent: { objectType: 'Group', mbox: 'mailto:team@acme.example' }, stateId: 's' }, 'agent.objectType', 'agent-not-group'],
    ['/activities/state', { activityId: ACTIVITY, agent: AGENT, stateId: 's', registration: 'nope' }, 'registration', 'uuid'],
    ['/activities/state', { activityId: ACTIVITY, agent: AGENT, since: 'not a timestamp' }, 'since', 'iso8601-timestamp'],
    ['/activities/state', { activityId: ACTIVITY, agent: AGENT, stateId: 's', extra: '1' }, 'extra', 'unknown-parameter'],
    ['/activities/profile', { activityId: 'no-scheme', profileId: 'p' }, 'activityId', 'iri'],
    ['/agents/profile', { profileId: 'p' }, 'agent', 'required'],
  ])('GET %s with %o is a 400 naming %s', async (path, params, problemPath, rule) => {
    const res = await send('GET', path, params);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).problems[0]).toMatchObject({ path: problemPath, rule });
  });
});
