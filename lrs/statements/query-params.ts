/**
 * Parses the query string of GET /statements into what to fetch. Every parameter is checked;
 * an unknown or malformed one is a 400 naming it.
 */
import { invalidParameter } from '../../src/http/errors.js';
import { validateAgent, isUuid } from './validation/index.js';
import { actorIdentity, key } from './keys.js';
import { FORMATS, type StatementFormat } from './format.js';
import { isRfc3339Timestamp } from './validation/formats.js';
import type { XapiVersion } from '../version.js';

export interface Presentation {
  format: StatementFormat;
  attachments: boolean;
}

/** The filter part of a query: stable across pages, so it travels inside the `more` token. */
export interface StatementFilter {
  keys: string[];
  since?: string;
  until?: string;
  ascending: boolean;
  /** 0 means the server's page size. */
  limit: number;
}

export type StatementRequest =
  | { kind: 'single'; id: string; voided: boolean; presentation: Presentation }
  | { kind: 'query'; filter: StatementFilter; presentation: Presentation }
  | { kind: 'more'; token: string; presentation: Presentation };

const FILTER_PARAMS = ['agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents', 'since', 'until', 'limit', 'ascending'];
const PRESENTATION_PARAMS = ['format', 'attachments'];
const ALL_PARAMS = new Set(['statementId', 'voidedStatementId', 'more', ...FILTER_PARAMS, ...PRESENTATION_PARAMS]);

function boolean(params: URLSearchParams, name: string): boolean {
  const raw = params.get(name);
  if (raw === null) return false;
  if (raw !== 'true' && raw !== 'false') throw invalidParameter(name, 'boolean', `${name} must be "true" or "false"`);
  return raw === 'true';
}

function timestamp(params: URLSearchParams, name: string, version: XapiVersion): string | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const ms = Date.parse(raw);
  if (version === '2.0.0') {
    // 9274.1.1: a Timestamp is an RFC 3339 date-time.
    if (!isRfc3339Timestamp(raw) || Number.isNaN(ms)) throw invalidParameter(name, 'rfc3339-timestamp', `${name} must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z`);
    return new Date(ms).toISOString();
  }
  // ISO 8601 date-time with a zone; Date.parse alone would accept many other forms.
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i;
  if (!iso.test(raw) || Number.isNaN(ms)) throw invalidParameter(name, 'iso8601-timestamp', `${name} must be an ISO 8601 timestamp with a time zone`);
  return new Date(ms).toISOString();
}

function iri(params: URLSearchParams, name: string): string | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(raw)) throw invalidParameter(name, 'iri', `${name} must be an absolute IRI`);
  return raw;
}

function agentIdentity(params: URLSearchParams): string | undefined {
  const raw = params.get('agent');
  if (raw === null) return undefined;
  let agent: unknown;
  try {
    agent = JSON.parse(raw);
  } catch {
    throw invalidParameter('agent', 'json', 'agent must be a JSON Agent or identified Group object');
  }
  const problems = validateAgent(agent, 'agent');
  const first = problems[0];
  if (first) throw invalidParameter(first.path, first.rule, first.message);
  const identity = actorIdentity(agent);
  if (identity === null) throw invalidParameter('agent', 'exactly-one-ifi', 'agent must carry an inverse functional identifier');
  return identity;
}

function presentation(params: URLSearchParams): Presentation {
  const format = params.get('format') ?? 'exact';
  if (!(FORMATS as readonly string[]).includes(format)) throw invalidParameter('format', 'one-of', `format must be one of ${FORMATS.join(', ')}`);
  return { format: format as StatementFormat, attachments: boolean(params, 'attachments') };
}

function filter(params: URLSearchParams, version: XapiVersion): StatementFilter {
  const keys: string[] = [];
  const relatedAgents = boolean(params, 'related_agents');
  const relatedActivities = boolean(params, 'related_activities');
  const agent = agentIdentity(params);
  if (agent !== undefined) keys.push(relatedAgents ? key.relatedAgent(agent) : key.agent(agent));
  const verb = iri(params, 'verb');
  if (verb !== undefined) keys.push(key.verb(verb));
  const activity = iri(params, 'activity');
  if (activity !== undefined) keys.push(relatedActivities ? key.relatedActivity(activity) : key.activity(activity));
  const registration = params.get('registration');
  if (registration !== null) {
    if (!isUuid(registration)) throw invalidParameter('registration', 'uuid', 'registration must be a UUID');
    keys.push(key.registration(registration));
  }
  const limitRaw = params.get('limit') ?? '0';
  if (!/^\d+$/.test(limitRaw)) throw invalidParameter('limit', 'non-negative-integer', 'limit must be a whole number ≥ 0');
  return {
    keys,
    since: timestamp(params, 'since', version),
    until: timestamp(params, 'until', version),
    ascending: boolean(params, 'ascending'),
    limit: Number(limitRaw),
  };
}

function onlyAllowed(params: URLSearchParams, present: string, allowed: string[]): void {
  for (const name of params.keys()) {
    if (name !== present && !allowed.includes(name)) {
      throw invalidParameter(name, 'not-allowed-with', `${name} cannot be combined with ${present}`);
    }
  }
}

/** `version`: the request's xAPI version, which decides the timestamp format of since and until. */
export function parseStatementRequest(params: URLSearchParams, version: XapiVersion = '1.0.3'): StatementRequest {
  for (const name of params.keys()) {
    if (!ALL_PARAMS.has(name)) throw invalidParameter(name, 'unknown-parameter', `unknown query parameter "${name}"`);
    if (params.getAll(name).length > 1) throw invalidParameter(name, 'repeated-parameter', `${name} is given more than once`);
  }
  const statementId = params.get('statementId');
  const voidedId = params.get('voidedStatementId');
  if (statementId !== null && voidedId !== null) {
    throw invalidParameter('voidedStatementId', 'not-allowed-with', 'statementId and voidedStatementId cannot be combined');
  }
  const single = statementId ?? voidedId;
  if (single !== null) {
    const name = statementId !== null ? 'statementId' : 'voidedStatementId';
    onlyAllowed(params, name, PRESENTATION_PARAMS);
    if (!isUuid(single)) throw invalidParameter(name, 'uuid', `${name} must be a UUID`);
    return { kind: 'single', id: single.toLowerCase(), voided: voidedId !== null, presentation: presentation(params) };
  }
  const more = params.get('more');
  if (more !== null) {
    onlyAllowed(params, 'more', PRESENTATION_PARAMS);
    return { kind: 'more', token: more, presentation: presentation(params) };
  }
  return { kind: 'query', filter: filter(params, version), presentation: presentation(params) };
}
