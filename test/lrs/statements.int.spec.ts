/** The Statement resource over real HTTP on loopback with a real SQLite file. */
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serveEachTest } from '../support/serve-each-test.js';

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

function statement(overrides: Record<string, unknown> = {}, who = 'ana'): Record<string, unknown> {
  return {
    actor: { objectType: 'Agent', mbox: `mailto:${who}@acme.example`, name: who },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed', 'es-ES': 'completó' } },
    object: { objectType: 'Activity', id: 'https://acme.example/courses/safety', definition: { name: { 'en-US': 'Safety', 'es-ES': 'Seguridad' } } },
    ...overrides,
  };
}

const lrs = serveEachTest({ maxPageSize: 50, maxBodyBytes: 64 * 1024 });
const { xapi } = lrs;

async function post(body: unknown): Promise<string[]> {
  const res = await xapi('/statements', { method: 'POST', json: body });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as string[];
}

async function query(qs: string): Promise<{ statements: Record<string, unknown>[]; more: string }> {
  const res = await xapi(`/statements?${qs}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { statements: Record<string, unknown>[]; more: string };
}

describe('writing statements', () => {
  it('POST of an array returns the ids in order and stores id, stored, authority, timestamp and version', async () => {
    const given = randomUUID();
    const ids = await post([statement(), statement({ id: given })]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(given);
    const res = await xapi(`/statements?statementId=${ids[0]}`);
    const stored = (await res.json()) as Record<string, unknown>;
    expect(stored.id).toBe(ids[0]);
    expect(stored.stored).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(stored.timestamp).toBe(stored.stored);
    expect(stored.version).toBe('1.0.0');
    expect(stored.authority).toMatchObject({ objectType: 'Agent', account: { name: 'test-key' } });
  });

  it('PUT stores under statementId and answers 204', async () => {
    const id = randomUUID();
    const res = await xapi(`/statements?statementId=${id}`, { method: 'PUT', json: statement() });
    expect(res.status).toBe(204);
    expect((await xapi(`/statements?statementId=${id}`)).status).toBe(200);
  });

  it('PUT without statementId or with a different id in the body is a 400 naming the problem', async () => {
    const missing = await xapi('/statements', { method: 'PUT', json: statement() });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { problems: { path: string }[] } }).error.problems[0]?.path).toBe('statementId');
    const mismatch = await xapi(`/statements?statementId=${randomUUID()}`, { method: 'PUT', json: statement({ id: randomUUID() }) });
    expect(mismatch.status).toBe(400);
  });

  it('the same statement again is accepted unchanged; a different one with that id is 409 and nothing of the batch is stored', async () => {
    const id = randomUUID();
    await post(statement({ id }));
    const first = await (await xapi(`/statements?statementId=${id}`)).json();
    expect(await post(statement({ id }))).toEqual([id]);
    expect(await (await xapi(`/statements?statementId=${id}`)).json()).toEqual(first);

    const bystander = randomUUID();
    const conflict = await xapi('/statements', {
      method: 'POST',
      json: [statement({ id: bystander }), statement({ id, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } })],
    });
    expect(conflict.status).toBe(409);
    expect((await xapi(`/statements?statementId=${bystander}`)).status).toBe(404);
  });

  it('an invalid statement in a batch rejects the whole batch with the path and rule', async () => {
    const ok = randomUUID();
    const res = await xapi('/statements', { method: 'POST', json: [statement({ id: ok }), statement({ actor: { mbox: 'ana@acme.example' } })] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { problems: { path: string; rule: string }[] } };
    expect(body.error.problems.some((p) => p.path.startsWith('statements[1].actor'))).toBe(true);
    expect((await xapi(`/statements?statementId=${ok}`)).status).toBe(404);
  });

  it('two statements with the same id in one batch are a 400', async () => {
    const id = randomUUID();
    const res = await xapi('/statements', { method: 'POST', json: [statement({ id }), statement({ id })] });
    expect(res.status).toBe(400);
  });
});

describe('voiding', () => {
  it('a voided statement is returned only by voidedStatementId, and a voiding statement cannot be voided', async () => {
    const [target] = await post(statement());
    const [voiding] = await post(statement({ verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: target } }));
    expect((await xapi(`/statements?statementId=${target}`)).status).toBe(404);
    const voided = await xapi(`/statements?voidedStatementId=${target}`);
    expect(voided.status).toBe(200);
    expect(((await voided.json()) as { id: string }).id).toBe(target);
    expect((await xapi(`/statements?voidedStatementId=${voiding}`)).status).toBe(404);

    const all = await query('');
    expect(all.statements.map((s) => s.id)).toEqual([voiding]);

    const res = await xapi('/statements', { method: 'POST', json: statement({ verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: voiding } }) });
    expect(res.status).toBe(400);
  });

  it('a statement referring to a voided statement still matches filters on the target', async () => {
    const [target] = await post(statement({}, 'bea'));
    const [voiding] = await post(statement({ verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: target } }, 'admin'));
    const agent = encodeURIComponent(JSON.stringify({ mbox: 'mailto:bea@acme.example' }));
    const byAgent = await query(`agent=${agent}`);
    expect(byAgent.statements.map((s) => s.id)).toEqual([voiding]);
    const byActivity = await query(`activity=${encodeURIComponent('https://acme.example/courses/safety')}`);
    expect(byActivity.statements.map((s) => s.id)).toEqual([voiding]);
    // since/until/limit still apply to the referring statement itself
    const after = await query(`agent=${agent}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(after.statements).toEqual([]);
  });
});

describe('queries', () => {
  it('filters by agent, verb, activity, registration and related_* and orders by stored', async () => {
    const registration = randomUUID();
    const ids = await post([
      statement({}, 'ana'),
      statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' } }, 'bob'),
      statement({ context: { registration, instructor: { mbox: 'mailto:teacher@acme.example' }, contextActivities: { parent: [{ id: 'https://acme.example/programs/onboarding' }] } } }, 'cy'),
    ]);
    const agent = (email: string) => encodeURIComponent(JSON.stringify({ mbox: `mailto:${email}` }));
    expect((await query(`agent=${agent('bob@acme.example')}`)).statements.map((s) => s.id)).toEqual([ids[1]]);
    expect((await query(`verb=${encodeURIComponent('http://adlnet.gov/expapi/verbs/completed')}`)).statements.map((s) => s.id)).toEqual([ids[2], ids[0]]);
    expect((await query(`registration=${registration}`)).statements.map((s) => s.id)).toEqual([ids[2]]);
    expect((await query(`agent=${agent('teacher@acme.example')}`)).statements).toEqual([]);
    expect((await query(`agent=${agent('teacher@acme.example')}&related_agents=true`)).statements.map((s) => s.id)).toEqual([ids[2]]);
    const program = encodeURIComponent('https://acme.example/programs/onboarding');
    expect((await query(`activity=${program}`)).statements).toEqual([]);
    expect((await query(`activity=${program}&related_activities=true`)).statements.map((s) => s.id)).toEqual([ids[2]]);
    expect((await query('ascending=true')).statements.map((s) => s.id)).toEqual(ids);
  });

  it('pages with more links that stay stable while statements keep arriving', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(...(await post([statement(), statement()])));
    const first = await query('limit=4');
    expect(first.statements.map((s) => s.id)).toEqual(ids.slice().reverse().slice(0, 4));
    expect(first.more).toMatch(/^\/xapi\/statements\?more=/);
    await post([statement(), statement()]); // arrives between pages
    const seen = first.statements.map((s) => s.id);
    let more = first.more;
    while (more) {
      const res = await xapi(more.replace('/xapi', ''));
      const page = (await res.json()) as { statements: { id: string }[]; more: string };
      seen.push(...page.statements.map((s) => s.id));
      more = page.more;
    }
    expect(seen).toEqual(ids.slice().reverse());
  });

  it('caps limit at the server page size and sets X-Experience-API-Consistent-Through', async () => {
    await post(Array.from({ length: 60 }, () => statement()));
    const res = await xapi('/statements?limit=0');
    expect(res.headers.get('X-Experience-API-Consistent-Through')).toMatch(/Z$/);
    const page = (await res.json()) as { statements: unknown[]; more: string };
    expect(page.statements).toHaveLength(50);
    expect(page.more).not.toBe('');
  });

  it('format=ids keeps identifiers only and format=canonical picks the Accept-Language', async () => {
    const [id] = await post(statement());
    const ids = (await (await xapi(`/statements?statementId=${id}&format=ids`)).json()) as Record<string, any>;
    expect(ids.actor).toEqual({ objectType: 'Agent', mbox: 'mailto:ana@acme.example' });
    expect(ids.verb).toEqual({ id: 'http://adlnet.gov/expapi/verbs/completed' });
    expect(ids.object).toEqual({ id: 'https://acme.example/courses/safety' });
    const canonical = (await (await xapi(`/statements?statementId=${id}&format=canonical`, { headers: { 'Accept-Language': 'es;q=0.9, fr' } })).json()) as Record<string, any>;
    expect(canonical.verb.display).toEqual({ 'es-ES': 'completó' });
    expect(canonical.object.definition.name).toEqual({ 'es-ES': 'Seguridad' });
  });

  it('attachments=true answers multipart/mixed with the statements first', async () => {
    const [id] = await post(statement());
    const res = await xapi(`/statements?statementId=${id}&attachments=true`);
    expect(res.headers.get('Content-Type')).toMatch(/^multipart\/mixed; boundary=/);
    expect(await res.text()).toContain(`"id":"${id}"`);
  });

  it('HEAD answers like GET without a body', async () => {
    const [id] = await post(statement());
    const res = await xapi(`/statements?statementId=${id}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it.each([
    ['unknown parameter', 'colour=red', 'colour'],
    ['bad agent JSON', 'agent=%7Bnope', 'agent'],
    ['bad since', 'since=yesterday', 'since'],
    ['bad limit', 'limit=-1', 'limit'],
    ['bad format', 'format=full', 'format'],
    ['statementId with a filter', `statementId=${randomUUID()}&verb=http%3A%2F%2Fx`, 'verb'],
    ['malformed more', 'more=zzz', 'more'],
  ])('rejects %s with a 400 naming the parameter', async (_name, qs, path) => {
    const res = await xapi(`/statements?${qs}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { problems: { path: string }[] } };
    expect(body.error.problems[0]?.path).toBe(path);
  });
});

describe('protocol', () => {
  it('requires X-Experience-API-Version on resources but not on about, and accepts any 1.0.x', async () => {
    // Without a version the latest is stated (xAPI 2.0 test/lrs/xapi2.int.spec.ts covers the rest).
    const about = await fetch(`${lrs.server.endpoint}/about`);
    expect(about.status).toBe(200);
    expect(((await about.json()) as { version: string[] }).version).toContain('1.0.3');
    expect(about.headers.get('X-Experience-API-Version')).toBe('2.0.0');
    expect((await xapi('/about')).headers.get('X-Experience-API-Version')).toBe('1.0.3');
    const missing = await fetch(`${lrs.server.endpoint}/statements`, { headers: { Authorization: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('X-Experience-API-Version')).toBe('2.0.0');
    expect((await xapi('/statements', { headers: { 'X-Experience-API-Version': '1.0.2' } })).status).toBe(200);
    expect((await xapi('/statements', { headers: { 'X-Experience-API-Version': '0.95' } })).status).toBe(400);
  });

  it('refuses missing or wrong credentials with 401 and a challenge', async () => {
    const res = await xapi('/statements', { headers: { Authorization: `Basic ${Buffer.from('test-key:wrong').toString('base64')}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Basic/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('rejects malformed JSON, a wrong content type and an oversized body with JSON errors', async () => {
    const malformed = await xapi('/statements', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"actor":' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('malformed-json');
    const wrongType = await xapi('/statements', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(statement()) });
    expect(wrongType.status).toBe(400);
    const big = await xapi('/statements', { method: 'POST', json: Array.from({ length: 400 }, () => statement()) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('body-too-large');
    expect((await query('')).statements).toEqual([]);
  });

  it('answers CORS preflight without credentials', async () => {
    const res = await fetch(`${lrs.server.endpoint}/statements`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://content.example', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization,x-experience-api-version,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});

describe('attachments', () => {
  const body = 'a certificate, in plain text\r\nwith a CRLF inside';
  const sha2 = createHash('sha256').update(body).digest('hex');
  const withAttachment = (hash = sha2) =>
    statement({
      id: randomUUID(),
      attachments: [{ usageType: 'http://adlnet.gov/expapi/attachments/certificate', display: { 'en-US': 'Certificate' }, contentType: 'text/plain', length: Buffer.byteLength(body), sha2: hash }],
    });
  function multipart(json: unknown, parts: { headers: Record<string, string>; body: string }[]): { body: string; type: string } {
    const boundary = 'b0undary-test';
    let out = `--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}\r\n`;
    for (const part of parts) {
      out += `--${boundary}\r\n${Object.entries(part.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${part.body}\r\n`;
    }
    return { body: `${out}--${boundary}--\r\n`, type: `multipart/mixed; boundary=${boundary}` };
  }
  const part = (hash = sha2) => ({ headers: { 'Content-Type': 'text/plain', 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': hash }, body });

  it('stores a multipart/mixed statement with its attachment and returns it with attachments=true', async () => {
    const s = withAttachment();
    const { body: payload, type } = multipart(s, [part()]);
    const res = await xapi('/statements', { method: 'POST', headers: { 'Content-Type': type }, body: payload });
    expect(res.status, await res.clone().text()).toBe(200);
    const got = await xapi(`/statements?statementId=${s.id}&attachments=true`);
    const text = await got.text();
    expect(got.headers.get('Content-Type')).toMatch(/^multipart\/mixed; boundary=/);
    expect(text).toContain(`X-Experience-API-Hash: ${sha2}`);
    expect(text).toContain(body);
  });

  it.each([
    ['a part whose body does not match its hash', () => multipart(withAttachment(), [{ ...part(), body: 'tampered' }]), 'attachment-hash-mismatch'],
    ['a part that matches no attachment', () => multipart(statement(), [part()]), 'unexpected-attachment'],
    ['an attachment with neither fileUrl nor part', () => multipart(withAttachment(), []), 'missing-attachment'],
    ['a first part that is not JSON', () => ({ body: '--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x--\r\n', type: 'multipart/mixed; boundary=x' }), 'malformed-multipart'],
  ])('rejects %s with a 400 and stores nothing', async (_name, make, code) => {
    const { body: payload, type } = make();
    const res = await xapi('/statements', { method: 'POST', headers: { 'Content-Type': type }, body: payload });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    expect((await query('')).statements).toEqual([]);
  });
});

describe('stored form', () => {
  it('stores a single context activity as an array of one, in statements and substatements', async () => {
    const parent = { id: 'https://acme.example/programs/onboarding' };
    const [id] = await post(
      statement({
        context: { contextActivities: { parent } },
        object: { objectType: 'SubStatement', actor: { mbox: 'mailto:x@acme.example' }, verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' }, object: { id: 'https://acme.example/a' }, context: { contextActivities: { category: parent } } },
      }),
    );
    const stored = (await (await xapi(`/statements?statementId=${id}`)).json()) as Record<string, any>;
    expect(stored.context.contextActivities.parent).toEqual([parent]);
    expect(stored.object.context.contextActivities.category).toEqual([parent]);
  });
});
