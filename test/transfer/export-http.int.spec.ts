/** GET /admin/v1/exports/statements: the export's NDJSON over HTTP, from a real server on loopback. */
import { describe, expect, it } from 'vitest';
import { serveEachTest } from '../support/serve-each-test.js';
import { AUTH_HEADER } from '../support/server.js';

const ADL = 'http://adlnet.gov/expapi/verbs/';
const current = serveEachTest();
const { xapi } = current;

const exportOf = (query = '', auth: string | null = AUTH_HEADER) => fetch(`${current.server.origin}/admin/v1/exports/statements${query}`, { headers: auth ? { Authorization: auth } : {} });

describe('GET /admin/v1/exports/statements', () => {
  it('streams every stored statement (voided ones too) as format=exact NDJSON in stored order; filters like the command', async () => {
    const statements = Array.from({ length: 1_500 }, (_, n) => ({
      actor: { mbox: `mailto:learner${n % 3}@acme.example` },
      verb: { id: `${ADL}experienced` },
      object: { id: `https://lms.example.com/courses/c${n % 5}` },
    }));
    for (let i = 0; i < statements.length; i += 500) expect((await xapi('/statements', { method: 'POST', json: statements.slice(i, i + 500) })).status).toBe(200);
    const [voidedId] = (await (await xapi('/statements', { method: 'POST', json: statements[0] })).json()) as string[];
    expect((await xapi('/statements', { method: 'POST', json: { actor: statements[0]!.actor, verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: voidedId } } })).status).toBe(200);

    const all = await exportOf();
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await all.text()).split('\n');
    expect(lines.pop()).toBe('');
    const log = await current.server.store.statements.readLog(0, 10_000);
    expect(lines).toEqual(log.map((r) => r.json));
    expect(lines).toHaveLength(1_502);

    const agent = encodeURIComponent(JSON.stringify({ mbox: 'mailto:learner1@acme.example' }));
    const mine = (await (await exportOf(`?agent=${agent}&activity=${encodeURIComponent('https://lms.example.com/courses/c1')}`)).text()).trim().split('\n');
    expect(mine.length).toBeGreaterThan(0);
    for (const line of mine) expect(JSON.parse(line)).toMatchObject({ actor: { mbox: 'mailto:learner1@acme.example' }, object: { id: 'https://lms.example.com/courses/c1' } });
    const since = log[1_000]!.stored;
    expect((await (await exportOf(`?since=${encodeURIComponent(since)}`)).text()).trim().split('\n')).toEqual(log.filter((r) => r.stored > since).map((r) => r.json));
  });

  it('refuses a bad bound or agent with a 400 naming the parameter, an unknown parameter, and a request without credentials', async () => {
    expect(await (await exportOf('?since=yesterday')).json()).toMatchObject({ error: { code: 'invalid-parameter', problems: [{ path: 'since', rule: 'timestamp' }] } });
    expect((await exportOf('?agent=%7B%7D')).status).toBe(400);
    expect((await exportOf('?limit=5')).status).toBe(400);
    expect((await exportOf('', null)).status).toBe(401);
  });
});
