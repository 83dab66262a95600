/** Per-request values shared by middleware and handlers (hono's typed context variables). */
import type { Logger } from '../logging.js';
import type { Principal } from '../auth/credentials.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal;
  };
}
