/** Signed statements (xAPI 1.0.3 Data 2.6) over real HTTP on loopback with a real SQLite file. */
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompactSign, generateKeyPair } from 'jose';
import { serveEachTest } from '../support/serve-each-test.js';
import { APPENDIX_D_JWS, APPENDIX_D_STATEMENT } from '../support/appendix-d.js';

const SIGNATURE = 'http://adlnet.gov/expapi/attachments/signature';

type Json = Record<string, unknown>;

function statement(overrides: Json = {}): Json {
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', mbox: 'mailto:ana@acme.example', name: 'Ana' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
    object: { objectType: 'Activity', id: 'https://acme.example/courses/safety' },
    ...overrides,
  };
}

let key: KeyObject;
beforeAll(async () => {
  key = (await generateKeyPair('RS256')).privateKey as KeyObject;
});

async function jws(payload: unknown, alg = 'RS256', signingKey: KeyObject | Uint8Array = key): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg }).sign(signingKey);
}

interface Signed {
  statement: Json;
  signature: string;
  contentType?: string;
}

/** The statements with their signature attachments, as the suite sends them: multipart/mixed, JSON first. */
function multipart(items: Signed[], asArray = items.length > 1): { body: string; type: string } {
  const boundary = `sig-${randomUUID()}`;
  const statements = items.map(({ statement: s, signature, contentType = 'application/octet-stream' }) => ({
    ...s,
    attachments: [
      {
        usageType: SIGNATURE,
        display: { 'en-US': 'Signature' },
        contentType,
        length: Buffer.byteLength(signature),
        sha2: createHash('sha256').update(signature).digest('hex'),
      },
    ],
  }));
  let body = `--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(asArray ? statements : statements[0])}\r\n`;
  for (const [i, item] of items.entries()) {
    const sha2 = statements[i]?.attachments[0]?.sha2;
    body += `--${boundary}\r\nContent-Type: ${item.contentType ?? 'application/octet-stream'}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${sha2}\r\n\r\n${item.signature}\r\n`;
  }
  return { body: `${body}--${boundary}--\r\n`, type: `multipart/mixed; boundary=${boundary}` };
}

const lrs = serveEachTest();
const { xapi } = lrs;

async function post(items: Signed[], path = '/statements', method = 'POST'): Promise<Response> {
  const { body, type } = multipart(items);
  return xapi(path, { method, body, headers: { 'Content-Type': type } });
}

async function expectRejected(res: Response, rule: string, path: string): Promise<void> {
  const body = (await res.json()) as { error: { code: string; problems: { path: string; rule: string }[] } };
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe('invalid-signature');
  expect(body.error.problems).toContainEqual(expect.objectContaining({ path, rule }));
}

describe('a signed statement is stored', () => {
  it.each(['RS256', 'RS384', 'RS512'])('with a %s signature, and returned with its signature attachment', async (alg) => {
    const s = statement();
    const signingKey = (await generateKeyPair(alg)).privateKey as KeyObject;
    const signature = await jws(s, alg, signingKey);
    const res = await post([{ statement: s, signature }]);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual([s.id]);

    const got = await xapi(`/statements?statementId=${s.id as string}&attachments=true`);
    expect(got.status).toBe(200);
    const text = await got.text();
    expect(text).toContain(SIGNATURE);
    expect(text).toContain(signature);
  });

  it('framed as the conformance suite does: a CRLF preamble, nothing after the close delimiter (RFC 2046 5.1.1)', async () => {
    const s = statement();
    const { body, type } = multipart([{ statement: s, signature: await jws(s) }]);
    const res = await xapi('/statements', { method: 'POST', body: `\r\n${body.replace(/\r\n$/, '')}`, headers: { 'Content-Type': type } });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it("the spec's Appendix D example, with its x5c certificate chain, by PUT", async () => {
    const res = await post([{ statement: APPENDIX_D_STATEMENT, signature: APPENDIX_D_JWS }], `/statements?statementId=${APPENDIX_D_STATEMENT.id}`, 'PUT');
    expect(res.status, await res.clone().text()).toBe(204);
    expect((await xapi(`/statements?statementId=${APPENDIX_D_STATEMENT.id}`)).status).toBe(200);
  });

  it('when signed without an id and posted with one (ids may be assigned, Data 2.3.1.b1)', async () => {
    const s = statement();
    const withoutId = { ...s };
    delete withoutId.id;
    const res = await post([{ statement: s, signature: await jws(withoutId) }]);
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe('a statement with a malformed signature is rejected with 400, path and rule (Data 2.6.s5.b1)', () => {
  it('another algorithm', async () => {
    const s = statement();
    await expectRejected(await post([{ statement: s, signature: await jws(s, 'HS256', new TextEncoder().encode('x'.repeat(32))) }]), 'rs-algorithm', 'statement.attachments[0]');
  });

  it('a payload that is not JSON', async () => {
    const s = statement();
    const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
    const payload = Buffer.from(JSON.stringify(s).replace('"', "'")).toString('base64url');
    await expectRejected(await post([{ statement: s, signature: `${header}.${payload}.c2ln` }]), 'payload-json', 'statement.attachments[0]');
  });

  it('a payload that is another statement', async () => {
    const s = statement();
    await expectRejected(await post([{ statement: s, signature: await jws({ ...s, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }) }]), 'payload-matches-statement', 'statement.attachments[0]');
  });

  it('not a JWS', async () => {
    await expectRejected(await post([{ statement: statement(), signature: 'not a signature' }]), 'jws-syntax', 'statement.attachments[0]');
  });

  it('a signature attachment whose contentType is not application/octet-stream', async () => {
    const s = statement();
    await expectRejected(await post([{ statement: s, signature: await jws(s), contentType: 'text/plain; charset=ascii' }]), 'signature-content-type', 'statement.attachments[0].contentType');
  });

  it('an x5c signature that does not verify', async () => {
    const [h, p, sig] = APPENDIX_D_JWS.split('.') as [string, string, string];
    const tampered = `${h}.${p}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    await expectRejected(await post([{ statement: APPENDIX_D_STATEMENT, signature: tampered }]), 'signature-valid', 'statement.attachments[0]');
  });

  it('and a batch with one bad signature stores nothing', async () => {
    const good = statement();
    const bad = statement();
    const res = await post([
      { statement: good, signature: await jws(good) },
      { statement: bad, signature: await jws(good) },
    ]);
    await expectRejected(res, 'payload-matches-statement', 'statements[1].attachments[0]');
    expect((await xapi(`/statements?statementId=${good.id as string}`)).status).toBe(404);
  });
});
