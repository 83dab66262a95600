/**
 * X-Request-Id over real HTTP on loopback (src/http/request-log.ts): a caller's safe id is kept,
 * echoed and carried into error bodies; anything else is replaced by a fresh id.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/** The LRS's own ids: nanoid(12). */
const GENERATED = /^[A-Za-z0-9_-]{12}$/;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

const about = (requestId?: string) => fetch(`${server.endpoint}/about`, requestId === undefined ? {} : { headers: { 'X-Request-Id': requestId } });

/** One request written by hand, for header bytes fetch refuses to send; the raw response text. */
function rawRequest(head: string): Promise<string> {
  const { port, hostname } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(`${head}\r\n\r\n`));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('X-Request-Id', () => {
  it('is generated when the request has none', async () => {
    const res = await about();
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Request-Id')).toMatch(GENERATED);
  });

  it('keeps a safe incoming id: echoed in the response and stated in error bodies', async () => {
    for (const id of ['4bf92f3577b34da6a3ce929d0e0e4736', '01J9ZQ5W8X0M3V7K2T6R4N1B8C', 'proxy-7:req.42_a', 'x', 'a'.repeat(128)]) {
      const res = await about(id);
      expect(res.headers.get('X-Request-Id'), id).toBe(id);
    }
    const denied = await fetch(`${server.endpoint}/statements`, { headers: { 'X-Request-Id': 'trace-123', 'X-Experience-API-Version': '1.0.3' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('X-Request-Id')).toBe('trace-123');
    expect(((await denied.json()) as { error: { requestId: string } }).error.requestId).toBe('trace-123');
  });

  it('replaces an unsafe incoming id with a fresh one', async () => {
    for (const id of ['has spaces', 'a'.repeat(129), '"><script>', 'semi;colon', 'tab\there', 'caf\u00e9', 'a,b']) {
      const res = await about(id);
      const echoed = res.headers.get('X-Request-Id');
      expect(echoed, id).toMatch(GENERATED);
      expect(echoed).not.toBe(id);
    }
  });

  it('two X-Request-Id headers (joined "a, b") are replaced', async () => {
    const text = await rawRequest(`GET /xapi/about HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Request-Id: one\r\nX-Request-Id: two`);
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    const echoed = /\r\nx-request-id: ([^\r\n]*)\r\n/i.exec(text)?.[1];
    expect(echoed).toMatch(GENERATED);
  });

  it('a CR or LF inside the value never reaches the application: the HTTP parser refuses the request', async () => {
    const text = await rawRequest(`GET /xapi/about HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Request-Id: abc\rSet-Cookie: evil=1`);
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).not.toMatch(/set-cookie/i);
    expect(text).not.toMatch(/x-request-id: abc/i);
  });
});
