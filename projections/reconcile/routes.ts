/**
 * The reconciliation history at /admin/v1 (src/server.ts requires scope admin there): every run's
 * report, newest first in pages (`next` is the id to pass as `before`), and one run by id.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { ApiError } from '../../src/http/errors.js';
import { limitParam, queryParams } from '../../src/http/params.js';
import type { ReconciliationStore } from '../../src/storage/reconciliation-port.js';

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

export function reconciliationRouter(deps: { reconciliations: ReconciliationStore }): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  router.get('/reconciliations', async (c) => {
    const params = queryParams(c.req.url, ['limit', 'before']);
    const limit = limitParam(params, MAX_LIMIT, DEFAULT_LIMIT);
    const before = params.get('before') ?? undefined;
    const page = await deps.reconciliations.list({ limit: limit + 1, ...(before !== undefined ? { before } : {}) });
    const runs = page.slice(0, limit);
    return c.json({ reconciliations: runs.map((r) => r.report), next: page.length > limit ? (runs.at(-1)?.id ?? null) : null });
  });
  router.get('/reconciliations/:id', async (c) => {
    const run = await deps.reconciliations.get(c.req.param('id'));
    if (run === null) throw new ApiError(404, 'not-found', `No reconciliation run ${c.req.param('id')}.`);
    return c.json(run.report);
  });
  return router;
}
