/**
 * Erasures at /admin/v1 (src/server.ts requires scope admin there):
 * - POST /erasures `{"member_id"}` → 202 with the erasure (Location: its URL); the background
 *   work of `lrs serve` / `lrs worker` runs it. An erasure of the member already running is the
 *   answer again (200).
 * - GET /erasures/{id}: its status and counts per kind; GET /erasures: newest first in pages.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { ApiError, badRequest } from '../../src/http/errors.js';
import { limitParam, queryParams } from '../../src/http/params.js';
import { requestText } from '../../src/http/body.js';
import type { ErasureRecord } from '../../src/storage/erasure-port.js';
import { requestErasure, type ErasureDeps } from './erase.js';

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

/** An erasure as the API and `lrs erase` show it: the member id only while it runs. */
export function erasureView(record: ErasureRecord) {
  return {
    id: record.id,
    status: record.status,
    member_id: record.subject?.memberId ?? null,
    requested_by: record.requestedBy,
    requested_at: record.requestedAt,
    finished_at: record.finishedAt,
    counts: record.counts,
  };
}

function memberIdOf(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw badRequest('malformed-json', `The body is not valid JSON: ${(error as Error).message}`, [{ path: 'body', rule: 'json', message: 'must be JSON' }]);
  }
  const memberId = (body as { member_id?: unknown } | null)?.member_id;
  if (typeof memberId !== 'string' || memberId.trim() === '') {
    throw badRequest('invalid-erasure', 'member_id must name the HRIS employee to erase.', [{ path: 'member_id', rule: 'required', message: 'a non-empty string' }]);
  }
  return memberId.trim();
}

export function erasureRouter(deps: Pick<ErasureDeps, 'store' | 'tombstone' | 'identity' | 'now'>, basePath: string): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  router.post('/erasures', async (c) => {
    queryParams(c.req.url, []);
    const principal = c.get('principal');
    const { record, started } = await requestErasure(deps, memberIdOf(await requestText(c)), `api:${principal.clientId ?? principal.key}`);
    c.header('Location', `${basePath}/erasures/${record.id}`);
    return c.json(erasureView(record), started ? 202 : 200);
  });
  router.get('/erasures', async (c) => {
    const params = queryParams(c.req.url, ['limit', 'before']);
    const limit = limitParam(params, MAX_LIMIT, DEFAULT_LIMIT);
    const before = params.get('before') ?? undefined;
    const page = await deps.store.erasures.list({ limit: limit + 1, ...(before !== undefined ? { before } : {}) });
    const records = page.slice(0, limit);
    return c.json({ erasures: records.map(erasureView), next: page.length > limit ? (records.at(-1)?.id ?? null) : null });
  });
  router.get('/erasures/:id', async (c) => {
    const record = await deps.store.erasures.get(c.req.param('id'));
    if (record === null) throw new ApiError(404, 'not-found', `No erasure ${c.req.param('id')}.`);
    return c.json(erasureView(record));
  });
  return router;
}
