/**
 * Entity tags (xAPI 1.0.3 Communication 3.1.s4): the lower-case hex SHA-1 of the bytes sent,
 * in double quotes.
 */
import { createHash } from 'node:crypto';

export function sha1Hex(content: Uint8Array | string): string {
  return createHash('sha1').update(content).digest('hex');
}

export function quoteEtag(hex: string): string {
  return `"${hex}"`;
}

/** The headers of a JSON answer with its ETag, for resources under concurrency control. */
export function jsonWithEtag(value: unknown): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(value);
  return { body, headers: { 'Content-Type': 'application/json', ETag: quoteEtag(sha1Hex(body)) } };
}
