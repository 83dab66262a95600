/**
 * Signed statements (xAPI 1.0.3 Data 2.6). A statement is signed when one of its attachments has
 * usageType `http://adlnet.gov/expapi/attachments/signature`; that attachment's body is a JWS
 * (RFC 7515) whose payload is the statement as it was before the signature was added.
 *
 * What the LRS checks (2.6.s5.b3), and the rule each failure reports:
 *   - the signature attachment has contentType application/octet-stream (2.6.s4.b1)  `signature-content-type`
 *     and its body was sent as a multipart part, so it can be decoded                `signature-body-required`
 *   - the body is a JWS: compact serialization, or the (discouraged, 2.6.s4.b2) JSON one  `jws-syntax`
 *   - the algorithm is RS256, RS384 or RS512 (2.6.s4.b4)                               `rs-algorithm`
 *   - no `crit` header parameter (no JWS extension is understood here, RFC 7515 4.1.11) `jws-crit`
 *   - the payload is a JSON statement (2.6.s4.b3)                                      `payload-json`
 *   - that statement is equivalent to the received one by the statement comparison rules
 *     (2.6.s5.b3.b2 → Data 2.3.1.s9; `statementsEquivalent` ignores stored, authority and the
 *     attachments, the signature among them, and what the LRS may assign)             `payload-matches-statement`
 *   - when the header has `x5c`, the signature verifies with the key of its first certificate
 *     (2.6.s5.b3.b3)                                                                   `x5c-certificate`, `signature-valid`
 * Without `x5c` the signature is not checked cryptographically: the spec asks for it only
 * against an included certificate, and says the check catches mistakes and is not a security
 * measure (2.6.s5 note). For the same reason the certificate chain, its dates and its trust are
 * not checked, and RSA keys below 2048 bits are accepted: the spec's own example (Appendix D)
 * signs with a 1024-bit key whose certificate expired in 2014. That is also why the RSA check
 * uses node:crypto — jose's verify refuses keys under 2048 bits.
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import { importX509 } from 'jose';
import { invalid, type Problem } from '../../src/refusal.js';
import type { AttachmentContent } from '../../src/storage/port.js';
import { statementsEquivalent } from './compare.js';

export const SIGNATURE_USAGE_TYPE = 'http://adlnet.gov/expapi/attachments/signature';

const HASH_BY_ALGORITHM = new Map([
  ['RS256', 'sha256'],
  ['RS384', 'sha384'],
  ['RS512', 'sha512'],
]);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One signature of a JWS, its segments as sent (base64url) and its JOSE header. */
interface JwsSignature {
  protected: string;
  payload: string;
  signature: string;
  header: Json;
}

/** A failed check: the rule broken and what was wrong. */
class Failure {
  constructor(
    readonly rule: string,
    readonly message: string,
  ) {}
}

const fail = (rule: string, message: string): Failure => new Failure(rule, message);

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeSegment(segment: unknown): Buffer | null {
  return typeof segment === 'string' && BASE64URL.test(segment) ? Buffer.from(segment, 'base64url') : null;
}

function parseJsonText(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/** The JOSE header: the protected header merged with the unprotected one (JSON serialization). */
function joseHeader(protectedSegment: string, unprotected: unknown): Json | Failure {
  let header: Json = {};
  if (protectedSegment !== '') {
    const bytes = decodeSegment(protectedSegment);
    const parsed = bytes && parseJsonText(bytes);
    if (!isObject(parsed)) return fail('jws-syntax', 'the JWS protected header is not base64url-encoded JSON object');
    header = parsed;
  }
  if (unprotected === undefined) return header;
  if (!isObject(unprotected)) return fail('jws-syntax', 'the JWS unprotected header must be a JSON object');
  if (Object.keys(unprotected).some((name) => name in header)) {
    return fail('jws-syntax', 'the JWS protected and unprotected headers must not share parameter names');
  }
  return { ...header, ...unprotected };
}

/** The signatures of a JWS in compact serialization, or in the JSON serialization (RFC 7515 7.2). */
function parseJws(body: Uint8Array): JwsSignature[] | Failure {
  const text = Buffer.from(body).toString('utf8').trim();
  if (!text.startsWith('{')) {
    const segments = text.split('.');
    if (segments.length !== 3 || segments.some((s) => !BASE64URL.test(s)) || segments[0] === '') {
      return fail('jws-syntax', 'the signature is not a JWS in compact serialization (three base64url segments)');
    }
    const [protectedSegment = '', payload = '', signature = ''] = segments;
    const header = joseHeader(protectedSegment, undefined);
    return header instanceof Failure ? header : [{ protected: protectedSegment, payload, signature, header }];
  }
  const json = parseJsonText(Buffer.from(text));
  if (!isObject(json) || typeof json.payload !== 'string' || !BASE64URL.test(json.payload)) {
    return fail('jws-syntax', 'the signature is neither a compact JWS nor a JWS JSON serialization with a payload');
  }
  const entries: unknown[] = Array.isArray(json.signatures) ? json.signatures : [json];
  if (entries.length === 0) return fail('jws-syntax', 'the JWS JSON serialization has no signatures');
  const signatures: JwsSignature[] = [];
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.signature !== 'string' || !BASE64URL.test(entry.signature)) {
      return fail('jws-syntax', 'each JWS signature needs a base64url "signature"');
    }
    const protectedSegment = entry.protected ?? '';
    if (typeof protectedSegment !== 'string') return fail('jws-syntax', 'the JWS "protected" member must be a string');
    const header = joseHeader(protectedSegment, entry.header);
    if (header instanceof Failure) return header;
    signatures.push({ protected: protectedSegment, payload: json.payload, signature: entry.signature, header });
  }
  return signatures;
}

async function certificateKey(x5c: unknown, algorithm: string): Promise<KeyObject | Failure> {
  const first: unknown = Array.isArray(x5c) ? x5c[0] : undefined;
  if (typeof first !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(first)) {
    return fail('x5c-certificate', '"x5c" must be a non-empty array of base64 DER certificates');
  }
  const lines = first.match(/.{1,64}/g) ?? [];
  try {
    const key = (await importX509(`-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----`, algorithm)) as KeyObject;
    if (key.asymmetricKeyType !== 'rsa') return fail('x5c-certificate', `the "x5c" certificate holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; ${algorithm} needs RSA`);
    return key;
  } catch (error) {
    return fail('x5c-certificate', `the first "x5c" certificate cannot be read: ${(error as Error).message}`);
  }
}

async function checkSignature(jws: JwsSignature, statement: Json): Promise<Failure | null> {
  const algorithm = jws.header.alg;
  const hash = typeof algorithm === 'string' ? HASH_BY_ALGORITHM.get(algorithm) : undefined;
  if (hash === undefined || typeof algorithm !== 'string') {
    return fail('rs-algorithm', `the JWS algorithm must be RS256, RS384 or RS512, not ${JSON.stringify(algorithm ?? null)}`);
  }
  if (jws.header.crit !== undefined) return fail('jws-crit', 'JWS extensions ("crit") are not supported');

  const payloadBytes = decodeSegment(jws.payload);
  const payload = payloadBytes && parseJsonText(payloadBytes);
  if (!isObject(payload)) return fail('payload-json', 'the JWS payload must be the JSON serialization of the statement');
  if (!statementsEquivalent(payload, statement)) {
    return fail('payload-matches-statement', 'the statement in the JWS payload differs from the statement sent (Data 2.3.1 comparison rules)');
  }

  if (jws.header.x5c === undefined) return null;
  const key = await certificateKey(jws.header.x5c, algorithm);
  if (key instanceof Failure) return key;
  const signature = decodeSegment(jws.signature) ?? Buffer.alloc(0);
  const signingInput = Buffer.from(`${jws.protected}.${jws.payload}`, 'ascii');
  let valid: boolean;
  try {
    valid = verify(hash, signingInput, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    valid = false;
  }
  return valid ? null : fail('signature-valid', 'the JWS signature does not verify with the key of the "x5c" certificate');
}

/** The first failed check of a signature attachment's body, or null when it is a good signature of `statement`. */
export async function checkJws(body: Uint8Array, statement: Json): Promise<{ rule: string; message: string } | null> {
  const signatures = parseJws(body);
  if (signatures instanceof Failure) return signatures;
  for (const jws of signatures) {
    const failure = await checkSignature(jws, statement);
    if (failure) return failure;
  }
  return null;
}

function mediaType(contentType: unknown): string {
  return typeof contentType === 'string' ? (contentType.split(';')[0] ?? '').trim().toLowerCase() : '';
}

/**
 * Checks every signature attachment of the statements (Data 2.6.s5) and refuses the request as
 * invalid (a 400) with one problem per bad signature. `ids` are the ids the statements will be stored under,
 * so a payload naming another id does not match.
 */
export async function verifySignedStatements(statements: Json[], ids: string[], parts: AttachmentContent[], asArray: boolean): Promise<void> {
  const bodies = new Map(parts.map((p) => [p.sha2, p.body]));
  const problems: Problem[] = [];
  for (const [i, statement] of statements.entries()) {
    const attachments = Array.isArray(statement.attachments) ? (statement.attachments as unknown[]) : [];
    for (const [j, attachment] of attachments.entries()) {
      if (!isObject(attachment) || attachment.usageType !== SIGNATURE_USAGE_TYPE) continue;
      const path = `${asArray ? `statements[${i}]` : 'statement'}.attachments[${j}]`;
      if (mediaType(attachment.contentType) !== 'application/octet-stream') {
        problems.push({ path: `${path}.contentType`, rule: 'signature-content-type', message: 'a signature attachment must have contentType application/octet-stream' });
        continue;
      }
      const body = bodies.get(String(attachment.sha2).toLowerCase());
      if (body === undefined) {
        problems.push({ path, rule: 'signature-body-required', message: 'send the JWS as a multipart/mixed part so the LRS can verify it' });
        continue;
      }
      const failure = await checkJws(body, { ...statement, id: ids[i] });
      if (failure) problems.push({ path, rule: failure.rule, message: failure.message });
    }
  }
  if (problems.length > 0) {
    throw invalid('invalid-signature', problems.map((p) => `${p.path}: ${p.message}`).slice(0, 5).join('; '), problems);
  }
}
