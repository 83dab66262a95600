/**
 * The document resources' operations on the document (or set of them) a request addresses,
 * which the route parses from the query parameters. They speak no HTTP: a request they cannot
 * carry out is a Refusal, answered by src/http/errors.ts. Each write reads top to bottom:
 * check the body → read the stored document → check preconditions → decide the new contents →
 * write against the revision read (on a lost race: read again).
 */
import { Refusal } from '../../src/refusal.js';
import { quoteEtag, sha1Hex } from '../../src/http/etag.js';
import type { DocumentContent, DocumentKey, DocumentStore, DocumentWriteOutcome, StoredDocument } from '../../src/storage/port.js';
import { DEFAULT_CONTENT_TYPE, checkJsonBody, documentContent, mergeInto, postedObject } from './content.js';
import { checkPreconditions, hasPreconditions, missingPrecondition, type Preconditions } from './preconditions.js';
import type { DocumentMethod, DocumentResourceSpec, DocumentTarget } from './resources.js';
import type { XapiVersion } from '../version.js';

export interface DocumentDeps {
  store: DocumentStore;
  /** Current time as UTC ISO 8601 with milliseconds. */
  now: () => string;
}

export interface DocumentRequest extends Preconditions {
  method: DocumentMethod;
  /** What the query parameters address (parseDocumentTarget in resources.ts). */
  target: DocumentTarget;
  /** The request's xAPI version; 1.0.3 when absent. */
  xapiVersion?: XapiVersion;
  /** The Content-Type header as sent (PUT, POST). */
  contentType?: string;
  body?: Uint8Array;
}

export type DocumentReply =
  | { status: 204 }
  | { status: 200; contentType: string; body: Uint8Array | string; etag: string; lastModified?: string };

/** Reads, decisions and writes per request before giving up: each lost race means another writer got through. */
const MAX_ATTEMPTS = 5;

function notFound(spec: DocumentResourceSpec, key: DocumentKey): Refusal {
  const message = `No ${spec.label} with ${spec.idParam} "${key.id}" in this context.`;
  return new Refusal('not-found', 'not-found', message, [{ path: spec.idParam, rule: 'document-exists', message }]);
}

/** Runs read → decide → conditional write until the write lands. */
async function writeWithRetry(
  store: DocumentStore,
  key: DocumentKey,
  step: (current: StoredDocument | null) => Promise<DocumentWriteOutcome>,
): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if ((await step(await store.get(key))).kind === 'written') return;
  }
  const message = 'The document kept changing while this request was applied; fetch it again and retry.';
  throw new Refusal('conflict', 'concurrent-update', message, [{ path: 'document', rule: 'concurrent-update', message }]);
}

function lastModified(updated: string): string {
  return new Date(updated).toUTCString();
}

async function get(spec: DocumentResourceSpec, request: DocumentRequest, deps: DocumentDeps): Promise<DocumentReply> {
  const { target } = request;
  if (target.kind === 'one') {
    const doc = await deps.store.get(target.key);
    if (doc === null) throw notFound(spec, target.key);
    return { status: 200, contentType: doc.contentType, body: doc.contents, etag: quoteEtag(doc.etag), lastModified: lastModified(doc.updated) };
  }
  const listed = await deps.store.list(target.selection, target.since);
  // Without a registration, one id can occur in several registrations' contexts.
  const body = JSON.stringify([...new Set(listed.map((d) => d.id))]);
  const newest = listed.reduce<string | undefined>((max, d) => (max === undefined || d.updated > max ? d.updated : max), undefined);
  const reply: DocumentReply = { status: 200, contentType: 'application/json', body, etag: quoteEtag(sha1Hex(body)) };
  if (newest !== undefined) reply.lastModified = lastModified(newest);
  return reply;
}

async function put(spec: DocumentResourceSpec, request: DocumentRequest, deps: DocumentDeps): Promise<DocumentReply> {
  const { target } = request;
  if (target.kind !== 'one') throw new Error('PUT always targets one document');
  const contentType = request.contentType ?? DEFAULT_CONTENT_TYPE;
  const body = request.body ?? new Uint8Array();
  checkJsonBody(contentType, body);
  await writeWithRetry(deps.store, target.key, async (current) => {
    if (!hasPreconditions(request)) {
      if (spec.putNeedsPrecondition) throw missingPrecondition(current !== null, spec.label);
      // xAPI 2.0 puts every document resource under concurrency control (9274.1.1 4.1.4): replacing
      // an existing document without If-Match or If-None-Match is a 409; creating one needs neither.
      if (request.xapiVersion === '2.0.0' && current !== null) throw missingPrecondition(true, spec.label);
    }
    checkPreconditions(request, current?.etag ?? null);
    return deps.store.put(target.key, documentContent(contentType, body, deps.now()), current?.revision ?? null);
  });
  return { status: 204 };
}

async function post(spec: DocumentResourceSpec, request: DocumentRequest, deps: DocumentDeps): Promise<DocumentReply> {
  const { target } = request;
  if (target.kind !== 'one') throw new Error('POST always targets one document');
  const contentType = request.contentType ?? DEFAULT_CONTENT_TYPE;
  const body = request.body ?? new Uint8Array();
  const posted = postedObject(contentType, body);
  await writeWithRetry(deps.store, target.key, async (current) => {
    checkPreconditions(request, current?.etag ?? null);
    // No document yet: the POST stores the body as a PUT would (Communication 2.2.s7).
    let next: DocumentContent;
    if (current === null) next = documentContent(contentType, body, deps.now());
    else next = documentContent('application/json', mergeInto(current, posted, contentType), deps.now());
    return deps.store.put(target.key, next, current?.revision ?? null);
  });
  return { status: 204 };
}

async function remove(spec: DocumentResourceSpec, request: DocumentRequest, deps: DocumentDeps): Promise<DocumentReply> {
  const { target } = request;
  if (target.kind === 'many') {
    await deps.store.deleteMany(target.selection);
    return { status: 204 };
  }
  if (!hasPreconditions(request)) {
    await deps.store.delete(target.key);
    return { status: 204 };
  }
  await writeWithRetry(deps.store, target.key, async (current) => {
    checkPreconditions(request, current?.etag ?? null);
    return current === null ? { kind: 'written' } : deps.store.delete(target.key, current.revision);
  });
  return { status: 204 };
}

export async function handleDocumentRequest(spec: DocumentResourceSpec, request: DocumentRequest, deps: DocumentDeps): Promise<DocumentReply> {
  switch (request.method) {
    case 'GET':
      return get(spec, request, deps);
    case 'PUT':
      return put(spec, request, deps);
    case 'POST':
      return post(spec, request, deps);
    case 'DELETE':
      return remove(spec, request, deps);
  }
}
