/**
 * Reads the body of PUT/POST /statements (xAPI 1.0.3 Data 2.4.11, Communication 1.5):
 * `application/json`, or `multipart/mixed` with the statements as the first part and one
 * part per attachment body, each with its SHA-2 in X-Experience-API-Hash and checked here.
 */
import { hashesTo } from './attachment-parts.js';
import type { Context } from 'hono';
import { MultipartParseError, parseMultipart } from '@remix-run/multipart-parser';
import { ApiError, badRequest } from '../../src/http/errors.js';
import type { AppEnv } from '../../src/http/app-env.js';
import type { AttachmentContent } from '../../src/storage/port.js';
import { requestBytes, requestText } from '../../src/http/body.js';

export interface StatementsBody {
  json: unknown;
  attachments: AttachmentContent[];
}

function unsupportedType(type: string): ApiError {
  return new ApiError(400, 'unsupported-content-type', `Content-Type must be application/json or multipart/mixed, got "${type || 'none'}".`, [
    { path: 'Content-Type', rule: 'application-json-or-multipart-mixed', message: 'send statements as application/json, or multipart/mixed with attachments' },
  ]);
}

export function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    throw badRequest('malformed-json', `The ${path} is not valid JSON: ${message}`, [{ path, rule: 'json', message }]);
  }
}

function attachmentPart(headers: Record<string, string>, body: Uint8Array, index: number): AttachmentContent {
  const path = `multipart.part[${index}]`;
  const declared = headers['x-experience-api-hash']?.trim().toLowerCase();
  if (!declared) throw badRequest('invalid-attachment', `${path} has no X-Experience-API-Hash header.`, [{ path, rule: 'hash-header-required', message: 'each attachment part needs X-Experience-API-Hash' }]);
  if (headers['content-transfer-encoding']?.trim().toLowerCase() !== 'binary') {
    throw badRequest('invalid-attachment', `${path} must have Content-Transfer-Encoding: binary.`, [{ path, rule: 'binary-transfer-encoding', message: 'Content-Transfer-Encoding must be binary' }]);
  }
  if (!hashesTo(body, declared)) {
    throw badRequest('attachment-hash-mismatch', `${path}: the body does not hash to ${declared}.`, [{ path, rule: 'sha2-matches-body', message: 'X-Experience-API-Hash must be the SHA-2 of the part body' }]);
  }
  return { sha2: declared, contentType: headers['content-type'] ?? 'application/octet-stream', body };
}

/**
 * The body from its first boundary on: RFC 2046 5.1.1 allows a preamble (often a lone CRLF, as
 * the conformance suite's signed statements send) before it, which the parser does not skip.
 */
function withoutPreamble(bytes: Uint8Array, boundary: string): Uint8Array {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dashBoundary = `--${boundary}`;
  if (buffer.subarray(0, dashBoundary.length).toString('latin1') === dashBoundary) return bytes;
  const at = buffer.indexOf(`\r\n${dashBoundary}`);
  return at >= 0 ? bytes.subarray(at + 2) : bytes;
}

function parseMixed(body: Uint8Array, boundary: string): StatementsBody {
  const bytes = withoutPreamble(body, boundary);
  let parts: { headers: Record<string, string>; bytes: Uint8Array }[];
  try {
    parts = [...parseMultipart(bytes, { boundary, maxParts: 1000, maxFileSize: bytes.length, maxTotalSize: bytes.length })].map((p) => ({
      headers: p.headers as unknown as Record<string, string>,
      bytes: p.bytes,
    }));
  } catch (error) {
    if (error instanceof MultipartParseError) throw badRequest('malformed-multipart', `The multipart body is malformed: ${error.message}`, [{ path: 'body', rule: 'multipart-mixed', message: error.message }]);
    throw error;
  }
  const [first, ...rest] = parts;
  if (!first || !/^application\/json\s*(;|$)/i.test(first.headers['content-type'] ?? '')) {
    throw badRequest('malformed-multipart', 'The first part of a multipart/mixed body must be the statements as application/json.', [
      { path: 'multipart.part[0]', rule: 'first-part-json', message: 'first part must have Content-Type application/json' },
    ]);
  }
  return {
    json: parseJson(new TextDecoder().decode(first.bytes), 'multipart.part[0]'),
    attachments: rest.map((p, i) => attachmentPart(p.headers, p.bytes, i + 1)),
  };
}

export async function readStatementsBody(c: Context<AppEnv>): Promise<StatementsBody> {
  const type = c.req.header('Content-Type') ?? '';
  if (/^application\/json\s*(;|$)/i.test(type)) return { json: parseJson(await requestText(c), 'body'), attachments: [] };
  if (/^multipart\/mixed\s*;/i.test(type)) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
    const value = boundary?.[1] ?? boundary?.[2];
    if (!value) throw badRequest('malformed-multipart', 'multipart/mixed needs a boundary parameter.', [{ path: 'Content-Type', rule: 'boundary-required', message: 'add boundary=…' }]);
    return parseMixed(await requestBytes(c), value);
  }
  throw unsupportedType(type);
}
