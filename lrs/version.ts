/**
 * X-Experience-API-Version handling: the one place that decides which xAPI version a request
 * speaks, so that 1.0.x and 2.0.x clients share the /xapi endpoint.
 *
 *   request header   version of the exchange   response header
 *   1.0 / 1.0.x      '1.0.3'                   1.0.3   (1.0.3 Communication 3.3)
 *   2.0 / 2.0.x      '2.0.0'                   2.0.0   (9274.1.1 4.1.7)
 *   absent           the default (config)      the default; 400 except on /about
 *   anything else    the default               the default; 400 except on /about
 *
 * Any 1.0.x is accepted because TinCanJS and much authored content still send 1.0.2; both
 * versions answer with their latest patch version, as both specifications require. The version
 * is kept on the context (`xapiVersion`) and every handler that behaves differently reads it
 * from there.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../src/http/errors.js';
import type { AppEnv, XapiVersion } from '../src/http/app-env.js';

export type { XapiVersion } from '../src/http/app-env.js';

export const XAPI_VERSIONS: readonly XapiVersion[] = ['1.0.3', '2.0.0'];

/** What GET /about lists: every 1.0.x this LRS accepts, and 2.0.0 (9274.1.1 4.1.6.7: the latest of each major version). */
export const SUPPORTED_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '2.0.0'];

/** The version a request asks for, or null when the header names no version this LRS speaks. Pure. */
export function requestedVersion(header: string): XapiVersion | null {
  const value = header.trim();
  if (/^1\.0(\.\d+)?$/.test(value)) return '1.0.3';
  // 4.1.7: "2.0" is 2.0.0; later 2.0.x patches are compatible; 2.1.0 and later are refused.
  if (/^2\.0(\.\d+)?$/.test(value)) return '2.0.0';
  return null;
}

/** The version's 2.0 rules apply. */
export const isXapi2 = (version: XapiVersion): boolean => version === '2.0.0';

function versionError(version: XapiVersion, code: string, message: string, rule: string, detail: string): ApiError {
  return new ApiError(400, code, message, [{ path: 'X-Experience-API-Version', rule, message: detail }], { 'X-Experience-API-Version': version });
}

/**
 * The middleware. `fallback` is the version of a request that names none (or one this LRS does
 * not speak): such a request is refused everywhere but /about, and the refusal — or the /about
 * answer — says `fallback`.
 */
export function xapiVersion(fallback: XapiVersion): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const sent = c.req.header('X-Experience-API-Version');
    const version = sent === undefined ? null : requestedVersion(sent);
    const current = version ?? fallback;
    c.set('xapiVersion', current);
    c.header('X-Experience-API-Version', current);
    if (c.req.method !== 'OPTIONS' && !c.req.path.endsWith('/about')) {
      if (sent === undefined) {
        throw versionError(current, 'missing-version', 'The X-Experience-API-Version header is required.', 'required', 'send the xAPI version, e.g. 2.0.0 or 1.0.3');
      }
      if (version === null) {
        throw versionError(current, 'unsupported-version', `xAPI version "${sent}" is not supported; send 1.0.x or 2.0.x.`, 'supported-version', 'this LRS accepts 1.0.0 to 1.0.3 and 2.0.x');
      }
    }
    await next();
    // Errors answered by onError lose headers set before; set it again on the final response.
    c.res.headers.set('X-Experience-API-Version', current);
  };
}
