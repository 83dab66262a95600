/**
 * The registry of named transforms used in the mapping template's `transform` column, and the
 * data types of its `data_type` column. A transform is a pure function from a source value to a
 * target value; `undefined` means "nothing" (the target gets no value from this source).
 * Transforms never throw on bad input: statements and HRIS rows are data, not code.
 */
import { isIri } from '../../lrs/statements/validation/formats.js';
import type { Concept } from './rules.js';

export const DATA_TYPES = ['string', 'email', 'iri', 'boolean', 'number', 'datetime', 'object', 'json'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** What a transform may consult besides its input. */
export interface TransformContext {
  concept(verbId: string): Concept | undefined;
}

export interface Transform {
  readonly name: string;
  readonly description: string;
  /** The data types its output can satisfy; 'any' for transforms that pass their input through. */
  readonly produces: readonly DataType[] | 'any';
  apply(value: unknown, context: TransformContext): unknown;
}

export type EnrollmentState = 'active' | 'completed' | 'dropped';

// ---------------------------------------------------------------------------------------------
// The functions (exported for direct use and tests)

/**
 * ARCHITECTURE.md §5's score rule, exactly: `scaled` ≥ 0 → scaled × 100; else `raw`, `min` and `max`
 * all present (and max > min) → (raw − min) / (max − min) × 100; else `raw` if 0 ≤ raw ≤ 100;
 * then clamp to [0, 100] and round to 2 decimals (half up). Undefined when no rule applies
 * (e.g. only a negative `scaled`, or a `raw` above 100 without min/max). Non-numbers are
 * ignored. A bare number is treated as `raw`.
 */
export function normalizeScore(score: unknown): number | undefined {
  if (isFiniteNumber(score)) return score >= 0 && score <= 100 ? round2(score) : undefined;
  if (!isPlainObject(score)) return undefined;
  const { scaled, raw, min, max } = score;
  let value: number;
  if (isFiniteNumber(scaled) && scaled >= 0) value = scaled * 100;
  else if (isFiniteNumber(raw) && isFiniteNumber(min) && isFiniteNumber(max) && max > min) value = ((raw - min) / (max - min)) * 100;
  else if (isFiniteNumber(raw) && raw >= 0 && raw <= 100) value = raw;
  else return undefined;
  return round2(Math.min(100, Math.max(0, value)));
}

/** Rounds to 2 decimals, half up, on the number's decimal representation (1.005 → 1.01). */
function round2(x: number): number {
  const text = String(x);
  const rounded = text.includes('e') ? Math.round(x * 100) / 100 : Number(`${Math.round(Number(`${text}e2`))}e-2`);
  return rounded === 0 ? 0 : rounded; // no -0
}

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/**
 * An ISO 8601 date or date-time → UTC ISO string with milliseconds (`2026-11-27T10:00:00.000Z`).
 * Accepts `YYYY-MM-DD`, `T` or a space before the time, seconds and fractions optional
 * (digits past milliseconds are truncated), offsets `Z`, `±hh`, `±hhmm`, `±hh:mm`. A date-time
 * without an offset, or a date alone, is taken as UTC. Impossible dates (Feb 30) give undefined.
 * A valid Date object is accepted too.
 */
export function parseIso8601(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value !== 'string') return undefined;
  const m = ISO_8601.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , sign, oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || Number(oh) > 23 || Number(om) > 59) return undefined;
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year, month - 1, day); // Date.UTC maps years 0–99 to 1900–1999
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const utc = new Date(date.getTime() - offsetMinutes * 60_000);
  const utcYear = utc.getUTCFullYear();
  return utcYear < 0 || utcYear > 9999 ? undefined : utc.toISOString();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** true/false; "true", "false", "yes", "no", "y", "n", "1", "0" (any case); 1 and 0. */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0']);

/** A finite number, or a string holding one ("87.5", " 3 "); undefined otherwise. */
export function toNumber(value: unknown): number | undefined {
  if (isFiniteNumber(value)) return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The address of an email or `mailto:` IRI, trimmed; undefined unless it looks like local@domain. */
function emailAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let text = value.trim();
  if (/^mailto:/i.test(text)) text = text.slice('mailto:'.length);
  return EMAIL.test(text) ? text : undefined;
}

/** `mailto:` removed, trimmed and lowercased: "mailto:Ana.Lopez@ACME.example" → "ana.lopez@acme.example". */
export function lowercaseEmail(value: unknown): string | undefined {
  return emailAddress(value)?.toLowerCase();
}

/** `mailto:` removed and a `+alias` dropped from the local part: "ana+lms@acme.example" → "ana@acme.example". Case is kept. */
export function stripEmailAlias(value: unknown): string | undefined {
  const address = emailAddress(value);
  if (address === undefined) return undefined;
  const at = address.lastIndexOf('@');
  const plus = address.indexOf('+');
  return plus > 0 && plus < at ? address.slice(0, plus) + address.slice(at) : address;
}

/** enroll/launch → active, completion/pass → completed, drop → dropped (ARCHITECTURE.md §5). */
export function enrollmentStateOf(concept: Concept | undefined): EnrollmentState | undefined {
  switch (concept) {
    case 'enroll':
    case 'launch':
      return 'active';
    case 'completion':
    case 'pass':
      return 'completed';
    case 'drop':
      return 'dropped';
    default:
      return undefined;
  }
}

/** A verb id, or a Verb object's `id`. */
function verbId(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isPlainObject(value) && typeof value['id'] === 'string') return value['id'];
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The registry

const STRINGY: readonly DataType[] = ['string', 'email', 'iri', 'datetime'];

const ALL: readonly Transform[] = [
  {
    name: 'identity',
    description: 'the value as found',
    produces: 'any',
    apply: (value) => value,
  },
  {
    name: 'none',
    description: 'same as identity',
    produces: 'any',
    apply: (value) => value,
  },
  {
    name: 'trim',
    description: 'a string without surrounding whitespace (a number becomes its decimal string)',
    produces: STRINGY,
    apply: (value) => (typeof value === 'string' ? value.trim() : isFiniteNumber(value) ? String(value) : undefined),
  },
  {
    name: 'lowercase',
    description: 'a string, trimmed and lowercased',
    produces: STRINGY,
    apply: (value) => (typeof value === 'string' ? value.trim().toLowerCase() : undefined),
  },
  {
    name: 'lowercase_email',
    description: 'an email address (or mailto: IRI) without mailto:, trimmed and lowercased',
    produces: ['email', 'string'],
    apply: lowercaseEmail,
  },
  {
    name: 'strip_email_alias',
    description: 'an email address (or mailto: IRI) without mailto: and without a +alias in the local part',
    produces: ['email', 'string'],
    apply: stripEmailAlias,
  },
  {
    name: 'normalize_score_0_100',
    description: 'an xAPI Score object → 0–100 by the ARCHITECTURE.md §5 rule, 2 decimals',
    produces: ['number'],
    apply: normalizeScore,
  },
  {
    name: 'parse_iso8601',
    description: 'an ISO 8601 date or date-time → UTC ISO 8601 with milliseconds',
    produces: ['datetime', 'string'],
    apply: parseIso8601,
  },
  {
    name: 'to_boolean',
    description: 'true/false, yes/no, y/n, 1/0 → boolean',
    produces: ['boolean'],
    apply: toBoolean,
  },
  {
    name: 'to_number',
    description: 'a number or numeric string → number',
    produces: ['number'],
    apply: toNumber,
  },
  {
    name: 'verb_to_concept',
    description: "a verb id (or Verb) → its concept from verbs.csv",
    produces: ['string'],
    apply: (value, context) => {
      const id = verbId(value);
      return id === undefined ? undefined : context.concept(id);
    },
  },
  {
    name: 'verb_to_enrollment_state',
    description: "a verb id (or Verb) → active (enroll, launch), completed (completion, pass) or dropped (drop) by its concept in verbs.csv",
    produces: ['string'],
    apply: (value, context) => {
      const id = verbId(value);
      return id === undefined ? undefined : enrollmentStateOf(context.concept(id));
    },
  },
];

export const TRANSFORMS: ReadonlyMap<string, Transform> = new Map(ALL.map((t) => [t.name, t]));

/** Splits a `transform` cell into names: "a|b" → ["a", "b"]; an empty cell is ["identity"]. */
export function transformNames(cell: string): string[] {
  const names = cell.split('|').map((name) => name.trim());
  return names.length === 1 && names[0] === '' ? ['identity'] : names;
}

/** Whether a transform's output can have the given data type. */
export function canProduce(transform: Transform, type: DataType): boolean {
  return transform.produces === 'any' || type === 'json' || transform.produces.includes(type);
}

// ---------------------------------------------------------------------------------------------
// Data types

const CANONICAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Whether a value has the data type. A value that does not is dropped by Mapping.field, so the
 * projection never sees, say, a string where it expects a number.
 * datetime means the canonical UTC form with milliseconds (what parse_iso8601 produces).
 */
export function conformsTo(type: DataType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'email':
      return typeof value === 'string' && EMAIL.test(value);
    case 'iri':
      return typeof value === 'string' && isIri(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return isFiniteNumber(value);
    case 'datetime':
      return typeof value === 'string' && CANONICAL_DATETIME.test(value) && !Number.isNaN(Date.parse(value));
    case 'object':
      return isPlainObject(value);
    case 'json':
      return value !== undefined;
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
