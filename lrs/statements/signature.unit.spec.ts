import { createHash, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CompactSign, FlattenedSign, generateKeyPair } from 'jose';
import { apiErrorOf } from '../../src/http/errors.js';
import { Refusal } from '../../src/refusal.js';
import { checkJws, SIGNATURE_USAGE_TYPE, verifySignedStatements } from './signature.js';
import { APPENDIX_D_JWS, APPENDIX_D_PRIVATE_KEY, APPENDIX_D_STATEMENT } from '../../test/support/appendix-d.js';

type Json = Record<string, any>;

const bytes = (s: string) => new TextEncoder().encode(s);
const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

function statement(): Json {
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', mbox: 'mailto:ana@acme.example', name: 'Ana' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
    object: { objectType: 'Activity', id: 'https://acme.example/courses/safety' },
    timestamp: '2024-03-01T12:00:00.123Z',
  };
}

const keys = new Map<string, Promise<KeyObject>>();

/** One generated key per algorithm (RSA generation is slow). */
function rsaKey(alg = 'RS256'): Promise<KeyObject> {
  let key = keys.get(alg);
  if (!key) keys.set(alg, (key = generateKeyPair(alg).then((pair) => pair.privateKey as KeyObject)));
  return key;
}

async function compact(payload: unknown, alg = 'RS256', header: Json = {}, key?: KeyObject | Uint8Array): Promise<string> {
  return new CompactSign(bytes(JSON.stringify(payload))).setProtectedHeader({ alg, ...header }).sign(key ?? (await rsaKey(alg)));
}

/** A compact JWS made by hand (any header, any key size), RSASSA-PKCS1-v1_5 with SHA-256. */
function handMade(header: Json, payload: string, key: KeyObject | string): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(payload)}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
}

const appendixDCertificates = (): string[] => JSON.parse(Buffer.from(APPENDIX_D_JWS.split('.')[0] as string, 'base64url').toString()).x5c;

const ruleOf = async (jws: string, s: Json) => (await checkJws(bytes(jws), s))?.rule ?? null;

describe('checkJws: no x5c (no cryptographic check, Data 2.6.s5.b3.b3)', () => {
  it.each(['RS256', 'RS384', 'RS512'])('accepts a %s signature whose payload is the statement', async (alg) => {
    const s = statement();
    expect(await ruleOf(await compact(s, alg), s)).toBeNull();
  });

  it('accepts a payload equal by the comparison rules: key order, verb display, stored, authority, attachments', async () => {
    const s = statement();
    const signed = { ...s, verb: { id: s.verb.id }, stored: '2030-01-01T00:00:00Z', authority: { mbox: 'mailto:x@y.example' } };
    expect(await ruleOf(await compact(signed), { ...s, attachments: [{ usageType: SIGNATURE_USAGE_TYPE }] })).toBeNull();
  });

  it('rejects another algorithm (HS256, none, PS256, ES256)', async () => {
    const s = statement();
    expect(await ruleOf(await compact(s, 'HS256', {}, bytes('a shared secret of enough length for HS256!')), s)).toBe('rs-algorithm');
    expect(await ruleOf(`${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(s))}.`, s)).toBe('rs-algorithm');
    expect(await ruleOf(await compact(s, 'PS256'), s)).toBe('rs-algorithm');
    expect(await ruleOf(await compact(s, 'ES256'), s)).toBe('rs-algorithm');
    expect(await ruleOf(handMade({ alg: 'constructor' }, JSON.stringify(s), await rsaKey()), s)).toBe('rs-algorithm');
  });

  it('rejects a payload that is not JSON, or not a statement object', async () => {
    const s = statement();
    // the suite's "breakJson": the first " replaced by '
    const broken = handMade({ alg: 'RS256' }, JSON.stringify(s).replace('"', "'"), await rsaKey());
    expect(await ruleOf(broken, s)).toBe('payload-json');
    expect(await ruleOf(handMade({ alg: 'RS256' }, '[1,2]', await rsaKey()), s)).toBe('payload-json');
  });

  it('rejects a payload that is another statement', async () => {
    const s = statement();
    expect(await ruleOf(await compact({ ...s, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }), s)).toBe('payload-matches-statement');
    expect(await ruleOf(await compact({ ...s, id: randomUUID() }), s)).toBe('payload-matches-statement');
    expect(await ruleOf(await compact({ ...s, result: { success: true } }), s)).toBe('payload-matches-statement');
  });

  it('rejects what is not a JWS, and unsupported extensions', async () => {
    const s = statement();
    for (const body of ['', 'hello', 'a.b', 'a.b.c.d', 'ab!.cd.ef', `.${b64url(JSON.stringify(s))}.`, `${b64url('not json')}.${b64url('{}')}.`, '{"no":"payload"}']) {
      expect(await ruleOf(body, s), body).toBe('jws-syntax');
    }
    expect(await ruleOf(handMade({ alg: 'RS256', crit: ['exp'], exp: 1 }, JSON.stringify(s), await rsaKey()), s)).toBe('jws-crit');
  });

  it('accepts the JWS JSON serialization (flattened and general)', async () => {
    const s = statement();
    const flattened = await new FlattenedSign(bytes(JSON.stringify(s))).setProtectedHeader({ alg: 'RS384' }).sign(await rsaKey('RS384'));
    expect(await ruleOf(JSON.stringify(flattened), s)).toBeNull();
    const general = { payload: flattened.payload, signatures: [{ protected: flattened.protected, signature: flattened.signature }] };
    expect(await ruleOf(JSON.stringify(general), s)).toBeNull();
    const hs = await new FlattenedSign(bytes(JSON.stringify(s))).setProtectedHeader({ alg: 'HS256' }).sign(bytes('a shared secret of enough length for HS256!'));
    expect(await ruleOf(JSON.stringify({ payload: flattened.payload, signatures: [general.signatures[0], { protected: hs.protected, signature: hs.signature }] }), s)).toBe('rs-algorithm');
  });
});

describe('checkJws: x5c (Data 2.6.s5.b3.b3)', () => {
  it("accepts the spec's Appendix D example (1024-bit key, expired certificate)", async () => {
    expect(await ruleOf(APPENDIX_D_JWS, APPENDIX_D_STATEMENT)).toBeNull();
  });

  it('rejects a signature that does not verify with the first x5c certificate', async () => {
    const [h, p, sig] = APPENDIX_D_JWS.split('.') as [string, string, string];
    const flipped = Buffer.from(sig, 'base64url');
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(await ruleOf(`${h}.${p}.${b64url(flipped)}`, APPENDIX_D_STATEMENT)).toBe('signature-valid');

    const otherKey = await rsaKey('RS512');
    const s = statement();
    expect(await ruleOf(handMade({ alg: 'RS256', x5c: appendixDCertificates() }, JSON.stringify(s), otherKey), s)).toBe('signature-valid');
  });

  it('verifies signatures made with the certificate key over another statement', async () => {
    const s = statement();
    const key = createPrivateKey(APPENDIX_D_PRIVATE_KEY);
    expect(await ruleOf(handMade({ alg: 'RS256', x5c: appendixDCertificates() }, JSON.stringify(s), key), s)).toBeNull();
    expect(await ruleOf(handMade({ alg: 'RS256', x5c: appendixDCertificates().slice(0, 1) }, JSON.stringify(s), key), s)).toBeNull();
    // the right key, but the header claims RS512 while the signature is RS256
    expect(await ruleOf(handMade({ alg: 'RS512', x5c: appendixDCertificates() }, JSON.stringify(s), key), s)).toBe('signature-valid');
  });

  it('rejects an x5c that is not a certificate', async () => {
    const s = statement();
    const key = await rsaKey();
    for (const x5c of [[], 'MIIB', ['not base64!'], [b64url('garbage').replace(/[-_]/g, 'A')]]) {
      expect(await ruleOf(handMade({ alg: 'RS256', x5c }, JSON.stringify(s), key), s), JSON.stringify(x5c)).toBe('x5c-certificate');
    }
  });
});

describe('verifySignedStatements', () => {
  async function signed(s: Json, jws?: string, overrides: Json = {}) {
    const body = bytes(jws ?? (await compact(s)));
    const sha2 = createHash('sha256').update(body).digest('hex');
    const attachment = { usageType: SIGNATURE_USAGE_TYPE, display: { 'en-US': 'Signature' }, contentType: 'application/octet-stream', length: body.length, sha2, ...overrides };
    return { statement: { ...s, attachments: [attachment] }, part: { sha2, contentType: 'application/octet-stream', body } };
  }

  const problemsOf = async (run: Promise<void>) => {
    const error = await run.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Refusal);
    const answer = apiErrorOf(error as Refusal);
    expect(answer.status).toBe(400);
    return answer.problems?.map((p) => `${p.path} ${p.rule}`);
  };

  it('passes unsigned statements and good signatures', async () => {
    const s = statement();
    const { statement: withSignature, part } = await signed(s);
    await verifySignedStatements([statement(), withSignature], ['a', s.id], [part], true);
  });

  it('checks the payload against the id the statement is stored under', async () => {
    const s = statement();
    delete s.id;
    const { statement: withSignature, part } = await signed({ ...s, id: randomUUID() });
    const put: Json = { ...withSignature };
    delete put.id;
    expect(await problemsOf(verifySignedStatements([put], [randomUUID()], [part], false))).toEqual(['statement.attachments[0] payload-matches-statement']);
  });

  it('rejects a signature attachment that is not application/octet-stream, or has no body', async () => {
    const s = statement();
    const text = await signed(s, undefined, { contentType: 'text/plain; charset=ascii' });
    expect(await problemsOf(verifySignedStatements([text.statement], [s.id], [text.part], false))).toEqual(['statement.attachments[0].contentType signature-content-type']);
    const remote = await signed(s, undefined, { fileUrl: 'https://acme.example/sig.jws' });
    expect(await problemsOf(verifySignedStatements([remote.statement], [s.id], [], false))).toEqual(['statement.attachments[0] signature-body-required']);
  });

  it('reports every bad signature of a batch with its path', async () => {
    const a = statement();
    const b = statement();
    const good = await signed(a);
    const bad = await signed(b, await compact(b, 'HS256', {}, bytes('a shared secret of enough length for HS256!')));
    expect(await problemsOf(verifySignedStatements([good.statement, bad.statement], [a.id, b.id], [good.part, bad.part], true))).toEqual([
      'statements[1].attachments[0] rs-algorithm',
    ]);
  });
});
