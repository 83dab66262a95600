/**
 * The HRIS API, mounted at /hris/v1:
 * - POST /employees  CSV (text/csv) or a JSON array (application/json) of rows; `?dry_run=true`.
 *   Scope `admin` (or `all`), Basic or Bearer. Answers 200 with the report, also when some rows were
 *   rejected (they are listed by row and column); 400 when the input as a whole is unusable.
 * - POST /events     one signed change event (X-Signature, HRIS_WEBHOOK_SECRET); 503 when no
 *   secret is configured. Bad, missing or stale signatures are 401: the signature is the
 *   sender's authentication, and a stale one is a replay until proven otherwise.
 * - GET  /audit      `?employee_id=&limit=`: the identity audit log, newest first. Scope `admin` (or `all`).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { ApiError, badRequest, invalidParameter } from '../../src/http/errors.js';
import { requireScope } from '../../src/auth/scopes.js';
import { limitParam, queryParams } from '../../src/http/params.js';
import type { IdentityStore } from '../../src/storage/identity-port.js';
import type { IdentityConfig } from '../identity/keys.js';
import { HrisInputError, readCsvRows, readJsonRows, validateRows, type RawRow } from './rows.js';
import { applyEvent, importEmployees, parseEvent, type HrisDeps } from './sync.js';
import { verifySignature } from './signature.js';
import { requestBytes, requestText } from '../../src/http/body.js';

export interface HrisRouteDeps {
  identity: IdentityStore;
  /** Basic-or-Bearer authentication (src/auth/authenticate.ts). */
  authenticate: MiddlewareHandler<AppEnv>;
  identityConfig: IdentityConfig;
  /** HMAC key of change events; undefined disables POST /events (503). */
  webhookSecret: string | undefined;
  /** UTC ISO 8601 now (the app's clock). */
  now: () => string;
  /** Erased people, whose rows and events are skipped, and how an `erase` event starts an erasure (sync.ts HrisDeps). */
  erasure?: Pick<HrisDeps, 'erased' | 'erase'>;
}

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

function mediaType(c: Context<AppEnv>): string {
  return (c.req.header('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function booleanParam(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null) return false;
  if (value === 'true' || value === 'false') return value === 'true';
  throw invalidParameter(name, 'boolean', `${name} must be true or false`);
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    throw badRequest('malformed-json', `The body is not valid JSON: ${message}`, [{ path: 'body', rule: 'json', message }]);
  }
}

function signatureError(reason: string, message: string): ApiError {
  return new ApiError(401, `signature-${reason}`, `The event signature was refused: ${message}.`, [{ path: 'X-Signature', rule: `signature-${reason}`, message }]);
}

export function hrisRouter(deps: HrisRouteDeps): Hono<AppEnv> {
  const router = new Hono<AppEnv>();
  const sync: HrisDeps = { identity: deps.identity, config: deps.identityConfig, now: deps.now, ...deps.erasure };

  // Signed by the sender, not Basic-authenticated: registered before the Basic middleware.
  router.post('/events', async (c) => {
    queryParams(c.req.url, []);
    if (deps.webhookSecret === undefined) {
      throw new ApiError(503, 'events-disabled', 'HRIS change events are disabled: HRIS_WEBHOOK_SECRET is not configured on this server.');
    }
    const raw = await requestBytes(c);
    const nowSeconds = Math.floor(Date.parse(deps.now()) / 1000);
    const check = verifySignature(c.req.header('X-Signature'), raw, deps.webhookSecret, nowSeconds);
    if (!check.ok) throw signatureError(check.reason, check.message);
    if (mediaType(c) !== 'application/json') {
      throw new ApiError(415, 'unsupported-content-type', 'An event is sent as application/json.', [
        { path: 'Content-Type', rule: 'application-json', message: 'must be application/json' },
      ]);
    }
    const parsed = parseEvent(parseJsonText(new TextDecoder().decode(raw)));
    if ('problems' in parsed) throw badRequest('invalid-event', 'The event is not valid; nothing was applied.', parsed.problems);
    const result = await applyEvent(sync, parsed.event);
    switch (result.status) {
      case 'invalid':
        throw badRequest('invalid-event', 'The event is not valid; nothing was applied.', result.problems);
      case 'unknown-employee':
        throw new ApiError(422, 'unknown-employee', `Employee ${result.employee_id} is unknown: a terminate event for an employee never synced needs the full row, and an erase event an employee to erase.`, [
          { path: 'employee.employee_id', rule: 'known-employee', message: 'no employee has this id' },
        ]);
      case 'key-taken':
        throw new ApiError(409, 'identity-key-taken', `${result.problem.message}.`, [result.problem]);
      case 'erasure-requested':
        return c.json(result, 202);
      default:
        return c.json(result, 200);
    }
  });

  // Only admins (scope admin, or the seeded credential's all) manage HR data; an LMS's statement-writing credential does not.
  router.use('*', deps.authenticate, requireScope(['admin'], 'The HRIS API'));

  router.post('/employees', async (c) => {
    const dryRun = booleanParam(queryParams(c.req.url, ['dry_run']), 'dry_run');
    const type = mediaType(c);
    let rows: RawRow[];
    try {
      if (type === 'text/csv') rows = readCsvRows(await requestText(c));
      else if (type === 'application/json') rows = readJsonRows(parseJsonText(await requestText(c)));
      else {
        throw new ApiError(415, 'unsupported-content-type', `Content-Type must be text/csv or application/json, got "${type || 'none'}".`, [
          { path: 'Content-Type', rule: 'csv-or-json', message: 'send rows as text/csv or as a JSON array (application/json)' },
        ]);
      }
    } catch (error) {
      if (error instanceof HrisInputError) throw badRequest('invalid-hris-input', error.message, error.problems);
      throw error;
    }
    const report = await importEmployees(sync, validateRows(rows), { dryRun, source: 'hris-api' });
    return c.json(report, 200);
  });

  router.get('/audit', async (c) => {
    const params = queryParams(c.req.url, ['employee_id', 'limit']);
    const employeeId = params.get('employee_id') ?? undefined;
    if (employeeId !== undefined && employeeId.trim() === '') throw invalidParameter('employee_id', 'not-empty', 'employee_id must not be empty');
    const limit = limitParam(params, AUDIT_MAX_LIMIT, AUDIT_DEFAULT_LIMIT);
    const entries = await deps.identity.audit({ ...(employeeId === undefined ? {} : { employeeId }), limit });
    return c.json({
      entries: entries.map((e) => ({ at: e.at, action: e.action, employee_id: e.employeeId, source: e.source, details: e.details })),
    });
  });

  return router;
}
