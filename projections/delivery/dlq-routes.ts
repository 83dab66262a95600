/**
 * Dead-letter queue operations at /admin/v1 (behind the LRS credential): list the members whose
 * newest dead-lettered version has not been superseded by a delivery, and redrive them (one, or
 * all), which makes each pending again so its newest version is sent. One entry per member:
 * coalescing makes an older entry moot once a newer one exists. The entry id is the member id.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { ApiError } from '../../src/http/errors.js';
import type { DeadLetter, DeliveryStore } from '../../src/storage/delivery-port.js';
import { limitParam, queryParams } from '../../src/http/params.js';

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

/** A dead letter as the API and the CLI show it. */
export function deadLetterJson(d: DeadLetter) {
  return {
    id: d.memberId,
    member_id: d.memberId,
    published_id: d.publishedId,
    version: d.version,
    attempts: d.attempts,
    last_error: d.lastError,
    payload_sample: d.payloadSample,
    dead_lettered_at: d.at,
  };
}

export function dlqRoutes(router: Hono<AppEnv>, delivery: DeliveryStore): void {
  router.get('/dlq', async (c) => {
    const params = queryParams(c.req.url, ['limit', 'after']);
    const limit = limitParam(params, MAX_LIMIT, DEFAULT_LIMIT);
    const after = params.get('after') ?? undefined;
    const page = await delivery.deadLetters({ limit: limit + 1, ...(after !== undefined ? { after } : {}) });
    const entries = page.slice(0, limit);
    return c.json({ entries: entries.map(deadLetterJson), next: page.length > limit ? (entries.at(-1)?.memberId ?? null) : null });
  });

  router.post('/dlq/redrive', async (c) => c.json({ redriven: await delivery.redriveAll() }));

  router.post('/dlq/:id/redrive', async (c) => {
    const id = c.req.param('id');
    if (!(await delivery.redrive(id))) throw new ApiError(404, 'not-found', `No dead-letter entry ${id}.`);
    return c.json({ redriven: 1, id });
  });
}

/**
 * The DLQ router for /admin/v1. The app guards /admin/v1/* (authentication and scope `admin`,
 * src/server.ts); the Basic check here stands on its own when mounted elsewhere and lets
 * through a request already authenticated.
 */
/** Mounted under /admin/v1, where src/server.ts authenticates every request and requires scope admin. */
export function dlqRouter(deps: { delivery: DeliveryStore }): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  dlqRoutes(router, deps.delivery);
  return router;
}
