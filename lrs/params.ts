/**
 * Query-parameter readers shared by the document, Activities and Agents resources. Every
 * parameter is checked: unknown, repeated or malformed ones are a 400 naming the parameter
 * (xAPI 1.0.3 Communication 3.2.s3.b7).
 */
import { invalidParameter } from '../src/http/errors.js';
import { isIri, isRfc3339Timestamp, parseTimestamp } from './statements/validation/formats.js';
import type { XapiVersion } from './version.js';

export { checkParamNames } from '../src/http/params.js';

export function requiredParam(params: URLSearchParams, name: string, context: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw invalidParameter(name, 'required', `${context} needs the ${name} parameter`);
  return value;
}

/** An Activity id: an absolute IRI. */
export function activityIdParam(params: URLSearchParams, context: string): string {
  const value = requiredParam(params, 'activityId', context);
  if (!isIri(value)) throw invalidParameter('activityId', 'iri', 'activityId must be an absolute IRI');
  return value;
}

/**
 * An ISO 8601 timestamp (xAPI 2.0: an RFC 3339 one), normalised to UTC with milliseconds (the
 * form `updated` is kept in).
 */
export function timestampParam(params: URLSearchParams, name: string, version: XapiVersion = '1.0.3'): string | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (version === '2.0.0' && !isRfc3339Timestamp(value)) {
    throw invalidParameter(name, 'rfc3339-timestamp', `${name} must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z`);
  }
  const parsed = parseTimestamp(value);
  if (parsed === null) throw invalidParameter(name, 'iso8601-timestamp', `${name} must be an ISO 8601 timestamp`);
  // Truncated to milliseconds, which keeps "updated strictly after" exact for stored times.
  const ms = parsed.epochSeconds * 1000 + Number(parsed.fraction.slice(0, 3).padEnd(3, '0'));
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw invalidParameter(name, 'iso8601-timestamp', `${name} is out of range`);
  return date.toISOString();
}
