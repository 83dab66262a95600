/**
 * Document contents: bytes of any type, stored exactly as sent; JSON gets the checks and the
 * POST merge of xAPI 1.0.3 Communication 2.2.s7–s8. Pure functions.
 */
import { invalid } from '../../src/refusal.js';
import { sha1Hex } from '../../src/http/etag.js';
import type { DocumentContent } from '../../src/storage/port.js';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const JSON_TYPE = 'application/json';

/** True for `application/json`, parameters (charset) ignored. */
export function isJsonType(contentType: string): boolean {
  return contentType.split(';')[0]?.trim().toLowerCase() === JSON_TYPE;
}

export function documentContent(contentType: string, contents: Uint8Array, updated: string): DocumentContent {
  return { contentType, contents, etag: sha1Hex(contents), updated };
}

type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

function parse(bytes: Uint8Array): Parsed {
  try {
    // fatal: bytes that are not UTF-8 are not JSON either (RFC 8259 section 8.1); a BOM is dropped.
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A body sent as application/json must be JSON (Communication 3.2.s3.b6); any JSON value for a PUT. */
export function checkJsonBody(contentType: string, body: Uint8Array): void {
  if (!isJsonType(contentType)) return;
  const parsed = parse(body);
  if (!parsed.ok) throw invalid('malformed-json', `The body is sent as application/json but is not JSON: ${parsed.reason}`, [{ path: 'body', rule: 'json', message: parsed.reason }]);
}

/**
 * The object a POST merges in: a POST is the JSON-object merge of Communication 2.2.s7, so an
 * application/json body must be a JSON object (2.2.s8.b1); null for other content types,
 * which are only stored as they are when no document exists yet.
 */
export function postedObject(contentType: string, body: Uint8Array): Record<string, unknown> | null {
  if (!isJsonType(contentType)) return null;
  const parsed = parse(body);
  if (!parsed.ok) throw invalid('malformed-json', `The body is sent as application/json but is not JSON: ${parsed.reason}`, [{ path: 'body', rule: 'json', message: parsed.reason }]);
  if (!isObject(parsed.value)) throw invalid('not-json-object', 'A POST to a document resource merges JSON objects; the body is JSON but not an object.', [{ path: 'body', rule: 'json-object', message: 'must be a JSON object' }]);
  return parsed.value;
}

/**
 * Merges a posted object into the stored document (Communication 2.2.s7): top-level properties
 * of the posted object replace those of the stored one. Refused (400) when either is not a JSON
 * object (2.2.s8.b1); the stored document is then left as it is.
 */
export function mergeInto(stored: DocumentContent, posted: Record<string, unknown> | null, postedType: string): Uint8Array {
  if (posted === null) {
    throw invalid('merge-needs-json', `Only application/json documents can be merged by POST; this one is sent as "${postedType}". Use PUT to replace the document.`, [
      { path: 'Content-Type', rule: 'application-json', message: 'a POST to an existing document must be application/json' },
    ]);
  }
  const existing = isJsonType(stored.contentType) ? parse(stored.contents) : undefined;
  if (existing === undefined || !existing.ok || !isObject(existing.value)) {
    throw invalid('merge-needs-json', `The stored document is ${existing === undefined ? `of type "${stored.contentType}"` : 'not a JSON object'} and cannot be merged with. Use PUT to replace it.`, [
      { path: 'document', rule: 'stored-json-object', message: 'the stored document must be an application/json object to be merged' },
    ]);
  }
  return new TextEncoder().encode(JSON.stringify({ ...existing.value, ...posted }));
}
