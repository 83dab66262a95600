/**
 * Value formats used by xAPI 1.0.3 statements (xAPI-Data.md part 4 "Special Data Types and
 * Rules", 2.4.2.3 IFIs, 2.4.10 version, 2.4.11 attachments), plus the JSON-path helper used to
 * name the place of a problem. Pure functions; every regular expression is compiled once.
 */

/** Appends a property name or array index to a JSON-path-like string (`a.b`, `a["en-US"]`, `a[3]`). */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// ---------------------------------------------------------------------------------------------
// UUID (Data 4.4): "UUIDs MUST be in the standard string form". Variant 2 is only recommended, so
// any version/variant nibble is accepted; hex digits are case-insensitive (RFC 4122 section 3).
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

// ---------------------------------------------------------------------------------------------
// IRI / IRL (Data 2.2.s4.b1.b8, 2.2.s4.b6, 3.1, 4.3): best-effort validation. An absolute IRI has
// a scheme (RFC 3987: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"), a non-empty remainder, no
// whitespace or control characters, none of the ASCII characters IRIs never allow, and every "%"
// starts a percent-encoded octet. Relative references ("example.com/x") have no scheme and fail.
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\u0000-\u001F\u007F-\u009F]+$/u;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

export function isIri(s: string): boolean {
  return IRI.test(s) && (!s.includes('%') || !BAD_PERCENT.test(s));
}

/** mbox (Data 2.4.2.3): "mailto:email address". */
const MAILTO = /^mailto:[^\s@]+@[^\s@]+$/;

export function isMailtoIri(s: string): boolean {
  return MAILTO.test(s) && isIri(s);
}

/** mbox_sha1sum (Data 2.4.2.3): hex-encoded SHA-1, i.e. 40 hex digits. */
const SHA1_HEX = /^[0-9a-fA-F]{40}$/;

export function isSha1Hex(s: string): boolean {
  return SHA1_HEX.test(s);
}

// ---------------------------------------------------------------------------------------------
// Statement version (Data 2.4.10): MUST start with "1.0." and be formatted as for the version
// header (Semantic Versioning 1.0.0); "1.0" is accepted as well (Communication 3.3.s3.b3, and the
// ADL conformance suite posts a statement with version "1.0" expecting 200).
const VERSION = /^1\.0(?:\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?$/;

export function isStatementVersion(s: string): boolean {
  return VERSION.test(s);
}

/**
 * Statement version in an xAPI 2.0 request (9274.1.1 4.2.4.3: statements retain the version they
 * are accepted with, 2.0.0 for every 2.0.x): 1.0.x as above, or 2.0 / 2.0.x. The ADL 2.0 suite
 * posts "1.0", "1.0.9" and "2.0.0" expecting 200, and "1.1.0", "0.9.9" expecting 400.
 */
const VERSION_2 = /^2\.0(?:\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?$/;

export function isStatementVersion2(s: string): boolean {
  return VERSION.test(s) || VERSION_2.test(s);
}

// ---------------------------------------------------------------------------------------------
// Attachment contentType (Data 2.4.11): an Internet Media Type, "type/subtype" with optional
// parameters (RFC 6838 restricted-name characters; parameters are not inspected).
const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}[ \t]*(?:;[\s\S]*)?$/;

export function isMediaType(s: string): boolean {
  return MEDIA_TYPE.test(s);
}

// ---------------------------------------------------------------------------------------------
// Language tags (Data 2.2.s4.b2, 4.2): RFC 5646 syntax ("well-formed"), plus the two "valid"
// checks that need no registry: no repeated variant and no repeated extension singleton
// (RFC 5646 section 2.2.5/2.2.6). Tags are case-insensitive. The IANA registry is not consulted,
// so unknown but well-formed tags ("tlh", "zh-Hant-TW", "x-foo") are accepted.
const GRANDFATHERED = new Set([
  // irregular
  'en-gb-oed', 'i-ami', 'i-bnn', 'i-default', 'i-enochian', 'i-hak', 'i-klingon', 'i-lux',
  'i-mingo', 'i-navajo', 'i-pwn', 'i-tao', 'i-tay', 'i-tsu', 'sgn-be-fr', 'sgn-be-nl', 'sgn-ch-de',
  // regular
  'art-lojban', 'cel-gaulish', 'no-bok', 'no-nyn', 'zh-guoyu', 'zh-hakka', 'zh-min', 'zh-min-nan',
  'zh-xiang',
]);
const LANGUAGE = /^[a-z]{2,8}$/;
const EXTLANG = /^[a-z]{3}$/;
const SCRIPT = /^[a-z]{4}$/;
const REGION = /^(?:[a-z]{2}|[0-9]{3})$/;
const VARIANT = /^(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3})$/;
const SINGLETON = /^[0-9a-wyz]$/;
const EXTENSION_SUBTAG = /^[a-z0-9]{2,8}$/;
const PRIVATE_SUBTAG = /^[a-z0-9]{1,8}$/;

/** Language maps repeat the same few tags; remember the verdict for short strings. */
const languageTagCache = new Map<string, boolean>();
const LANGUAGE_TAG_CACHE_LIMIT = 10_000;
const CACHEABLE_TAG_LENGTH = 64;

export function isLanguageTag(tag: string): boolean {
  const cached = languageTagCache.get(tag);
  if (cached !== undefined) return cached;
  const ok = parseLanguageTag(tag);
  if (tag.length <= CACHEABLE_TAG_LENGTH) {
    if (languageTagCache.size >= LANGUAGE_TAG_CACHE_LIMIT) languageTagCache.clear();
    languageTagCache.set(tag, ok);
  }
  return ok;
}

function parseLanguageTag(tag: string): boolean {
  if (tag.length === 0 || tag.length > 255) return false;
  const lower = tag.toLowerCase();
  if (GRANDFATHERED.has(lower)) return true;
  const parts = lower.split('-');
  const n = parts.length;
  if (parts[0] === 'x') return isPrivateUse(parts, 1);
  const language = parts[0] ?? '';
  if (!LANGUAGE.test(language)) return false;
  let i = 1;
  if (language.length <= 3) {
    // extlang: up to three 3-letter subtags (a 3-letter subtag cannot be anything else here)
    for (let k = 0; k < 3 && i < n && EXTLANG.test(parts[i] ?? ''); k++) i++;
  }
  if (i < n && SCRIPT.test(parts[i] ?? '')) i++;
  if (i < n && REGION.test(parts[i] ?? '')) i++;
  const variants = new Set<string>();
  while (i < n && VARIANT.test(parts[i] ?? '')) {
    const v = parts[i] ?? '';
    if (variants.has(v)) return false;
    variants.add(v);
    i++;
  }
  const singletons = new Set<string>();
  while (i < n && SINGLETON.test(parts[i] ?? '')) {
    const s = parts[i] ?? '';
    if (singletons.has(s)) return false;
    singletons.add(s);
    i++;
    const start = i;
    while (i < n && EXTENSION_SUBTAG.test(parts[i] ?? '')) i++;
    if (i === start) return false;
  }
  if (i < n && parts[i] === 'x') return isPrivateUse(parts, i + 1);
  return i === n;
}

function isPrivateUse(parts: string[], from: number): boolean {
  if (from >= parts.length) return false;
  for (let i = from; i < parts.length; i++) if (!PRIVATE_SUBTAG.test(parts[i] ?? '')) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Timestamps (Data 4.5): ISO 8601 combined date and time. Accepted: extended
// (YYYY-MM-DDThh:mm[:ss[.f+]]) and basic (YYYYMMDDThhmm[ss[.f+]]) formats, "." or "," as decimal
// sign, and an optional time zone designator Z / ±hh:mm / ±hhmm / ±hh. The time zone is only a
// SHOULD (4.5.s1.b4), so a timestamp without one is accepted. Rejected: "negative zero" offsets
// (-00, -0000, -00:00), which ISO 8601 does not allow and which the ADL conformance suite expects
// to be rejected, and calendar-invalid values (month 13, Feb 30, 25:00, ...).
const TIMESTAMP_EXTENDED =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const TIMESTAMP_BASIC =
  /^(\d{4})(\d{2})(\d{2})[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(\d{2})?)?$/;

export interface ParsedTimestamp {
  /** Whole seconds since the Unix epoch of the instant (a missing time zone is taken as UTC). */
  epochSeconds: number;
  /** Decimal fraction of the second exactly as written (digits only, may be ""). */
  fraction: string;
  /** false when the timestamp carried no time zone designator. */
  hasTimeZone: boolean;
}

interface TimestampFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string;
  offsetMinutes: number;
  hasTimeZone: boolean;
}

/** Matches and range-checks a timestamp; null when it is not a valid ISO 8601 date and time. */
function timestampFields(s: string): TimestampFields | null {
  const m = TIMESTAMP_EXTENDED.exec(s) ?? TIMESTAMP_BASIC.exec(s);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  if (minute > 59 || second > 60) return null;
  // 24:00[:00[.000]] is the end of the day (ISO 8601 4.2.3); any other hour above 23 is invalid.
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0 || /[1-9]/.test(fraction)))) return null;
  let offsetMinutes = 0;
  const sign = m[9];
  if (sign !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return null;
    if (sign === '-' && oh === 0 && om === 0) return null; // "-00:00" is not a valid offset
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const hasTimeZone = m[8] !== undefined || sign !== undefined;
  return { year, month, day, hour, minute, second, fraction, offsetMinutes, hasTimeZone };
}

export function isTimestamp(s: string): boolean {
  return timestampFields(s) !== null;
}

/** The instant a valid timestamp denotes; null when it is not a valid timestamp. */
export function parseTimestamp(s: string): ParsedTimestamp | null {
  const t = timestampFields(s);
  if (t === null) return null;
  let utcMs: number;
  if (t.year >= 100) {
    utcMs = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second); // hour 24 and second 60 roll over
  } else {
    const d = new Date(0); // Date.UTC would read years 0..99 as 1900..1999
    d.setUTCFullYear(t.year, t.month - 1, t.day);
    d.setUTCHours(t.hour, t.minute, t.second, 0);
    utcMs = d.getTime();
  }
  const epochMs = utcMs - t.offsetMinutes * 60_000;
  return { epochSeconds: Math.floor(epochMs / 1000), fraction: t.fraction, hasTimeZone: t.hasTimeZone };
}

/**
 * xAPI 2.0 timestamps (9274.1.1 5.2.7, "expressed using the format described in RFC 3339"):
 * RFC 3339 section 5.6 date-time, i.e. YYYY-MM-DDThh:mm:ss[.f+] followed by Z or ±hh:mm. Seconds
 * and the offset are required; "T" and "Z" may be lower case (5.6 NOTE). Refused as well: what
 * the ISO 8601 check above refuses, including "-00:00" (RFC 3339 4.3 gives it a meaning of its own
 * that ISO 8601, of which the specification calls RFC 3339 a profile, does not have; the ADL
 * suite expects it refused) and hour 24, which RFC 3339 does not have.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt](\d{2}):\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

export function isRfc3339Timestamp(s: string): boolean {
  const m = RFC3339.exec(s);
  return m !== null && Number(m[1]) < 24 && timestampFields(s) !== null;
}

/**
 * A valid timestamp as the same instant in UTC, YYYY-MM-DDThh:mm:ss[.f+]Z, keeping the fraction
 * digits as written (9274.1.1 4.2.7: the LRS converts timestamps to UTC rather than refusing
 * them). Null when the timestamp is not valid or its year falls outside 0000–9999.
 */
export function toUtcTimestamp(s: string): string | null {
  const parsed = parseTimestamp(s);
  if (parsed === null) return null;
  const date = new Date(parsed.epochSeconds * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) return null;
  const whole = date.toISOString().slice(0, 19); // YYYY-MM-DDThh:mm:ss
  return `${whole}${parsed.fraction === '' ? '' : `.${parsed.fraction}`}Z`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// ---------------------------------------------------------------------------------------------
// Durations (Data 4.6): ISO 8601:2004 4.4.3.2 format PnYnMnDTnHnMnS or PnW (weeks cannot be
// combined with other components). At least one component; "T" must be followed by a time
// component; only the lowest-order component present may carry a decimal fraction. The
// alternative format (P0003-01-02T...) MUST NOT be used and is rejected.
const DURATION =
  /^P(?:(\d+(?:[.,]\d+)?)W|(?=[\dT])(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?)$/;

export function isDuration(s: string): boolean {
  const m = DURATION.exec(s);
  if (m === null) return false;
  let fractionSeen = false;
  for (let g = 1; g <= 7; g++) {
    const part = m[g];
    if (part === undefined) continue;
    if (fractionSeen) return false; // a component follows one with a fraction
    if (part.includes('.') || part.includes(',')) fractionSeen = true;
  }
  return true;
}
