/**
 * From an HRIS CSV import and xAPI posts over real HTTP to the profile the profiles API
 * returns, for each profile section (ARCHITECTURE.md §5), with the projection worker in-process.
 */
import { describe, expect, it } from 'vitest';
import { AUTH_HEADER } from '../support/server.js';
import { serveEachTest } from '../support/serve-each-test.js';
import type { Profile } from '../../src/model/profile.js';

const IDENTITY = { hrisAccountHomePage: 'https://hris.acme.example', emailDomainAliases: new Map([['old.acme.example', 'acme.example']]) };
const ADL = 'http://adlnet.gov/expapi/verbs/';
const COURSE = 'https://lms.example.com/courses/typescript-advanced';
const SAFETY = 'https://lms.example.com/courses/workplace-safety-101';
const BADGE = 'https://badges.acme.example/typescript-champion';
const ASSERTION = 'http://specification.openbadges.org/xapi/extensions/badgeassertion.json';

const CSV = [
  'employee_id,email,secondary_emails,given_name,family_name,department,manager_id,job_title,worker_type,status',
  'E1001,Ana.Lopez@acme.example,ana@old.acme.example,Ana,López,Engineering,,Engineer,employee,active',
  'E1002,bo@acme.example,,Bo,Berg,Engineering,E1001,Engineer,employee,active',
].join('\n');

const lrs = serveEachTest({ projection: true, hris: { identity: IDENTITY, webhookSecret: undefined } });
const { xapi } = lrs;

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${lrs.server.origin}${path}`, { ...init, headers: { Authorization: AUTH_HEADER, ...(init.headers as Record<string, string>) } });

async function profile(memberId: string): Promise<Profile> {
  await lrs.server.projectionIdle();
  const res = await api(`/marketplace/v1/profiles/${memberId}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Profile;
}

async function post(statements: unknown[]): Promise<string[]> {
  const res = await xapi('/statements', { method: 'POST', json: statements });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as string[];
}

const at = (hour: number) => new Date(Date.UTC(2026, 10, 2, hour)).toISOString();

describe('HRIS import + xAPI posts → profiles API', () => {
  it('builds every profile section and bumps the version only on content changes', async () => {
    const imported = await api('/hris/v1/employees', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: CSV });
    expect(imported.status, await imported.clone().text()).toBe(200);

    const empty = await profile('E1001');
    expect(empty).toMatchObject({ member_id: 'E1001', email: 'ana.lopez@acme.example', status: 'active', mapping_version: 'lms-marketplace@1', completions: [], scores: [] });
    expect(empty.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const [, , failedId] = await post([
      { actor: { mbox: 'mailto:ana@old.acme.example' }, verb: { id: `${ADL}registered` }, object: { id: COURSE }, timestamp: at(8) },
      { actor: { mbox: 'mailto:Ana.Lopez+lms@acme.example' }, verb: { id: `${ADL}scored` }, object: { id: COURSE }, result: { score: { raw: 30, min: 0, max: 40 } }, timestamp: at(9) },
      { actor: { mbox: 'mailto:ana.lopez@acme.example' }, verb: { id: `${ADL}failed` }, object: { id: COURSE }, result: { score: { scaled: 0.95 }, success: false }, timestamp: at(10) },
      {
        actor: { objectType: 'Agent', account: { homePage: 'https://hris.acme.example', name: 'E1001' } },
        verb: { id: `${ADL}passed` },
        object: { id: COURSE, definition: { name: { 'en-US': 'Advanced TypeScript' } } },
        result: { score: { scaled: 0.875 }, success: true, completion: true },
        timestamp: at(11),
        attachments: [{ usageType: 'http://id.tincanapi.com/attachment/certificate_of_completion', display: { 'en-US': 'Certificate' }, contentType: 'application/pdf', length: 1000, sha2: 'b'.repeat(64), fileUrl: 'https://certs.acme.example/ana-ts.pdf' }],
      },
      { actor: { mbox: 'mailto:ana.lopez@acme.example' }, verb: { id: 'http://specification.openbadges.org/xapi/verbs/earned.json' }, object: { id: BADGE, definition: { name: { 'en-US': 'TypeScript Champion' } } }, result: { extensions: { [ASSERTION]: { id: 'https://badges.acme.example/assertions/1' } } }, timestamp: at(12) },
      { actor: { mbox: 'mailto:ana.lopez@acme.example' }, verb: { id: `${ADL}launched` }, object: { id: SAFETY }, timestamp: at(13) },
    ]);

    const p = await profile('E1001');
    expect(p.version).toBe(empty.version + 1);
    expect(p.completions).toEqual([{ activity_id: COURSE, name: 'Advanced TypeScript', learning_completed: true, completed_at: at(11), success: true }]);
    expect(p.scores).toEqual([{ activity_id: COURSE, score: 87.5, best: 95, attempts: 3, scored_at: at(11) }]);
    expect(p.badges).toEqual([{ badge_id: BADGE, name: 'TypeScript Champion', issued_at: at(12), assertion: { id: 'https://badges.acme.example/assertions/1' } }]);
    expect(p.enrollments).toEqual([
      { activity_id: COURSE, enrollment_state: 'completed', updated_at: at(11) },
      { activity_id: SAFETY, enrollment_state: 'active', updated_at: at(13) },
    ]);
    expect(p.certificates).toEqual([{ certificate_ref: 'https://certs.acme.example/ana-ts.pdf', activity_id: COURSE, issued_at: at(11) }]);
    expect(p.skills).toEqual([
      { skill_id: 'nodejs', level: 60, evidence_count: 1, last_evidence_at: at(11) },
      { skill_id: 'typescript', level: 80, evidence_count: 1, last_evidence_at: at(11) },
    ]);

    // Voiding the failed attempt removes its score; an unrelated member's statement changes nothing here.
    await post([{ actor: { mbox: 'mailto:lms@acme.example' }, verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: failedId } }]);
    await post([{ actor: { mbox: 'mailto:bo@acme.example' }, verb: { id: `${ADL}launched` }, object: { id: SAFETY }, timestamp: at(14) }]);
    const afterVoid = await profile('E1001');
    expect(afterVoid.scores).toEqual([{ activity_id: COURSE, score: 87.5, best: 87.5, attempts: 2, scored_at: at(11) }]);
    expect(afterVoid.version).toBe(p.version + 1);
    expect((await profile('E1001')).version).toBe(afterVoid.version);
  });

  it('keeps unmatched actors and folds them once the HRIS knows them; terminated members are marked', async () => {
    await post([{ actor: { mbox: 'mailto:cy@acme.example' }, verb: { id: `${ADL}completed` }, object: { id: SAFETY }, timestamp: at(9) }]);
    await lrs.server.projectionIdle();
    expect((await api('/marketplace/v1/profiles/E1003')).status).toBe(404);

    const row = 'E1003,cy@acme.example,,Cy,Chen,Ops,,Operator,employee,active';
    await api('/hris/v1/employees', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: `${CSV.split('\n')[0]}\n${row}` });
    const cy = await profile('E1003');
    expect(cy.completions.map((c) => c.activity_id)).toEqual([SAFETY]);
    expect(cy.skills).toEqual([{ skill_id: 'workplace-safety', level: 40, evidence_count: 1, last_evidence_at: at(9) }]);

    await api('/hris/v1/employees', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: `${CSV.split('\n')[0]}\n${row.replace(/active$/, 'terminated')}` });
    const terminated = await profile('E1003');
    expect(terminated.status).toBe('terminated');
    expect(terminated.version).toBe(cy.version + 1);
  });

  it('lists profiles with cursor paging and updated_since', async () => {
    await api('/hris/v1/employees', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: CSV });
    await lrs.server.projectionIdle();
    const first = (await (await api('/marketplace/v1/profiles?limit=1')).json()) as { profiles: Profile[]; next_cursor: string | null };
    expect(first.profiles.map((p) => p.member_id)).toEqual(['E1001']);
    const second = (await (await api(`/marketplace/v1/profiles?limit=1&cursor=${first.next_cursor}`)).json()) as { profiles: Profile[]; next_cursor: string | null };
    expect(second.profiles.map((p) => p.member_id)).toEqual(['E1002']);
    expect(second.next_cursor).toBeNull();
    const later = (await (await api(`/marketplace/v1/profiles?updated_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json()) as { profiles: Profile[] };
    expect(later.profiles).toEqual([]);
    expect((await api('/marketplace/v1/profiles?limit=0')).status).toBe(400);
    expect((await fetch(`${lrs.server.origin}/marketplace/v1/profiles`)).status).toBe(401);
  });
});
