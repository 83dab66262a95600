import { describe, expect, it } from 'vitest';
import { compilePath, PathSyntaxError } from './path.js';

const BADGE = 'http://specification.openbadges.org/xapi/extensions/badgeassertion.json';
const CERT = 'http://id.tincanapi.com/attachment/certificate_of_completion';

const statement = {
  actor: { mbox: 'mailto:ana@acme.example' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/passed' },
  object: { id: 'https://lms.example.com/courses/a', definition: { name: { 'en-US': 'A' } } },
  result: { score: { scaled: 0.9 }, completion: true, extensions: { [BADGE]: { '@id': 'https://badges.example/a/1' } } },
  context: {
    registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
    contextActivities: {
      parent: [{ id: 'https://lms.example.com/programs/p' }],
      category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5', definition: { type: 'http://adlnet.gov/expapi/activities/profile' } }],
    },
  },
  attachments: [
    { usageType: 'http://adlnet.gov/expapi/attachments/signature', sha2: 'aa' },
    { usageType: CERT, fileUrl: 'https://certs.example/1.pdf', sha2: 'bb' },
    { usageType: CERT, sha2: 'cc' },
    { usageType: CERT, fileUrl: 'https://certs.example/2.pdf', sha2: 'dd' },
  ],
};

describe('source paths: given a compiled path, when it reads a statement', () => {
  it('follows dotted names', () => {
    expect(compilePath('result.score').first(statement)).toEqual({ scaled: 0.9 });
    expect(compilePath('result.score.scaled').first(statement)).toBe(0.9);
    expect(compilePath('context.registration').first(statement)).toBe('ec531277-b57b-4c15-8d91-d292c5b2b8f7');
  });

  it('reads IRI keys in double or single quotes', () => {
    expect(compilePath(`result.extensions["${BADGE}"]`).first(statement)).toEqual({ '@id': 'https://badges.example/a/1' });
    expect(compilePath(`result.extensions['${BADGE}']["@id"]`).first(statement)).toBe('https://badges.example/a/1');
    expect(compilePath(`object.definition.name["en-US"]`).first(statement)).toBe('A');
  });

  it('reads quoted keys with escaped quotes and backslashes', () => {
    const path = compilePath(String.raw`a["say \"hi\" \\ there"]`);
    expect(path.first({ a: { 'say "hi" \\ there': 1 } })).toBe(1);
    expect(compilePath(String.raw`['it\'s']`).first({ "it's": 2 })).toBe(2);
  });

  it('reads array elements by index', () => {
    expect(compilePath('context.contextActivities.parent[0].id').first(statement)).toBe('https://lms.example.com/programs/p');
    expect(compilePath('context.contextActivities.parent[1].id').all(statement)).toEqual([]);
  });

  it('selects array elements by a field, in document order', () => {
    const path = compilePath(`attachments[usageType="${CERT}"].fileUrl`);
    expect(path.all(statement)).toEqual(['https://certs.example/1.pdf', 'https://certs.example/2.pdf']);
    expect(path.first(statement)).toBe('https://certs.example/1.pdf');
    expect(compilePath(`attachments[usageType="${CERT}"]`).all(statement)).toHaveLength(3);
  });

  it('selects by a dotted sub-path and by non-string literals', () => {
    const path = compilePath(`context.contextActivities.category[definition.type='http://adlnet.gov/expapi/activities/profile'].id`);
    expect(path.first(statement)).toBe('https://w3id.org/xapi/cmi5/context/categories/cmi5');
    expect(compilePath('items[n=2].v').all({ items: [{ n: 1, v: 'a' }, { n: 2, v: 'b' }, { n: '2', v: 'c' }] })).toEqual(['b']);
    expect(compilePath('items[ok=true].v').all({ items: [{ ok: true, v: 'a' }, { ok: 'true', v: 'b' }] })).toEqual(['a']);
  });

  it('fans out with [*]; a single object counts as a one-element array', () => {
    expect(compilePath('attachments[*].sha2').all(statement)).toEqual(['aa', 'bb', 'cc', 'dd']);
    expect(compilePath('x[*].id').all({ x: { id: 'only' } })).toEqual(['only']);
    expect(compilePath('x[id="only"].id').all({ x: { id: 'only' } })).toEqual(['only']);
  });

  it('yields nothing for absent values, wrong shapes and inherited properties', () => {
    expect(compilePath('result.duration').all(statement)).toEqual([]);
    expect(compilePath('result.score.scaled.deeper').first(statement)).toBeUndefined();
    expect(compilePath('verb[0]').all(statement)).toEqual([]);
    expect(compilePath('attachments.length').all(statement)).toEqual([]);
    expect(compilePath('actor.constructor').all(statement)).toEqual([]);
    expect(compilePath('__proto__').all({})).toEqual([]);
    expect(compilePath('a.b').all(null)).toEqual([]);
    expect(compilePath('a').all('string')).toEqual([]);
  });

  it('reads HRIS rows with hyphenated or $ names', () => {
    expect(compilePath('employee_id').first({ employee_id: 'E1001' })).toBe('E1001');
    expect(compilePath('cost-centre').first({ 'cost-centre': 'CC1' })).toBe('CC1');
    expect(compilePath('["Employee ID"]').first({ 'Employee ID': 'E1' })).toBe('E1');
  });
});

describe('source paths: malformed paths are rejected with the position', () => {
  it.each([
    ['', 'empty path', 1],
    ['result.', 'unexpected end of path: expected a name', 8],
    ['.result', 'unexpected ".": expected a name', 1],
    ['result..score', 'unexpected ".": expected a name', 8],
    ['result score', 'unexpected " ": expected "." or "["', 7],
    ['result.1score', 'unexpected "1": expected a name', 8],
    ['result.extensions["http://x', 'unterminated quoted key (opened with ")', 19],
    ['result.extensions["http://x"', 'unexpected end of path: expected "]"', 29],
    ['a[]', 'unexpected "]": expected a quoted key, an index, * or a selector after "["', 3],
    ['a[-1]', 'unexpected "-": expected a quoted key, an index, * or a selector after "["', 3],
    ['a[usageType]', 'unexpected "]": expected "=" in a selector', 12],
    ['a[usageType=]', 'unexpected "]": expected a quoted string, a number, true, false or null', 13],
    ['a[usageType=x]', 'unexpected "x": expected a quoted string', 13],
    ['a["\\n"]', 'unknown escape \\n', 4],
    ['a[0]b', 'unexpected "b": expected "." or "["', 5],
  ])('%j', (path, message, column) => {
    let error: unknown;
    try {
      compilePath(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PathSyntaxError);
    expect((error as PathSyntaxError).message).toContain(message);
    expect((error as PathSyntaxError).message).toContain(`at character ${column} of`);
    expect((error as PathSyntaxError).position).toBe(column - 1);
  });
});
