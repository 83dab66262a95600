/**
 * The Activities resource (xAPI 1.0.3 Communication 2.5): GET /activities?activityId= answers
 * the Activity with the LRS's canonical definition, or only its id when no statement defined
 * it (2.5.s2.b1: still an Activity Object). HEAD is served by the GET handler.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { jsonWithEtag } from '../../src/http/etag.js';
import type { ActivityStore } from '../../src/storage/port.js';
import { activityIdParam, checkParamNames } from '../params.js';

export function activityRoutes(router: Hono<AppEnv>, deps: { activities: ActivityStore }): void {
  router.get('/activities', async (c) => {
    const params = new URL(c.req.url).searchParams;
    checkParamNames(params, ['activityId'], 'GET /activities');
    const id = activityIdParam(params, 'GET /activities');
    const definition = await deps.activities.getDefinition(id);
    const { body, headers } = jsonWithEtag(definition === null ? { objectType: 'Activity', id } : { objectType: 'Activity', id, definition });
    return c.body(body, 200, headers);
  });
}
