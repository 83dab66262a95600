/**
 * Request bodies: the size limit, and reading a body once.
 *
 * On Node's HTTP server (@hono/node-server) a body is read straight from the IncomingMessage.
 * The adapter would otherwise build a web Request for it (a stream, an abort signal, a copy of
 * the headers), which costs more than the rest of a small request (measured: about a fifth of a
 * single-statement POST). hono's own limit middleware builds it for every request, GETs
 * included, so this one checks Content-Length from the headers and leaves only bodies without
 * one (chunked) to hono's, which counts them as they arrive.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as countingBodyLimit } from 'hono/body-limit';
import type { AppEnv } from './app-env.js';

const WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses bodies over `maxBytes` with `tooLarge` (which throws); marks a body that may be read from the socket. */
export function bodyLimit(maxBytes: number, tooLarge: () => never): MiddlewareHandler<AppEnv> {
  const counting = countingBodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    if (WITHOUT_BODY.has(c.req.method)) return next();
    const length = c.req.header('Content-Length');
    if (length === undefined || c.req.header('Transfer-Encoding') !== undefined) return counting(c, next);
    if (Number(length) > maxBytes) tooLarge();
    // Node's parser delivers no more than Content-Length bytes, so reading the socket is safe.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming !== undefined) c.set('incomingBody', incoming);
    return next();
  };
}

async function readAll(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** The request body's bytes; read once, so every reader of a request gets the same bytes. */
export function requestBytes(c: Context<AppEnv>): Promise<Uint8Array> {
  let body = c.get('body');
  if (body === undefined) {
    const incoming = c.get('incomingBody');
    body = incoming !== undefined ? readAll(incoming) : c.req.arrayBuffer().then((b) => new Uint8Array(b));
    c.set('body', body);
  }
  return body;
}

const utf8 = new TextDecoder();

/** The request body as UTF-8 text, a leading byte-order mark dropped (as the web Request's text() does). */
export async function requestText(c: Context<AppEnv>): Promise<string> {
  return utf8.decode(await requestBytes(c));
}
