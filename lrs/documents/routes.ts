/**
 * The State, Activity Profile and Agent Profile resources (xAPI 1.0.3 Communication 2.2–2.7,
 * 3.1) on the router: one handler, mounted once per resource. HEAD is served by the GET
 * handler (hono answers HEAD with the GET response's headers and no body).
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { DOCUMENT_RESOURCES, parseDocumentTarget, type DocumentMethod, type DocumentResourceSpec } from './resources.js';
import { handleDocumentRequest, type DocumentDeps, type DocumentRequest } from './service.js';
import { requestBytes } from '../../src/http/body.js';

async function requestOf(c: Context<AppEnv>, spec: DocumentResourceSpec, method: DocumentMethod): Promise<DocumentRequest> {
  const writes = method === 'PUT' || method === 'POST';
  // Bytes, not text: documents of any type are kept exactly as sent. Read before the parameters
  // are checked, so that a body too large is answered first.
  const body = writes ? await requestBytes(c) : undefined;
  const xapiVersion = c.get('xapiVersion');
  const request: DocumentRequest = { method, target: parseDocumentTarget(spec, method, new URL(c.req.url).searchParams, xapiVersion), xapiVersion };
  const ifMatch = c.req.header('If-Match');
  const ifNoneMatch = c.req.header('If-None-Match');
  if (ifMatch !== undefined) request.ifMatch = ifMatch;
  if (ifNoneMatch !== undefined) request.ifNoneMatch = ifNoneMatch;
  if (writes) {
    const contentType = c.req.header('Content-Type');
    if (contentType !== undefined) request.contentType = contentType;
    request.body = body;
  }
  return request;
}

function route(spec: DocumentResourceSpec, method: DocumentMethod, deps: DocumentDeps) {
  return async (c: Context<AppEnv>) => {
    const reply = await handleDocumentRequest(spec, await requestOf(c, spec, method), deps);
    if (reply.status === 204) return c.body(null, 204);
    const headers: Record<string, string> = { 'Content-Type': reply.contentType, ETag: reply.etag };
    if (reply.lastModified !== undefined) headers['Last-Modified'] = reply.lastModified;
    // Stored bytes are never backed by a SharedArrayBuffer.
    const body = typeof reply.body === 'string' ? reply.body : (reply.body as Uint8Array<ArrayBuffer>);
    return c.body(body, 200, headers);
  };
}

export function documentRoutes(router: Hono<AppEnv>, deps: DocumentDeps): void {
  for (const spec of DOCUMENT_RESOURCES) {
    router.get(spec.path, route(spec, 'GET', deps));
    router.put(spec.path, route(spec, 'PUT', deps));
    router.post(spec.path, route(spec, 'POST', deps));
    router.delete(spec.path, route(spec, 'DELETE', deps));
  }
}
