import { describe, expect, it } from 'vitest';
import type { Concept } from './rules.js';
import {
  canProduce,
  conformsTo,
  enrollmentStateOf,
  lowercaseEmail,
  normalizeScore,
  parseIso8601,
  stripEmailAlias,
  toBoolean,
  toNumber,
  TRANSFORMS,
  transformNames,
  type TransformContext,
} from './transforms.js';

const VERBS: Record<string, Concept> = {
  'http://adlnet.gov/expapi/verbs/registered': 'enroll',
  'http://adlnet.gov/expapi/verbs/launched': 'launch',
  'http://adlnet.gov/expapi/verbs/completed': 'completion',
  'http://adlnet.gov/expapi/verbs/passed': 'pass',
  'http://adlnet.gov/expapi/verbs/failed': 'fail',
  'https://w3id.org/xapi/adl/verbs/abandoned': 'drop',
};
const context: TransformContext = { concept: (id) => VERBS[id] };
const run = (name: string, value: unknown): unknown => {
  const transform = TRANSFORMS.get(name);
  if (transform === undefined) throw new Error(`no transform ${name}`);
  return transform.apply(value, context);
};

describe('normalize_score_0_100 (ARCHITECTURE.md §5 score rule)', () => {
  it.each([
    ['scaled ≥ 0 → scaled × 100', { scaled: 0.875 }, 87.5],
    ['scaled 0 counts (≥ 0)', { scaled: 0, raw: 50, min: 0, max: 100 }, 0],
    ['scaled 1', { scaled: 1 }, 100],
    ['scaled wins over raw/min/max', { scaled: 0.5, raw: 9, min: 0, max: 10 }, 50],
    ['negative scaled falls through to raw/min/max', { scaled: -0.5, raw: 3, min: 0, max: 4 }, 75],
    ['negative scaled falls through to raw in 0–100', { scaled: -0.2, raw: 42 }, 42],
    ['raw/min/max → (raw − min) / (max − min) × 100', { raw: 7, min: 2, max: 12 }, 50],
    ['raw/min/max with negative min', { raw: 0, min: -10, max: 10 }, 50],
    ['raw/min/max: raw above max clamps to 100', { raw: 15, min: 0, max: 10 }, 100],
    ['raw/min/max: raw below min clamps to 0', { raw: -5, min: 0, max: 10 }, 0],
    ['raw alone in 0–100', { raw: 87.5 }, 87.5],
    ['raw alone at 0', { raw: 0 }, 0],
    ['raw alone at 100', { raw: 100 }, 100],
    ['raw with only max: raw rule', { raw: 30, max: 50 }, 30],
    ['max = min: ratio undefined, raw rule', { raw: 5, min: 5, max: 5 }, 5],
    ['round to 2 decimals', { scaled: 0.123456 }, 12.35],
    ['round half up on the decimal value (1.005 → 1.01)', { raw: 1.005 }, 1.01],
    ['0.29 × 100 is 29, not 28.999…', { scaled: 0.29 }, 29],
    ['thirds', { raw: 1, min: 0, max: 3 }, 33.33],
    ['two thirds', { raw: 2, min: 0, max: 3 }, 66.67],
    ['scaled above 1 clamps to 100', { scaled: 1.5 }, 100],
    ['a bare number is raw', 87.5, 87.5],
  ])('%s', (_name, score, expected) => {
    expect(normalizeScore(score)).toBe(expected);
    expect(run('normalize_score_0_100', score)).toBe(expected);
  });

  it.each([
    ['no fields', {}],
    ['only a negative scaled', { scaled: -0.5 }],
    ['raw above 100 without min/max', { raw: 150 }],
    ['negative raw without min/max', { raw: -1 }],
    ['strings are not numbers', { scaled: '0.5', raw: '50' }],
    ['NaN and Infinity', { scaled: Number.NaN, raw: Number.POSITIVE_INFINITY }],
    ['not an object', 'high'],
    ['an array', [0.5]],
    ['null', null],
    ['a bare number above 100', 101],
  ])('no rule applies: %s → undefined', (_name, score) => {
    expect(normalizeScore(score)).toBeUndefined();
  });

  it('never returns -0', () => {
    expect(Object.is(normalizeScore({ scaled: -0 }), 0)).toBe(true);
    expect(Object.is(normalizeScore({ raw: -0.001, min: 0, max: 1 }), 0)).toBe(true);
  });
});

describe('parse_iso8601', () => {
  it.each([
    ['2026-11-27T10:00:00.000Z', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27T10:00:00Z', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27T10:00Z', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27T10:00:00.1Z', '2026-11-27T10:00:00.100Z'],
    ['2026-11-27T10:00:00.123456789Z', '2026-11-27T10:00:00.123Z'],
    ['2026-11-27T10:00:00,5Z', '2026-11-27T10:00:00.500Z'],
    ['2026-11-27T12:30:00+02:00', '2026-11-27T10:30:00.000Z'],
    ['2026-11-27T12:30:00+0200', '2026-11-27T10:30:00.000Z'],
    ['2026-11-27T05:00:00-05', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27T00:30:00+01:00', '2026-11-26T23:30:00.000Z'],
    ['2026-11-27T10:00:00', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27 10:00:00z', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27', '2026-11-27T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
    ['  2026-11-27T10:00:00Z  ', '2026-11-27T10:00:00.000Z'],
  ])('%j → %s', (input, expected) => {
    expect(parseIso8601(input)).toBe(expected);
    expect(run('parse_iso8601', input)).toBe(expected);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-11-27T24:00:00Z', '2026-11-27T10:60:00Z', '2026-11-27T10:00:60Z', '27/11/2026', '2026-11-27T10', 'now', '', 20261127])(
    '%j → undefined',
    (input) => {
      expect(parseIso8601(input)).toBeUndefined();
    },
  );

  it('accepts a valid Date object', () => {
    expect(parseIso8601(new Date(Date.UTC(2026, 10, 27, 10)))).toBe('2026-11-27T10:00:00.000Z');
    expect(parseIso8601(new Date(Number.NaN))).toBeUndefined();
  });
});

describe('email transforms', () => {
  it('lowercase_email removes mailto:, trims and lowercases', () => {
    expect(lowercaseEmail('Ana.Lopez@ACME.example')).toBe('ana.lopez@acme.example');
    expect(run('lowercase_email', ' MAILTO:Ana+LMS@Acme.Example ')).toBe('ana+lms@acme.example');
  });

  it('strip_email_alias drops a +alias from the local part and keeps case', () => {
    expect(stripEmailAlias('Ana+lms@Acme.example')).toBe('Ana@Acme.example');
    expect(stripEmailAlias('mailto:ana+a+b@acme.example')).toBe('ana@acme.example');
    expect(stripEmailAlias('ana@acme.example')).toBe('ana@acme.example');
    expect(stripEmailAlias('+ana@acme.example')).toBe('+ana@acme.example');
    expect(stripEmailAlias('ana@plus+domain.example')).toBe('ana@plus+domain.example');
  });

  it('a pipeline of both normalises like identity resolution does', () => {
    const names = transformNames('lowercase_email | strip_email_alias');
    expect(names).toEqual(['lowercase_email', 'strip_email_alias']);
    const value = names.reduce<unknown>((v, name) => run(name, v), 'mailto:Ana.Lopez+Courses@ACME.example');
    expect(value).toBe('ana.lopez@acme.example');
  });

  it.each(['not-an-email', 'a@b@c', 'a b@c.example', '', 42, null, { mbox: 'mailto:a@b.example' }])('%j is not an email → undefined', (input) => {
    expect(lowercaseEmail(input)).toBeUndefined();
    expect(stripEmailAlias(input)).toBeUndefined();
  });
});

describe('to_boolean and to_number', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['FALSE', false],
    [' yes ', true],
    ['No', false],
    ['y', true],
    ['n', false],
    ['1', true],
    ['0', false],
    [1, true],
    [0, false],
  ])('to_boolean(%j) = %j', (input, expected) => {
    expect(toBoolean(input)).toBe(expected);
    expect(run('to_boolean', input)).toBe(expected);
  });

  it.each(['maybe', '', 2, -1, null, {}, []])('to_boolean(%j) is undefined', (input) => {
    expect(toBoolean(input)).toBeUndefined();
  });

  it('to_number reads numbers and numeric strings only', () => {
    expect(toNumber(3.5)).toBe(3.5);
    expect(toNumber(' 42 ')).toBe(42);
    expect(run('to_number', '-1e2')).toBe(-100);
    expect(toNumber('')).toBeUndefined();
    expect(toNumber('12abc')).toBeUndefined();
    expect(toNumber(Number.NaN)).toBeUndefined();
    expect(toNumber(true)).toBeUndefined();
  });
});

describe('verb transforms', () => {
  it.each([
    ['http://adlnet.gov/expapi/verbs/registered', 'active'],
    ['http://adlnet.gov/expapi/verbs/launched', 'active'],
    ['http://adlnet.gov/expapi/verbs/completed', 'completed'],
    ['http://adlnet.gov/expapi/verbs/passed', 'completed'],
    ['https://w3id.org/xapi/adl/verbs/abandoned', 'dropped'],
    ['http://adlnet.gov/expapi/verbs/failed', undefined],
    ['http://adlnet.gov/expapi/verbs/experienced', undefined],
  ])('verb_to_enrollment_state(%s) = %s', (verb, expected) => {
    expect(run('verb_to_enrollment_state', verb)).toBe(expected);
    expect(run('verb_to_enrollment_state', { id: verb, display: { 'en-US': 'x' } })).toBe(expected);
  });

  it('enrollmentStateOf covers every concept', () => {
    expect(enrollmentStateOf('badge')).toBeUndefined();
    expect(enrollmentStateOf('score')).toBeUndefined();
    expect(enrollmentStateOf(undefined)).toBeUndefined();
  });

  it('verb_to_concept looks the verb up; non-verbs give undefined', () => {
    expect(run('verb_to_concept', 'http://adlnet.gov/expapi/verbs/failed')).toBe('fail');
    expect(run('verb_to_concept', 42)).toBeUndefined();
    expect(run('verb_to_enrollment_state', { display: {} })).toBeUndefined();
  });
});

describe('identity, none, trim, lowercase', () => {
  it('identity and none pass values through', () => {
    const value = { '@id': 'https://badges.example/1' };
    expect(run('identity', value)).toBe(value);
    expect(run('none', 7)).toBe(7);
  });

  it('trim and lowercase work on strings; trim also stringifies numbers', () => {
    expect(run('trim', '  E1001 ')).toBe('E1001');
    expect(run('trim', 1001)).toBe('1001');
    expect(run('trim', {})).toBeUndefined();
    expect(run('lowercase', ' Active ')).toBe('active');
    expect(run('lowercase', 1)).toBeUndefined();
  });

  it('an empty transform cell is identity', () => {
    expect(transformNames('')).toEqual(['identity']);
  });
});

describe('data types', () => {
  it.each([
    ['string', 'x', true],
    ['string', 1, false],
    ['email', 'a@b.example', true],
    ['email', 'mailto:a@b.example', true],
    ['email', 'ab.example', false],
    ['iri', 'https://certs.example/1.pdf', true],
    ['iri', 'certs.example/1.pdf', false],
    ['iri', 'https://x.example/a b', false],
    ['boolean', false, true],
    ['boolean', 'false', false],
    ['number', 0, true],
    ['number', Number.NaN, false],
    ['datetime', '2026-11-27T10:00:00.000Z', true],
    ['datetime', '2026-11-27T10:00:00Z', false],
    ['datetime', '2026-13-27T10:00:00.000Z', false],
    ['object', { a: 1 }, true],
    ['object', [1], false],
    ['json', [1], true],
    ['json', null, true],
  ] as const)('%s accepts %j: %s', (type, value, expected) => {
    expect(conformsTo(type, value)).toBe(expected);
  });

  it('knows which data types a transform can produce', () => {
    const get = (name: string) => TRANSFORMS.get(name)!;
    expect(canProduce(get('normalize_score_0_100'), 'number')).toBe(true);
    expect(canProduce(get('normalize_score_0_100'), 'string')).toBe(false);
    expect(canProduce(get('normalize_score_0_100'), 'json')).toBe(true);
    expect(canProduce(get('identity'), 'object')).toBe(true);
    expect(canProduce(get('lowercase_email'), 'email')).toBe(true);
    expect(canProduce(get('to_boolean'), 'datetime')).toBe(false);
  });

  it('every transform has a snake_case name and a description', () => {
    for (const [name, transform] of TRANSFORMS) {
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(transform.name).toBe(name);
      expect(transform.description.length).toBeGreaterThan(5);
    }
  });
});
