/**
 * The document resources' pure parts: parameters, preconditions, JSON rules and the merge. A
 * refusal is checked as the HTTP answer it becomes (src/http/errors.ts).
 */
import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorOf } from '../../src/http/errors.js';
import { Refusal } from '../../src/refusal.js';
import { checkPreconditions, missingPrecondition, parseEtagList } from './preconditions.js';
import { checkJsonBody, documentContent, isJsonType, mergeInto, postedObject } from './content.js';
import { ACTIVITY_PROFILE, AGENT_PROFILE, STATE, parseDocumentTarget } from './resources.js';

const AGENT = JSON.stringify({ objectType: 'Agent', mbox: 'mailto:ana@example.com' });
const REG = '6F1B9C3E-0D8A-4B53-9C61-4C1F0B8E2A10';
const ETAG = 'a9993e364706816aba3e25717850c26c9cd0d89d';
const enc = (s: string) => new TextEncoder().encode(s);

function apiError(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    if (error instanceof Refusal) return apiErrorOf(error);
    throw error;
  }
  throw new Error('expected an ApiError');
}

const params = (o: Record<string, string>) => new URLSearchParams(o);

describe('document parameters', () => {
  it('a state request names one document by activityId, agent, registration and stateId', () => {
    const target = parseDocumentTarget(STATE, 'PUT', params({ activityId: 'http://a.example/1', agent: AGENT, registration: REG, stateId: 's1' }));
    expect(target).toEqual({
      kind: 'one',
      key: { resource: 'state', activityId: 'http://a.example/1', agent: 'mbox:mailto:ana@example.com', registration: REG.toLowerCase(), id: 's1' },
    });
  });

  it('GET without an id lists; since is normalised to UTC milliseconds; without registration every registration', () => {
    const target = parseDocumentTarget(STATE, 'GET', params({ activityId: 'http://a.example/1', agent: AGENT, since: '2024-05-01T12:00:00.1234+02:00' }));
    expect(target).toEqual({
      kind: 'many',
      selection: { resource: 'state', activityId: 'http://a.example/1', agent: 'mbox:mailto:ana@example.com' },
      since: '2024-05-01T10:00:00.123Z',
    });
    const withRegistration = parseDocumentTarget(STATE, 'DELETE', params({ activityId: 'http://a.example/1', agent: AGENT, registration: REG }));
    expect(withRegistration).toMatchObject({ kind: 'many', selection: { registration: REG.toLowerCase() } });
  });

  it('the profile resources are scoped by their Activity or Agent only, and DELETE needs a profileId', () => {
    expect(parseDocumentTarget(ACTIVITY_PROFILE, 'GET', params({ activityId: 'http://a.example/1', profileId: 'p' }))).toMatchObject({
      kind: 'one',
      key: { resource: 'activity-profile', agent: null, registration: null, id: 'p' },
    });
    expect(parseDocumentTarget(AGENT_PROFILE, 'GET', params({ agent: AGENT }))).toMatchObject({ kind: 'many', selection: { resource: 'agent-profile', activityId: null } });
    expect(apiError(() => parseDocumentTarget(AGENT_PROFILE, 'DELETE', params({ agent: AGENT }))).problems?.[0]).toMatchObject({ path: 'profileId', rule: 'required' });
  });

  it.each([
    [STATE, 'PUT', { agent: AGENT, stateId: 's' }, 'activityId', 'required'],
    [STATE, 'PUT', { activityId: 'not an iri', agent: AGENT, stateId: 's' }, 'activityId', 'iri'],
    [STATE, 'GET', { activityId: 'http://a.example/1', agent: 'not JSON' }, 'agent', 'json'],
    [STATE, 'GET', { activityId: 'http://a.example/1', agent: 'true' }, 'agent', 'type'],
    [STATE, 'GET', { activityId: 'http://a.example/1', agent: JSON.stringify({ objectType: 'Agent', name: 'no ifi' }) }, 'agent', undefined],
    [STATE, 'GET', { activityId: 'http://a.example/1', agent: JSON.stringify({ objectType: 'Group', mbox: 'mailto:g@example.com' }) }, 'agent.objectType', 'agent-not-group'],
    [STATE, 'POST', { activityId: 'http://a.example/1', agent: AGENT, stateId: 's', registration: 'true' }, 'registration', 'uuid'],
    [STATE, 'POST', { activityId: 'http://a.example/1', agent: AGENT }, 'stateId', 'required'],
    [STATE, 'GET', { activityId: 'http://a.example/1', agent: AGENT, since: 'yesterday' }, 'since', 'iso8601-timestamp'],
    [STATE, 'GET', { activityId: 'http://a.example/1', agent: AGENT, stateId: 's', since: '2024-05-01T10:00:00Z' }, 'since', 'not-allowed-with'],
    [STATE, 'PUT', { activityId: 'http://a.example/1', agent: AGENT, stateId: 's', since: '2024-05-01T10:00:00Z' }, 'since', 'unknown-parameter'],
    [STATE, 'GET', { activityId: 'http://a.example/1', agent: AGENT, StateId: 's' }, 'StateId', 'unknown-parameter'],
    [ACTIVITY_PROFILE, 'GET', { activityId: 'http://a.example/1', agent: AGENT }, 'agent', 'unknown-parameter'],
    [AGENT_PROFILE, 'PUT', { agent: AGENT, profileId: '' }, 'profileId', 'required'],
  ] as const)('%#: %s %s refuses %o at %s', (spec, method, query, path, rule) => {
    const error = apiError(() => parseDocumentTarget(spec, method, params(query)));
    expect(error.status).toBe(400);
    expect(error.problems?.[0]?.path).toContain(path);
    if (rule !== undefined) expect(error.problems?.[0]?.rule).toBe(rule);
  });

  it('a parameter given twice is refused', () => {
    const query = new URLSearchParams([['activityId', 'http://a.example/1'], ['activityId', 'http://a.example/2'], ['profileId', 'p']]);
    expect(apiError(() => parseDocumentTarget(ACTIVITY_PROFILE, 'GET', query)).problems?.[0]?.rule).toBe('repeated-parameter');
  });
});

describe('preconditions', () => {
  it('parses * and lists of quoted, weak and bare tags', () => {
    expect(parseEtagList(' * ')).toBe('*');
    expect(parseEtagList(`"${ETAG.toUpperCase()}", W/"abc", bare`)).toEqual([ETAG, 'W/abc', 'bare']);
  });

  it('If-Match holds for a listed ETag or * on an existing document, and fails with 412 otherwise', () => {
    expect(() => checkPreconditions({ ifMatch: `"${ETAG}"` }, ETAG)).not.toThrow();
    expect(() => checkPreconditions({ ifMatch: ETAG }, ETAG)).not.toThrow();
    expect(() => checkPreconditions({ ifMatch: '*' }, ETAG)).not.toThrow();
    expect(apiError(() => checkPreconditions({ ifMatch: '"1111"' }, ETAG))).toMatchObject({ status: 412, problems: [{ path: 'If-Match', rule: 'etag-matches' }] });
    expect(apiError(() => checkPreconditions({ ifMatch: '*' }, null)).status).toBe(412);
    expect(apiError(() => checkPreconditions({ ifMatch: `W/"${ETAG}"` }, ETAG)).status).toBe(412);
  });

  it('If-None-Match: * holds only when there is no document; a list fails when it names the current ETag', () => {
    expect(() => checkPreconditions({ ifNoneMatch: '*' }, null)).not.toThrow();
    expect(apiError(() => checkPreconditions({ ifNoneMatch: '*' }, ETAG))).toMatchObject({ status: 412, problems: [{ path: 'If-None-Match' }] });
    expect(() => checkPreconditions({ ifNoneMatch: '"other"' }, ETAG)).not.toThrow();
    expect(apiError(() => checkPreconditions({ ifNoneMatch: `"${ETAG}"` }, ETAG)).status).toBe(412);
    expect(() => checkPreconditions({}, ETAG)).not.toThrow();
  });

  it('a profile PUT without either header: 409 with advice when the document exists, 400 when it does not', () => {
    const conflict = apiErrorOf(missingPrecondition(true, 'agent profile document'));
    expect(conflict.status).toBe(409);
    expect(conflict.message).toMatch(/If-Match/);
    expect(apiErrorOf(missingPrecondition(false, 'agent profile document')).status).toBe(400);
  });
});

describe('document contents', () => {
  it('recognises application/json with parameters, in any case', () => {
    expect(isJsonType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonType('application/json-patch+json')).toBe(false);
    expect(isJsonType('text/plain')).toBe(false);
  });

  it('computes the ETag as the SHA-1 of the bytes', () => {
    expect(documentContent('text/plain', enc('abc'), '2024-05-01T10:00:00.000Z').etag).toBe(ETAG);
  });

  it('a JSON body must be JSON; other types are taken as they are', () => {
    expect(() => checkJsonBody('application/json', enc('[1, 2]'))).not.toThrow();
    expect(apiError(() => checkJsonBody('application/json', enc('{"a":')))).toMatchObject({ status: 400, code: 'malformed-json' });
    expect(apiError(() => checkJsonBody('application/json', new Uint8Array([0xff, 0xfe]))).status).toBe(400);
    expect(() => checkJsonBody('text/plain', enc('{"a":'))).not.toThrow();
  });

  it('a POSTed JSON body must be an object; other types give null (stored as they are when nothing exists)', () => {
    expect(postedObject('application/json', enc('{"a":1}'))).toEqual({ a: 1 });
    expect(apiError(() => postedObject('application/json', enc('[1]')))).toMatchObject({ status: 400, problems: [{ rule: 'json-object' }] });
    expect(apiError(() => postedObject('application/json', enc('{')))).toMatchObject({ status: 400, code: 'malformed-json' });
    expect(postedObject('application/octet-stream', enc('{"a":1}'))).toBeNull();
  });

  it('merges top-level properties, replacing whole values (Communication 2.2.s7)', () => {
    const stored = documentContent('application/json', enc('{"x":"foo","y":"bar","o":{"a":1,"b":2}}'), 't');
    const merged = JSON.parse(new TextDecoder().decode(mergeInto(stored, { x: 'bash', z: 'faz', o: { c: 3 } }, 'application/json'))) as unknown;
    expect(merged).toEqual({ x: 'bash', y: 'bar', z: 'faz', o: { c: 3 } });
  });

  it('refuses to merge when either side is not a JSON object', () => {
    const json = documentContent('application/json', enc('{"x":1}'), 't');
    expect(apiError(() => mergeInto(json, null, 'text/plain'))).toMatchObject({ status: 400, problems: [{ path: 'Content-Type' }] });
    const binary = documentContent('application/octet-stream', enc('{"x":1}'), 't');
    expect(apiError(() => mergeInto(binary, { a: 1 }, 'application/json'))).toMatchObject({ status: 400, problems: [{ path: 'document' }] });
    const array = documentContent('application/json', enc('[1]'), 't');
    expect(apiError(() => mergeInto(array, { a: 1 }, 'application/json')).status).toBe(400);
  });
});
