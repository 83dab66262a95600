/**
 * Badge write-back: POST /marketplace/v1/badges (scope write:badge) records an Open Badges
 * "earned" xAPI statement through the LRS's own statement write path, with the calling client
 * as authority, so the badge reaches the profile through the same fold as any other record.
 *
 * Body: `{ member_id, badge_id, name, assertion?, issued_at? }`
 * - member_id: an HRIS employee id (404 when the identity store does not know it);
 * - badge_id: the badge's IRI (the Activity id, and the profile's `badge_id`);
 * - name: the badge's display name (en-US);
 * - assertion: the Open Badges assertion, an object or its URL, stored as the result
 *   extension `…/badgeassertion.json`;
 * - issued_at: ISO 8601 with a time zone; the statement's timestamp (default: now).
 * The actor is the member's HRIS account when HRIS_ACCOUNT_HOMEPAGE is set, else `mailto:` the
 * member's email, so it resolves to the member (projections/identity/keys.ts). With issued_at
 * given, the statement id is derived from (member, badge, issued_at): a retried POST stores
 * nothing new.
 */
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env.js';
import { ApiError, badRequest, type Problem } from '../../src/http/errors.js';
import type { ActivityStore, AttachmentStore, StatementStore } from '../../src/storage/port.js';
import type { IdentityStore, StoredEmployee } from '../../src/storage/identity-port.js';
import { requireScope } from '../../src/auth/scopes.js';
import { storeStatements } from '../../lrs/statements/write.js';
import { isIri, isTimestamp } from '../../lrs/statements/validation/formats.js';
import { BADGE_TYPE } from '../fold/evolve.js';

export const EARNED_VERB = 'http://specification.openbadges.org/xapi/verbs/earned.json';
export const BADGE_ASSERTION_EXTENSION = 'http://specification.openbadges.org/xapi/extensions/badgeassertion.json';

export interface BadgeDeps {
  statements: StatementStore;
  attachments: AttachmentStore;
  activities: ActivityStore;
  identity: IdentityStore;
  /** HRIS_ACCOUNT_HOMEPAGE; undefined: the actor is the member's email. */
  hrisAccountHomePage: string | undefined;
  now: () => string;
}

export interface BadgeAward {
  member_id: string;
  badge_id: string;
  name: string;
  assertion?: Record<string, unknown> | string;
  issued_at?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The award, or every problem with the body. */
export function parseBadgeAward(body: unknown): { award: BadgeAward } | { problems: Problem[] } {
  if (!isObject(body)) return { problems: [{ path: 'body', rule: 'object', message: 'must be a JSON object' }] };
  const problems: Problem[] = [];
  const known = ['member_id', 'badge_id', 'name', 'assertion', 'issued_at'];
  for (const k of Object.keys(body)) if (!known.includes(k)) problems.push({ path: k, rule: 'unknown-field', message: `unknown field (expected ${known.join(', ')})` });
  const text = (name: string) => {
    const v = body[name];
    if (typeof v !== 'string' || v.trim() === '') problems.push({ path: name, rule: 'non-empty-string', message: 'must be a non-empty string' });
  };
  text('member_id');
  text('name');
  if (typeof body.badge_id !== 'string' || !isIri(body.badge_id)) problems.push({ path: 'badge_id', rule: 'iri', message: 'must be an absolute IRI (the badge Activity id)' });
  const assertion = body.assertion;
  if (assertion !== undefined && !isObject(assertion) && !(typeof assertion === 'string' && isIri(assertion))) {
    problems.push({ path: 'assertion', rule: 'object-or-iri', message: 'must be an Open Badges assertion object or its URL' });
  }
  const issued = body.issued_at;
  if (issued !== undefined && (typeof issued !== 'string' || !isTimestamp(issued) || Number.isNaN(Date.parse(issued)))) {
    problems.push({ path: 'issued_at', rule: 'iso8601-timestamp', message: 'must be an ISO 8601 timestamp with a time zone' });
  }
  if (problems.length > 0) return { problems };
  return { award: body as unknown as BadgeAward };
}

/** The actor the identity map resolves to this member (ARCHITECTURE.md §6). */
export function memberActor(employee: StoredEmployee, hrisAccountHomePage: string | undefined): Record<string, unknown> {
  const name = `${employee.givenName} ${employee.familyName}`;
  return hrisAccountHomePage !== undefined
    ? { objectType: 'Agent', name, account: { homePage: hrisAccountHomePage, name: employee.employeeId } }
    : { objectType: 'Agent', name, mbox: `mailto:${employee.email}` };
}

/** A name-based UUID (version 8, RFC 9562) of the award, for idempotent retries. */
function awardId(memberId: string, badgeId: string, issuedAt: string): string {
  const hex = createHash('sha256').update(`lrs-badge\u0000${memberId}\u0000${badgeId}\u0000${new Date(issuedAt).toISOString()}`).digest('hex');
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function badgeStatement(award: BadgeAward, actor: Record<string, unknown>): Record<string, unknown> {
  const statement: Record<string, unknown> = {
    actor,
    verb: { id: EARNED_VERB, display: { 'en-US': 'earned' } },
    object: { objectType: 'Activity', id: award.badge_id, definition: { type: BADGE_TYPE, name: { 'en-US': award.name } } },
  };
  if (award.assertion !== undefined) statement.result = { extensions: { [BADGE_ASSERTION_EXTENSION]: award.assertion } };
  if (award.issued_at !== undefined) {
    statement.timestamp = award.issued_at;
    statement.id = awardId(award.member_id, award.badge_id, award.issued_at);
  }
  return statement;
}

export function badgeRoutes(router: Hono<AppEnv>, deps: BadgeDeps): void {
  router.post('/badges', requireScope(['write:badge'], 'POST /marketplace/v1/badges'), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw badRequest('malformed-json', 'The body is not valid JSON.', [{ path: 'body', rule: 'json', message: 'must be a JSON object' }]);
    }
    const parsed = parseBadgeAward(body);
    if ('problems' in parsed) throw badRequest('invalid-badge', `The badge award is not valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}.`, parsed.problems);
    const { award } = parsed;
    const employee = await deps.identity.get(award.member_id);
    if (!employee) throw new ApiError(404, 'unknown-member', `No member ${award.member_id}.`, [{ path: 'member_id', rule: 'known-member', message: 'no HRIS employee has this id' }]);
    const statement = badgeStatement(award, memberActor(employee, deps.hrisAccountHomePage));
    const [statementId] = await storeStatements(
      { statements: [statement], asArray: false, attachments: [] },
      { store: deps.statements, attachments: deps.attachments, activities: deps.activities, now: deps.now, authority: c.get('principal').authority, xapiVersion: '1.0.3' },
    );
    return c.json({ statement_id: statementId, member_id: award.member_id, badge_id: award.badge_id }, 201);
  });
}
