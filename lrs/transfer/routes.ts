/**
 * `GET /admin/v1/exports/statements?since=&until=&agent=&activity=` (scope admin, src/server.ts):
 * the NDJSON of `lrs export statements`, streamed in constant memory as it is read. The same
 * selection as the command; there is no manifest (a download is checked by its length and the
 * client's own checksum), and an agent or activity filter selects non-voided statements only.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { invalidParameter } from '../../src/http/errors.js';
import { queryParams } from '../../src/http/params.js';
import type { StatementStore } from '../../src/storage/port.js';
import { parseAgentParam } from '../agents/agent-param.js';
import { statementLines, utcTimestamp, type StatementSelection } from './export-statements.js';

/** Bytes read per pull: many lines per chunk, few chunks per statement page. */
const CHUNK_BYTES = 64 * 1024;

/** The lines as a byte stream read only as fast as the client takes it; a failure mid-way aborts the response (the download is short). */
function byteStream(lines: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = '';
      while (chunk.length < CHUNK_BYTES) {
        const next = await lines.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
}

export function exportRouter(deps: { statements: StatementStore }): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  router.get('/exports/statements', (c) => {
    const params = queryParams(c.req.url, ['since', 'until', 'agent', 'activity']);
    const selection: StatementSelection = {};
    for (const name of ['since', 'until'] as const) {
      const raw = params.get(name);
      if (raw === null) continue;
      const at = utcTimestamp(raw);
      if (at === undefined) throw invalidParameter(name, 'timestamp', `${name} must be an ISO 8601 date-time with a time zone`);
      selection[name] = at;
    }
    const agent = params.get('agent');
    if (agent !== null) selection.agent = { identity: parseAgentParam(agent).identity, json: agent };
    const activity = params.get('activity');
    if (activity !== null) selection.activity = activity;
    return new Response(byteStream(statementLines(deps.statements, selection, { count: 0, first: null, last: null })), {
      headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  });
  return router;
}
