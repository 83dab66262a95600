/**
 * Optimistic concurrency for documents (xAPI 1.0.3 Communication 3.1): If-Match and
 * If-None-Match as RFC 7232 defines them, evaluated against the stored document's ETag.
 * Pure: the service reads the document, asks here, and writes against what it read.
 */
import { Refusal, invalid } from '../../src/refusal.js';

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

/** `*`, or the entity tags of a header list (unquoted, lower case; weak tags keep their `W/`). */
type EtagList = '*' | string[];

export function parseEtagList(header: string): EtagList {
  const trimmed = header.trim();
  if (trimmed === '*') return '*';
  const tags: string[] = [];
  // Entity tags are quoted and may contain commas; unquoted tokens are tolerated for clients
  // that send the bare SHA-1.
  for (const match of trimmed.matchAll(/(W\/)?"([^"]*)"|([^\s,"]+)/g)) {
    if (match[3] !== undefined) tags.push(match[3].toLowerCase());
    else tags.push(`${match[1] ?? ''}${(match[2] ?? '').toLowerCase()}`);
  }
  return tags;
}

/** Strong comparison (If-Match) and the weak one (If-None-Match) coincide: we only issue strong tags. */
function listed(list: EtagList, etag: string): boolean {
  return list === '*' || list.includes(etag.toLowerCase());
}

function failed(header: 'If-Match' | 'If-None-Match', message: string): Refusal {
  return new Refusal('precondition-failed', 'precondition-failed', message, [{ path: header, rule: header === 'If-Match' ? 'etag-matches' : 'etag-does-not-match', message }]);
}

/**
 * Refuses (precondition-failed: a 412) when a precondition the request carries does not hold
 * for the stored document (`etag` of the stored one, or null when there is none).
 */
export function checkPreconditions(pre: Preconditions, etag: string | null): void {
  if (pre.ifMatch !== undefined) {
    const list = parseEtagList(pre.ifMatch);
    if (etag === null) throw failed('If-Match', 'If-Match was given but there is no such document.');
    if (!listed(list, etag)) throw failed('If-Match', `The document has changed: its ETag is "${etag}", not one of If-Match. Fetch it again and retry.`);
  }
  if (pre.ifNoneMatch !== undefined && etag !== null) {
    const list = parseEtagList(pre.ifNoneMatch);
    if (listed(list, etag)) {
      throw failed('If-None-Match', list === '*' ? 'If-None-Match: * was given but the document exists.' : `The document's ETag "${etag}" is listed in If-None-Match.`);
    }
  }
}

export function hasPreconditions(pre: Preconditions): boolean {
  return pre.ifMatch !== undefined || pre.ifNoneMatch !== undefined;
}

/**
 * A PUT to a profile resource without If-Match or If-None-Match: a conflict (409) when the
 * document exists (Communication 3.1.s4.b13–b15), invalid (400) when it does not (the header
 * is a MUST for the client, 3.1.s3.b1, and a missing argument is a 400, 3.2.s2.b1; the ADL
 * conformance suite expects it).
 */
export function missingPrecondition(exists: boolean, label: string): Refusal {
  if (exists) {
    const message = `A ${label} already exists here. Check its current state (GET it) and send the PUT again with If-Match set to its ETag, or If-None-Match: * to create only.`;
    return new Refusal('conflict', 'conflict', message, [{ path: 'If-Match', rule: 'precondition-required', message }]);
  }
  const message = `A PUT to this resource needs an If-Match header (the ETag of the document to replace) or If-None-Match: * (to create it only if absent).`;
  return invalid('precondition-required', message, [{ path: 'If-Match', rule: 'precondition-required', message }]);
}
