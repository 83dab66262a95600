/**
 * X-Experience-API-Version handling (xAPI 1.0.3 Communication 3.3): every response carries
 * the version; every request but GET /about must send a 1.0.x version. Any 1.0.x is
 * accepted because TinCanJS and much authored content still send 1.0.2.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../src/http/errors.js';
import type { AppEnv } from '../src/http/app-env.js';

export const XAPI_VERSION = '1.0.3';
export const SUPPORTED_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3'];
const ACCEPTED = /^1\.0(\.\d+)?$/;

export function xapiVersion(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.header('X-Experience-API-Version', XAPI_VERSION);
    if (c.req.method !== 'OPTIONS' && !c.req.path.endsWith('/about')) {
      const sent = c.req.header('X-Experience-API-Version');
      if (sent === undefined) {
        throw new ApiError(400, 'missing-version', 'The X-Experience-API-Version header is required.', [
          { path: 'X-Experience-API-Version', rule: 'required', message: 'send the xAPI version, e.g. 1.0.3' },
        ]);
      }
      if (!ACCEPTED.test(sent.trim())) {
        throw new ApiError(400, 'unsupported-version', `xAPI version "${sent}" is not supported; send 1.0.x.`, [
          { path: 'X-Experience-API-Version', rule: 'supported-version', message: 'this LRS accepts 1.0.0 to 1.0.3' },
        ]);
      }
    }
    await next();
    // Errors answered by onError lose headers set before; set it again on the final response.
    c.res.headers.set('X-Experience-API-Version', XAPI_VERSION);
  };
}
