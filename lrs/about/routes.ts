/** GET /about (xAPI 1.0.3 Communication 2.8): versions supported; needs no credentials. */
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { SUPPORTED_VERSIONS } from '../version.js';

export function aboutRoutes(router: Hono<AppEnv>): void {
  router.get('/about', (c) => c.json({ version: SUPPORTED_VERSIONS, extensions: {} }));
}
