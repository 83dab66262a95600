/**
 * The sending side of the marketplace push protocol (ARCHITECTURE.md §7, contract), pure: the request
 * for a member's newest version, its signature, how a response is classified, and when to try
 * again. The deliverer (deliverer.ts) does the I/O.
 */
import type { DeliveryItem } from '../../src/storage/delivery-port.js';
import { signatureHeader } from '../hris/signature.js';
import { profileOf } from '../fold/render.js';

/** A Retry-After larger than this (ms) is taken as this: a broken header must not park a member for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Characters of the body kept with a dead letter. */
export const PAYLOAD_SAMPLE_CHARS = 512;

export interface PushRequest {
  url: string;
  method: 'PUT' | 'DELETE';
  headers: Record<string, string>;
  /** The exact bytes signed (empty for a DELETE). */
  body: string;
}

/**
 * The request delivering `item`: a PUT of the whole profile (rendered from the stored content),
 * or a DELETE when the member has left or was erased (status terminated or erased). `Idempotency-Key` is
 * `{member_id}:{version}`, `member_id` being the published id, and `X-Signature` signs
 * `"{t}.{raw body}"` with HMAC-SHA256.
 */
export function pushRequest(item: DeliveryItem, baseUrl: string, secret: string, nowSeconds: number): PushRequest {
  if (item.content.status !== 'active') return deleteRequest(item.publishedId, item.version, baseUrl, secret, nowSeconds);
  const body = JSON.stringify(profileOf(item));
  return {
    url: profileUrl(baseUrl, item.publishedId),
    method: 'PUT',
    headers: { 'Idempotency-Key': `${item.publishedId}:${item.version}`, 'X-Signature': signatureHeader(secret, body, nowSeconds), 'Content-Type': 'application/json' },
    body,
  };
}

/** The DELETE of a member at `version`: a member who left, or one the marketplace holds but nobody publishes (reconciliation). */
export function deleteRequest(publishedId: string, version: number, baseUrl: string, secret: string, nowSeconds: number): PushRequest {
  return {
    url: profileUrl(baseUrl, publishedId),
    method: 'DELETE',
    headers: { 'Idempotency-Key': `${publishedId}:${version}`, 'X-Signature': signatureHeader(secret, '', nowSeconds) },
    body: '',
  };
}

const profileUrl = (baseUrl: string, publishedId: string) => `${baseUrl.replace(/\/+$/, '')}/profiles/${encodeURIComponent(publishedId)}`;

export function payloadSample(request: PushRequest): string {
  if (request.method === 'DELETE') return `(DELETE ${request.url}: no body)`;
  return request.body.length > PAYLOAD_SAMPLE_CHARS ? `${request.body.slice(0, PAYLOAD_SAMPLE_CHARS)}…` : request.body;
}

/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns ms from `nowMs` (a
 * date in the past is 0), capped at MAX_RETRY_AFTER_MS; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Number(text) * 1000);
  // Every HTTP-date form starts with the weekday; Date.parse alone would accept much else.
  if (!/^(mon|tue|wed|thu|fri|sat|sun)/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - nowMs));
}

export type Outcome =
  | { kind: 'delivered' }
  /** Try again later; `retryAfterMs` from the response's Retry-After, when it had one. */
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  /** Will not succeed by repetition: to the dead-letter queue at once. */
  | { kind: 'permanent'; error: string };

/** Status codes worth repeating (ARCHITECTURE.md §7): 408, 409, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * What a response means. 2xx is delivered; so is 404 or 410 to a DELETE (the member is gone
 * already). Redirects are not followed (a push must reach the configured URL) and are permanent.
 */
export function classify(method: PushRequest['method'], status: number, retryAfter: string | null, responseText: string, nowMs: number): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (method === 'DELETE' && (status === 404 || status === 410)) return { kind: 'delivered' };
  const snippet = responseText.replace(/\s+/g, ' ').trim().slice(0, 200);
  const error = `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  if (!isRetryableStatus(status)) return { kind: 'permanent', error };
  const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
  return retryAfterMs === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs };
}

/** A network failure (refused, reset, DNS, timeout) as a retryable outcome. */
export function networkFailure(error: unknown, timeoutMs: number): Outcome {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { kind: 'retry', error: `timeout: no response within ${timeoutMs} ms` };
  const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
  return { kind: 'retry', error: `network: ${detail}` };
}
