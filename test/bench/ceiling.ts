/**
 * The ceiling: the LRS's HTTP stack (hono on @hono/node-server) answering the bench's requests
 * without validation or storage. POST reads the whole body as text and answers an array of as
 * many ids as the bench says it sent (header X-Bench-Count; the body is not parsed); GET answers
 * a fixed small page. Run as its own process: `node dist/test/bench/ceiling.js PORT`.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { COUNT_HEADER, agent, statementBody } from './statements.js';
import { seededRandom } from '../support/random.js';
import { shape } from '../../lrs/statements/write.js';

const idsByCount = new Map<number, string>();
function idsJson(count: number): string {
  let text = idsByCount.get(count);
  if (text === undefined) {
    text = JSON.stringify(Array.from({ length: count }, () => randomUUID()));
    idsByCount.set(count, text);
  }
  return text;
}

/** Three statements in their stored form, shaped by the write path's own code. */
function smallPage(): string {
  const random = seededRandom(3);
  const stored = new Date().toISOString();
  const authority = { objectType: 'Agent', name: 'bench', account: { homePage: 'urn:lrs:credential', name: 'bench' } };
  const statements = [0, 1, 2].map((i) => shape({ actor: agent(i), ...statementBody(random) }, randomUUID(), stored, authority, '1.0.3').statement);
  return JSON.stringify({ statements, more: '' });
}

function ceilingApp(): Hono {
  const page = smallPage();
  // A fresh headers object per response: @hono/node-server may keep and change the one it is given.
  const json = () => ({ 'Content-Type': 'application/json' });
  const app = new Hono();
  app.post('/xapi/statements', async (c) => {
    await c.req.text();
    const count = Number(c.req.header(COUNT_HEADER) ?? '1');
    return c.body(idsJson(Number.isSafeInteger(count) && count > 0 ? count : 1), 200, json());
  });
  app.get('/xapi/statements', (c) => c.body(page, 200, json()));
  app.get('/xapi/about', (c) => c.json({ version: ['1.0.3'] }));
  return app;
}

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: node dist/test/bench/ceiling.js PORT\n');
  process.exit(2);
}
const server = serve({ fetch: ceilingApp().fetch, port, hostname: '127.0.0.1' });
process.once('SIGTERM', () => server.close(() => process.exit(0)));
