/** Query-parameter checks shared by every API: unknown, repeated or malformed parameters are a 400 naming the parameter. */
import { invalidParameter } from './errors.js';

/** Refuses parameters outside `allowed` and parameters given twice. */
export function checkParamNames(params: URLSearchParams, allowed: readonly string[], context?: string): void {
  for (const name of new Set(params.keys())) {
    if (!allowed.includes(name)) {
      const where = context === undefined ? '' : ` for ${context}`;
      throw invalidParameter(name, 'unknown-parameter', `unknown query parameter "${name}"${where}; allowed: ${allowed.join(', ') || 'none'}`);
    }
    if (params.getAll(name).length > 1) throw invalidParameter(name, 'repeated-parameter', `${name} is given more than once`);
  }
}

/** The query of a request URL, checked against `allowed`. */
export function queryParams(url: string, allowed: readonly string[], context?: string): URLSearchParams {
  const params = new URL(url).searchParams;
  checkParamNames(params, allowed, context);
  return params;
}

/** A whole-number `limit` from 1 to `max`; `fallback` when absent. */
export function limitParam(params: URLSearchParams, max: number, fallback: number): number {
  const raw = params.get('limit');
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw invalidParameter('limit', 'range', `limit must be a whole number from 1 to ${max}`);
  return Number(raw);
}
