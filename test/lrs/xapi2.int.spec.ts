/**
 * xAPI 2.0.0 (IEEE 9274.1.1) on the same /xapi endpoint, chosen per request by
 * X-Experience-API-Version, over real HTTP on loopback with a real SQLite file. Each behaviour is
 * checked for a 2.0 request and, where 2.0 differs, for the unchanged 1.0.3 one.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUTH_HEADER, startTestServer, xapiFetch } from '../support/server.js';
import { serveEachTest } from '../support/serve-each-test.js';
import { sleep } from '../support/wait.js';

type Json = Record<string, any>;
interface ErrorBody {
  error: { status: number; code: string; problems?: { path: string; rule: string }[] };
}

const lrs = serveEachTest();
const { xapi } = lrs;

const V2 = { 'X-Experience-API-Version': '2.0.0' };
const V1 = { 'X-Experience-API-Version': '1.0.3' };

/** fetch as an xAPI 2.0 client. */
function x2(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  return xapi(path, { ...init, headers: { ...V2, ...(init.headers as Record<string, string> | undefined) } });
}

const mbox = (name: string) => `mailto:${name}@acme.example`;

function statement(overrides: Json = {}): Json {
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', mbox: mbox(`ana-${randomUUID()}`) },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { objectType: 'Activity', id: 'https://acme.example/courses/safety' },
    ...overrides,
  };
}

const contextAgent = (who: string, type = 'https://acme.example/types/coach') => ({ objectType: 'contextAgent', agent: { objectType: 'Agent', mbox: mbox(who) }, relevantTypes: [type] });
const contextGroup = (members: string[], type = 'https://acme.example/types/team') => ({
  objectType: 'contextGroup',
  group: { objectType: 'Group', member: members.map((m) => ({ mbox: mbox(m) })) },
  relevantTypes: [type],
});

async function post(s: Json, fetcher = x2): Promise<Response> {
  return fetcher('/statements', { method: 'POST', json: s });
}

async function postOk(s: Json, fetcher = x2): Promise<void> {
  const res = await post(s, fetcher);
  expect(res.status, await res.clone().text()).toBe(200);
}

async function getStatement(id: string, fetcher = x2): Promise<Json> {
  const res = await fetcher(`/statements?statementId=${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

async function problemsOf(res: Response): Promise<{ path: string; rule: string }[]> {
  expect(res.status).toBe(400);
  return ((await res.json()) as ErrorBody).error.problems ?? [];
}

async function idsOf(res: Response): Promise<string[]> {
  expect(res.status).toBe(200);
  return ((await res.json()) as { statements: Json[] }).statements.map((s) => s.id as string);
}

describe('version negotiation (9274.1.1 4.1.7)', () => {
  it('answers each request in the version it speaks: 2.0, 2.0.x → 2.0.0; 1.0.x → 1.0.3', async () => {
    for (const [sent, answered] of [['2.0.0', '2.0.0'], ['2.0', '2.0.0'], ['2.0.4', '2.0.0'], ['1.0.2', '1.0.3'], ['1.0.3', '1.0.3']] as const) {
      const res = await xapi('/statements?limit=1', { headers: { 'X-Experience-API-Version': sent } });
      expect(res.status, sent).toBe(200);
      expect(res.headers.get('X-Experience-API-Version'), sent).toBe(answered);
    }
  });

  it('refuses 2.1.0 and later, and requests without a version, with a 400 stating 2.0.0', async () => {
    const cases: Record<string, string>[] = [{ 'X-Experience-API-Version': '2.1.0' }, { 'X-Experience-API-Version': '3.0.0' }, {}];
    for (const headers of cases) {
      const res = await fetch(`${lrs.server.endpoint}/statements`, { headers: { Authorization: AUTH_HEADER, ...headers } });
      expect(res.status).toBe(400);
      expect(res.headers.get('X-Experience-API-Version')).toBe('2.0.0');
    }
  });

  it('GET /about lists 1.0.3 and 2.0.0, takes any version header and answers in the version asked for', async () => {
    const about = await fetch(`${lrs.server.endpoint}/about`, { headers: { 'X-Experience-API-Version': '2.5.0' } });
    expect(about.status).toBe(200);
    expect(((await about.json()) as { version: string[] }).version).toEqual(expect.arrayContaining(['1.0.3', '2.0.0']));
    expect(about.headers.get('X-Experience-API-Version')).toBe('2.0.0');
    expect((await xapi('/about', { headers: V1 })).headers.get('X-Experience-API-Version')).toBe('1.0.3');
  });

  it('states 1.0.3 to requests without a version when configured so (XAPI_DEFAULT_VERSION=1.0.3)', async () => {
    const legacy = await startTestServer({ xapiDefaultVersion: '1.0.3' });
    try {
      const missing = await fetch(`${legacy.endpoint}/statements`, { headers: { Authorization: AUTH_HEADER } });
      expect(missing.status).toBe(400);
      expect(missing.headers.get('X-Experience-API-Version')).toBe('1.0.3');
      expect((await fetch(`${legacy.endpoint}/about`)).headers.get('X-Experience-API-Version')).toBe('1.0.3');
      expect((await xapiFetch(legacy)('/about', { headers: V2 })).headers.get('X-Experience-API-Version')).toBe('2.0.0');
    } finally {
      await legacy.close();
    }
  });
});

describe('statement version property (9274.1.1 4.2.4.3)', () => {
  it('gives 2.0.0 to a 2.0 statement without version, and 1.0.0 to a 1.0.3 one', async () => {
    const s2 = statement();
    const s1 = statement();
    await postOk(s2);
    await postOk(s1, xapi);
    expect((await getStatement(s2.id)).version).toBe('2.0.0');
    expect((await getStatement(s1.id)).version).toBe('1.0.0');
  });

  it('keeps the version a 2.0 statement was accepted with: 1.0.x or 2.0.x; others are a 400', async () => {
    for (const version of ['2.0.0', '1.0.9', '1.0']) {
      const s = statement({ version });
      await postOk(s);
      expect((await getStatement(s.id)).version).toBe(version);
    }
    expect(await problemsOf(await post(statement({ version: '1.1.0' })))).toContainEqual(expect.objectContaining({ path: 'statement.version', rule: 'version' }));
    // A 1.0.3 request still refuses a 2.0 statement version.
    expect(await problemsOf(await post(statement({ version: '2.0.0' }), xapi))).toContainEqual(expect.objectContaining({ path: 'statement.version' }));
  });
});

describe('context agents and context groups (9274.1.1 4.2.2.5)', () => {
  it('stores and returns them as sent, in a statement and in a SubStatement', async () => {
    const context = { contextAgents: [contextAgent('coach')], contextGroups: [contextGroup(['p1', 'p2'])] };
    const s = statement({ context });
    await postOk(s);
    expect((await getStatement(s.id)).context).toEqual(context);
    const sub = statement({
      object: { objectType: 'SubStatement', actor: { mbox: mbox('bo') }, verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' }, object: { id: 'https://acme.example/x' }, context },
    });
    await postOk(sub);
    expect((await getStatement(sub.id)).object.context).toEqual(context);
  });

  it('refuses malformed ones with a 400 naming the place', async () => {
    const cases: [Json, string, string][] = [
      [{ contextAgents: [{ ...contextAgent('coach'), objectType: 'Agent' }] }, 'statement.context.contextAgents[0].objectType', 'object-type'],
      [{ contextAgents: [{ objectType: 'contextAgent', agent: { key: 'x' } }] }, 'statement.context.contextAgents[0].agent.key', 'additional-property'],
      [{ contextAgents: [{ ...contextAgent('coach'), relevantTypes: [] }] }, 'statement.context.contextAgents[0].relevantTypes', 'min-items'],
      [{ contextAgents: [{ ...contextAgent('coach'), relevantTypes: ['abc'] }] }, 'statement.context.contextAgents[0].relevantTypes[0]', 'iri'],
      [{ contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group' } }] }, 'statement.context.contextGroups[0].group.member', 'anonymous-group-member'],
    ];
    for (const [context, path, rule] of cases) {
      expect(await problemsOf(await post(statement({ context }))), path).toContainEqual(expect.objectContaining({ path, rule }));
    }
  });

  it('are not xAPI 1.0.3: a 1.0.3 request carrying them is a 400', async () => {
    const problems = await problemsOf(await post(statement({ context: { contextAgents: [contextAgent('coach')] } }), xapi));
    expect(problems).toContainEqual(expect.objectContaining({ path: 'statement.context.contextAgents', rule: 'additional-property' }));
  });

  it('make their Agents, Groups and Group members related agents (related_agents=true), not agents', async () => {
    const coach = `coach-${randomUUID()}`;
    const player = `player-${randomUUID()}`;
    const subCoach = `sub-coach-${randomUUID()}`;
    const withAgent = statement({ context: { contextAgents: [contextAgent(coach)] } });
    const withGroup = statement({ context: { contextGroups: [contextGroup([player, 'someone-else'])] } });
    const withSub = statement({
      object: {
        objectType: 'SubStatement',
        actor: { mbox: mbox('bo') },
        verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' },
        object: { id: 'https://acme.example/x' },
        context: { contextAgents: [contextAgent(subCoach)] },
      },
    });
    await x2('/statements', { method: 'POST', json: [withAgent, withGroup, withSub] });
    const query = (who: string, related: boolean) => x2(`/statements?agent=${encodeURIComponent(JSON.stringify({ mbox: mbox(who) }))}${related ? '&related_agents=true' : ''}`);
    expect(await idsOf(await query(coach, true))).toEqual([withAgent.id]);
    expect(await idsOf(await query(player, true))).toEqual([withGroup.id]);
    expect(await idsOf(await query(subCoach, true))).toEqual([withSub.id]);
    expect(await idsOf(await query(coach, false))).toEqual([]);
  });

  it('format=ids reduces their Agents and Groups to identifiers', async () => {
    const s = statement({ context: { contextAgents: [{ ...contextAgent('coach'), agent: { objectType: 'Agent', name: 'Coach', mbox: mbox('coach') } }] } });
    await postOk(s);
    const res = await x2(`/statements?statementId=${s.id}&format=ids`);
    const got = (await res.json()) as Json;
    expect(got.context.contextAgents[0]).toEqual({ ...contextAgent('coach'), agent: { objectType: 'Agent', mbox: mbox('coach') } });
  });

  it('count in statement comparison: the same statement again is accepted, a different context agent is a 409', async () => {
    const s = statement({ context: { contextAgents: [contextAgent('coach')] } });
    await postOk(s);
    await postOk({ ...s, context: { contextAgents: [{ ...contextAgent('coach'), agent: { objectType: 'Agent', mbox: 'mailto:coach@ACME.EXAMPLE' } }] } });
    expect((await post({ ...s, context: { contextAgents: [contextAgent('someone-else')] } })).status).toBe(409);
  });
});

describe('timestamps (9274.1.1 4.2.7, 5.2.7)', () => {
  it('converts a 2.0 statement timestamp to UTC, keeping its precision; a 1.0.3 one is kept as sent', async () => {
    const s2 = statement({ timestamp: '2023-05-04T12:00:00.123456-05:00' });
    const s1 = statement({ timestamp: '2023-05-04T12:00:00.123456-05:00' });
    await postOk(s2);
    await postOk(s1, xapi);
    expect((await getStatement(s2.id)).timestamp).toBe('2023-05-04T17:00:00.123456Z');
    expect((await getStatement(s1.id)).timestamp).toBe('2023-05-04T12:00:00.123456-05:00');
  });

  it('converts a SubStatement timestamp too, and accepts the same statement again with its original offset', async () => {
    const s = statement({
      object: { objectType: 'SubStatement', actor: { mbox: mbox('bo') }, verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' }, object: { id: 'https://acme.example/x' }, timestamp: '2024-01-01T01:00:00+01:00' },
    });
    await postOk(s);
    expect((await getStatement(s.id)).object.timestamp).toBe('2024-01-01T00:00:00Z');
    await postOk(s);
  });

  it('refuses timestamps that are not RFC 3339 in 2.0 and still takes them in 1.0.3', async () => {
    for (const timestamp of ['2024-03-01T12:00Z', '20240301T120000Z', '2024-03-01T12:00:00', '2008-09-15T15:53:00.601-00:00']) {
      expect(await problemsOf(await post(statement({ timestamp }))), timestamp).toContainEqual(expect.objectContaining({ path: 'statement.timestamp', rule: 'rfc3339-timestamp' }));
    }
    await postOk(statement({ timestamp: '20240301T120000Z' }), xapi);
  });

  it('reads since and until as RFC 3339 in 2.0', async () => {
    expect((await x2('/statements?since=2024-03-01T12:00:00Z')).status).toBe(200);
    expect(await problemsOf(await x2('/statements?since=2024-03-01T12:00Z'))).toContainEqual(expect.objectContaining({ path: 'since', rule: 'rfc3339-timestamp' }));
    expect((await xapi('/statements?since=2024-03-01T12:00Z')).status).toBe(200);
  });
});

describe('Last-Modified on the Statement resource (9274.1.1 4.1.6.1)', () => {
  it('a single statement: its stored time; a page: the latest stored of its statements; no statements: none', async () => {
    const first = statement();
    await postOk(first);
    await sleep(1100); // a later second, which Last-Modified can tell apart
    const second = statement({ actor: first.actor });
    await postOk(second);
    const one = await x2(`/statements?statementId=${first.id}`);
    const stored = ((await one.json()) as Json).stored as string;
    expect(one.headers.get('Last-Modified')).toBe(new Date(stored).toUTCString());
    const page = await x2(`/statements?agent=${encodeURIComponent(JSON.stringify(first.actor))}&ascending=true`);
    const statements = ((await page.json()) as { statements: Json[] }).statements;
    expect(statements.map((s) => s.id)).toEqual([first.id, second.id]);
    expect(page.headers.get('Last-Modified')).toBe(new Date(statements[1]!.stored).toUTCString());
    expect(Date.parse(page.headers.get('Last-Modified')!)).toBeGreaterThan(Date.parse(one.headers.get('Last-Modified')!));
    const none = await x2(`/statements?agent=${encodeURIComponent(JSON.stringify({ mbox: mbox(randomUUID()) }))}`);
    expect(none.status).toBe(200);
    expect(none.headers.get('Last-Modified')).toBeNull();
  });
});

describe('alternate request syntax is not part of xAPI 2.0', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  it('refuses a request with a method parameter that speaks 2.0 by header or by form field', async () => {
    const byHeader = await fetch(`${lrs.server.endpoint}/statements?method=GET`, {
      method: 'POST',
      headers: { ...V2, Authorization: AUTH_HEADER, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ limit: '1' }),
    });
    expect(await problemsOf(byHeader)).toEqual([expect.objectContaining({ path: 'method', rule: 'no-alternate-syntax-in-2.0' })]);
    expect(byHeader.headers.get('X-Experience-API-Version')).toBe('2.0.0');

    const byForm = await fetch(`${lrs.server.endpoint}/statements?method=PUT`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ statementId: randomUUID(), Authorization: AUTH_HEADER, 'X-Experience-API-Version': '2.0.0', content: JSON.stringify(statement()) }),
    });
    expect(await problemsOf(byForm)).toEqual([expect.objectContaining({ rule: 'no-alternate-syntax-in-2.0' })]);
  });

  it('still serves it to 1.0.3 clients', async () => {
    const res = await fetch(`${lrs.server.endpoint}/statements?method=GET`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ Authorization: AUTH_HEADER, ...V1, limit: '1' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Experience-API-Version')).toBe('1.0.3');
  });
});

describe('documents (9274.1.1 4.1.4, 4.1.6.2)', () => {
  const stateQuery = (stateId: string, extra: Record<string, string> = {}) =>
    new URLSearchParams({ activityId: 'https://acme.example/courses/safety', agent: JSON.stringify({ mbox: mbox('ana') }), stateId, ...extra }).toString();
  const putState = (stateId: string, body: Json, fetcher = x2, headers: Record<string, string> = {}) =>
    fetcher(`/activities/state?${stateQuery(stateId)}`, { method: 'PUT', json: body, headers });

  it('a 2.0 PUT that would replace a state document without If-Match or If-None-Match is a 409 and changes nothing', async () => {
    const id = randomUUID();
    expect((await putState(id, { page: 1 })).status).toBe(204); // creating needs no precondition
    const conflict = await putState(id, { page: 2 });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as ErrorBody).error.problems?.[0]).toMatchObject({ path: 'If-Match', rule: 'precondition-required' });
    const got = await x2(`/activities/state?${stateQuery(id)}`);
    expect(await got.json()).toEqual({ page: 1 });
    expect(got.headers.get('Last-Modified')).not.toBeNull();
    expect((await putState(id, { page: 3 }, x2, { 'If-Match': got.headers.get('ETag')! })).status).toBe(204);
  });

  it('a 1.0.3 PUT replaces a state document without preconditions, as before', async () => {
    const id = randomUUID();
    expect((await putState(id, { page: 1 }, xapi)).status).toBe(204);
    expect((await putState(id, { page: 2 }, xapi)).status).toBe(204);
  });

  it('reads since as RFC 3339 in 2.0', async () => {
    const list = (since: string, fetcher = x2) =>
      fetcher(`/activities/state?${new URLSearchParams({ activityId: 'https://acme.example/courses/safety', agent: JSON.stringify({ mbox: mbox('ana') }), since }).toString()}`);
    expect((await list('2024-03-01T12:00:00Z')).status).toBe(200);
    expect(await problemsOf(await list('2024-03-01T12:00:00'))).toContainEqual(expect.objectContaining({ path: 'since', rule: 'rfc3339-timestamp' }));
    expect((await list('2024-03-01T12:00:00', xapi)).status).toBe(200);
  });
});
