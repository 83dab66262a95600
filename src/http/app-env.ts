/** Per-request values shared by middleware and handlers (hono's typed context variables). */
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logging.js';
import type { Principal } from '../auth/credentials.js';

/** The xAPI version of an exchange on /xapi, as its responses state it (lrs/version.ts). */
export type XapiVersion = '1.0.3' | '2.0.0';

export interface AppEnv {
  Variables: {
    /** Set by the xAPI version middleware for requests under /xapi. */
    xapiVersion: XapiVersion;
    requestId: string;
    log: Logger;
    principal: Principal;
    /** The socket's request, while its body may be read from it directly (src/http/body.ts). */
    incomingBody?: IncomingMessage;
    /** The body, once read (src/http/body.ts). */
    body?: Promise<Uint8Array>;
  };
}
