/**
 * Statement comparison, xAPI 1.0.3 xAPI-Data.md 2.3.1 "Statement Immutability" and
 * 2.3.1.s9 "Statement Comparision Requirements":
 *
 *   - 2.3.1.s9.b1: differences which could have been caused by exceptions to Statement
 *     immutability MUST be ignored;
 *   - 2.3.1.s9.b2: differences relating to a different serialization of any other property MUST
 *     NOT be ignored.
 *
 * The exceptions (2.3.1.b1-b7) and how each is applied here:
 *   b1  id, authority, stored, timestamp, version may be assigned by the LRS:
 *       - stored and authority are always ignored (the LRS overwrites them, 2.4.8.s3.b2, 2.4.9.s3.b4);
 *       - id is ignored when either side has none; otherwise compared as a UUID (case-insensitive);
 *       - timestamp is ignored when either side has none or its timestamp equals its own stored
 *         instant (the LRS sets a missing timestamp to stored, 2.4.7.s3.b2); otherwise compared as
 *         an instant (see b4);
 *       - version is ignored when either side has none or either is "1.0.0" or "2.0.0" (the values
 *         the LRS assigns to a statement without version, 2.4.10.s3.b3 and 9274.1.1 4.2.4.3);
 *         otherwise compared as a string.
 *   b2  Activity Definitions are not part of the statement: every Activity's "definition" is ignored
 *       (object, SubStatement object, context activities).
 *   b3  a Verb's "display" is not part of the statement: ignored.
 *   b4  timestamps are compared as points in time, whatever the time zone used; a timestamp may be
 *       truncated or rounded to at least milliseconds (4.5.s1.b7), so a more precise timestamp
 *       equals a less precise one (>= 3 fraction digits) that it truncates or rounds to.
 *   b5  the members of a Group are an unordered list (any Group: actor, object, authority,
 *       instructor, team).
 *   b6  attachments are not part of the statement: the "attachments" property is ignored.
 *   b7  case-insensitive values: the scheme and the domain of an mbox, mbox_sha1sum (hex), UUIDs
 *       (id, registration, StatementRef id; RFC 4122 3) and language tags (context.language;
 *       RFC 5646 2.1.1). IRIs are compared as strings (simple string comparison, Data 3.1.s2.b1).
 *
 * Also ignored: a single context Activity versus an array holding just that Activity, because the
 * LRS MUST return every contextActivities value as an array (2.4.6.2.s4.b3/b4).
 * Result duration is compared as a string (2.3.1.b8), ignoring digits beyond 0.01 s (4.6.s1.b5).
 * Everything else (including an absent versus an explicit default "objectType") must be equal as
 * JSON; object key order never matters.
 */
import { parseTimestamp, type ParsedTimestamp } from './validation/formats.js';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function statementsEquivalent(a: unknown, b: unknown): boolean {
  if (!isObject(a) || !isObject(b)) return jsonEqual(a, b);
  return sameStatement(a, b, true);
}

// ---------------------------------------------------------------------------------------------
// Statement / SubStatement

/** Properties handled before the generic per-property loop (or ignored). */
const HANDLED_TOP = new Set(['id', 'stored', 'authority', 'timestamp', 'version', 'attachments']);
const HANDLED_SUB = new Set(['timestamp', 'attachments']);

function sameStatement(a: JsonObject, b: JsonObject, top: boolean): boolean {
  if (top) {
    if (!sameOptionalUuid(a['id'], b['id'])) return false;
    if (!sameAssignableTimestamp(a, b)) return false;
    if (!sameVersion(a['version'], b['version'])) return false;
  } else if (!sameTimestamp(a['timestamp'], b['timestamp'])) {
    // The LRS never assigns a SubStatement's timestamp, so only its serialization may differ.
    return false;
  }
  const handled = top ? HANDLED_TOP : HANDLED_SUB;
  return everyKey(a, b, (key, x, y) => {
    if (handled.has(key)) return true;
    switch (key) {
      case 'actor':
        return sameAgentOrGroup(x, y);
      case 'verb':
        return sameVerb(x, y);
      case 'object':
        return sameObject(x, y);
      case 'result':
        return sameResult(x, y);
      case 'context':
        return sameContext(x, y);
      default:
        return jsonEqual(x, y);
    }
  });
}

function sameOptionalUuid(x: unknown, y: unknown): boolean {
  if (x === undefined || y === undefined) return true;
  return sameUuid(x, y);
}

function sameUuid(x: unknown, y: unknown): boolean {
  if (typeof x === 'string' && typeof y === 'string') return x.toLowerCase() === y.toLowerCase();
  return jsonEqual(x, y);
}

/** 2.3.1.b1 + 2.4.7.s3.b2: a timestamp equal to the statement's stored may have been assigned. */
function sameAssignableTimestamp(a: JsonObject, b: JsonObject): boolean {
  if (mayBeAssignedTimestamp(a) || mayBeAssignedTimestamp(b)) return true;
  return sameTimestamp(a['timestamp'], b['timestamp']);
}

function mayBeAssignedTimestamp(s: JsonObject): boolean {
  const timestamp = s['timestamp'];
  if (timestamp === undefined) return true;
  const stored = s['stored'];
  return typeof timestamp === 'string' && typeof stored === 'string' && sameTimestamp(timestamp, stored);
}

/**
 * 2.3.1.b1 + 2.4.10.s3.b3: a missing version becomes "1.0.0" ("2.0.0" when sent as xAPI 2.0,
 * 9274.1.1 4.2.4.3, whose comparison ignores the version altogether, 4.2).
 */
function sameVersion(x: unknown, y: unknown): boolean {
  if (x === undefined || y === undefined || x === y) return true;
  return x === '1.0.0' || y === '1.0.0' || x === '2.0.0' || y === '2.0.0';
}

// ---------------------------------------------------------------------------------------------
// Timestamps (2.3.1.b4, 4.5)

function sameTimestamp(x: unknown, y: unknown): boolean {
  if (typeof x !== 'string' || typeof y !== 'string') return jsonEqual(x, y);
  if (x === y) return true;
  const px = parseTimestamp(x);
  const py = parseTimestamp(y);
  if (px === null || py === null) return false;
  return sameInstant(px, py);
}

/**
 * Same point in time, allowing the less precise of the two to be the more precise one truncated
 * or rounded to 3 or more fraction digits (4.5.s1.b7).
 */
function sameInstant(x: ParsedTimestamp, y: ParsedTimestamp): boolean {
  const seconds = x.epochSeconds - y.epochSeconds;
  if (seconds > 1 || seconds < -1) return false; // rounding moves an instant by less than a second
  if (x.fraction.length === y.fraction.length) return seconds === 0 && x.fraction === y.fraction;
  const [lo, hi] = x.fraction.length <= y.fraction.length ? [x, y] : [y, x];
  const hiDigits = hi.fraction.length;
  if (scaled(lo, hiDigits) === scaled(hi, hiDigits)) return true;
  for (let p = Math.max(3, lo.fraction.length); p < hiDigits; p++) {
    const target = scaled(lo, p);
    const truncated = scaled(hi, p);
    if (truncated === target) return true; // truncated
    // rounded: up when the dropped digits are at least one half (half-up; half-even at a tie)
    if (hi.fraction.charAt(p) >= '5' && truncated + 1n === target) return true;
  }
  return false;
}

/** Instant in units of 10^-digits seconds (fraction truncated or zero-padded to `digits`). */
function scaled(t: ParsedTimestamp, digits: number): bigint {
  const fraction = t.fraction.length >= digits ? t.fraction.slice(0, digits) : t.fraction.padEnd(digits, '0');
  return BigInt(t.epochSeconds) * 10n ** BigInt(digits) + BigInt(fraction === '' ? '0' : fraction);
}

// ---------------------------------------------------------------------------------------------
// Agents and Groups (2.3.1.b5, b7)

function sameAgentOrGroup(x: unknown, y: unknown): boolean {
  return jsonEqual(x, y) || agentKey(x) === agentKey(y);
}

/** Canonical string of an Agent or Group: case-normalized IFIs, members in sorted order. */
function agentKey(v: unknown): string {
  if (!isObject(v)) return canonicalJson(v);
  const normalized: JsonObject = {};
  for (const [key, value] of Object.entries(v)) {
    if (key === 'mbox' && typeof value === 'string') normalized[key] = normalizeMbox(value);
    else if (key === 'mbox_sha1sum' && typeof value === 'string') normalized[key] = value.toLowerCase();
    else if (key === 'member' && Array.isArray(value)) normalized[key] = value.map(agentKey).sort();
    else normalized[key] = value;
  }
  return canonicalJson(normalized);
}

/** "MAILTO:Jane.Doe@Example.COM" -> "mailto:Jane.Doe@example.com" (the local part keeps its case). */
function normalizeMbox(mbox: string): string {
  const colon = mbox.indexOf(':');
  const at = mbox.lastIndexOf('@');
  if (colon < 0 || at < colon) return mbox;
  return mbox.slice(0, colon + 1).toLowerCase() + mbox.slice(colon + 1, at) + mbox.slice(at).toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Verb, Object, Activity (2.3.1.b2, b3)

function sameVerb(x: unknown, y: unknown): boolean {
  if (!isObject(x) || !isObject(y)) return jsonEqual(x, y);
  return everyKey(x, y, (key, p, q) => key === 'display' || jsonEqual(p, q));
}

function sameObject(x: unknown, y: unknown): boolean {
  if (!isObject(x) || !isObject(y)) return jsonEqual(x, y);
  if (x['objectType'] !== y['objectType']) return false;
  switch (x['objectType']) {
    case 'Agent':
    case 'Group':
      return sameAgentOrGroup(x, y);
    case 'StatementRef':
      return sameStatementRef(x, y);
    case 'SubStatement':
      return sameStatement(x, y, false);
    default:
      return sameActivity(x, y);
  }
}

function sameStatementRef(x: unknown, y: unknown): boolean {
  if (!isObject(x) || !isObject(y)) return jsonEqual(x, y);
  return everyKey(x, y, (key, p, q) => (key === 'id' ? sameUuid(p, q) : jsonEqual(p, q)));
}

function sameActivity(x: unknown, y: unknown): boolean {
  if (!isObject(x) || !isObject(y)) return jsonEqual(x, y);
  return everyKey(x, y, (key, p, q) => key === 'definition' || jsonEqual(p, q));
}

// ---------------------------------------------------------------------------------------------
// Result (2.3.1.b8, 4.6.s1.b5)

function sameResult(x: unknown, y: unknown): boolean {
  if (!isObject(x) || !isObject(y)) return jsonEqual(x, y);
  return everyKey(x, y, (key, p, q) => (key === 'duration' ? sameDuration(p, q) : jsonEqual(p, q)));
}

const BEYOND_HUNDREDTHS = /([.,]\d{2})\d+S$/;

function sameDuration(x: unknown, y: unknown): boolean {
  if (typeof x !== 'string' || typeof y !== 'string') return jsonEqual(x, y);
  return x.replace(BEYOND_HUNDREDTHS, '$1S') === y.replace(BEYOND_HUNDREDTHS, '$1S');
}

// ---------------------------------------------------------------------------------------------
// Context (2.3.1.b5, b7; 2.4.6.2.s4.b3)

function sameContext(x: unknown, y: unknown): boolean {
  if (!isObject(x) || !isObject(y)) return jsonEqual(x, y);
  return everyKey(x, y, (key, p, q) => {
    switch (key) {
      case 'registration':
        return sameUuid(p, q);
      case 'instructor':
      case 'team':
        return sameAgentOrGroup(p, q);
      case 'contextActivities':
        return sameContextActivities(p, q);
      case 'language':
        return typeof p === 'string' && typeof q === 'string' ? p.toLowerCase() === q.toLowerCase() : jsonEqual(p, q);
      case 'statement':
        return sameStatementRef(p, q);
      case 'contextAgents':
        return sameList(p, q, (a, b) => sameContextActor(a, b, 'agent'));
      case 'contextGroups':
        return sameList(p, q, (a, b) => sameContextActor(a, b, 'group'));
      default:
        return jsonEqual(p, q);
    }
  });
}

/** An xAPI 2.0 contextAgent / contextGroup: its Agent or Group compared as any other (b5, b7). */
function sameContextActor(x: unknown, y: unknown, property: 'agent' | 'group'): boolean {
  if (!isObject(x) || !isObject(y)) return jsonEqual(x, y);
  return everyKey(x, y, (key, p, q) => (key === property ? sameAgentOrGroup(p, q) : jsonEqual(p, q)));
}

function sameList(x: unknown, y: unknown, same: (a: unknown, b: unknown) => boolean): boolean {
  if (!Array.isArray(x) || !Array.isArray(y)) return jsonEqual(x, y);
  return x.length === y.length && x.every((item, i) => same(item, y[i]));
}

function sameContextActivities(x: unknown, y: unknown): boolean {
  if (!isObject(x) || !isObject(y)) return jsonEqual(x, y);
  return everyKey(x, y, (_key, p, q) => {
    const listP = isObject(p) ? [p] : p;
    const listQ = isObject(q) ? [q] : q;
    if (!Array.isArray(listP) || !Array.isArray(listQ)) return jsonEqual(listP, listQ);
    return listP.length === listQ.length && listP.every((activity, i) => sameActivity(activity, listQ[i]));
  });
}

// ---------------------------------------------------------------------------------------------
// Generic JSON helpers

/** Applies `same` to every property present in either object (missing = undefined). */
function everyKey(a: JsonObject, b: JsonObject, same: (key: string, x: unknown, y: unknown) => boolean): boolean {
  for (const key of Object.keys(a)) if (!same(key, a[key], b[key])) return false;
  for (const key of Object.keys(b)) if (!(key in a) && !same(key, undefined, b[key])) return false;
  return true;
}

/** Deep equality of JSON values; object key order is irrelevant, array order is not. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  return everyKey(a as JsonObject, b as JsonObject, (_key, x, y) => jsonEqual(x, y));
}

/** JSON text with object keys sorted, so equal values give equal strings. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
