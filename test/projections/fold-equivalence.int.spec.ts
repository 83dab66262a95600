/**
 * Given generated statement streams (many members, interleaved, with voids, duplicates,
 * out-of-order timestamps and unmatched actors), the incrementally maintained profiles equal
 * a rebuild from scratch and equal a straightforward reference fold written here from
 * ARCHITECTURE.md §5's rules, independently of projections/fold.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileContent } from '../../src/model/profile.js';
import type { Mapping } from '../../projections/mapping/index.js';
import { employee, openProjectionBench, type ProjectionBench } from './support.js';
import { seededRandom } from '../support/random.js';

type Json = Record<string, any>;

const ADL = 'http://adlnet.gov/expapi/verbs/';
const VERBS = [
  `${ADL}completed`, `${ADL}passed`, `${ADL}failed`, `${ADL}registered`, `${ADL}launched`, `${ADL}initialized`,
  `${ADL}scored`, `${ADL}experienced`, 'https://w3id.org/xapi/adl/verbs/satisfied', 'https://w3id.org/xapi/adl/verbs/abandoned',
  'http://specification.openbadges.org/xapi/verbs/earned.json',
];
const ACTIVITIES = [
  'https://lms.example.com/courses/workplace-safety-101',
  'https://lms.example.com/courses/workplace-safety-201',
  'https://lms.example.com/courses/typescript-fundamentals',
  'https://lms.example.com/courses/typescript-advanced',
  'https://lms.example.com/courses/negotiation',
];
const BADGE_TYPE = 'http://activitystrea.ms/schema/1.0/badge';
const ASSERTION = 'http://specification.openbadges.org/xapi/extensions/badgeassertion.json';
const CERTIFICATE = 'http://id.tincanapi.com/attachment/certificate_of_completion';

/** A small deterministic PRNG (mulberry32), so a failing stream can be replayed from its seed. */
function prng(seed: number) {
  const next = seededRandom(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T, chance: (p: number) => next() < p };
}

// ---- reference fold: ARCHITECTURE.md §5 written out plainly ------------------------------------

interface Seen { statement: Json; seq: number; time: string }

const cmp = (a: Seen, b: Seen) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.seq - b.seq);

function referenceScore(score: Json | undefined): number | undefined {
  if (!score) return undefined;
  let value: number | undefined;
  if (typeof score.scaled === 'number' && score.scaled >= 0) value = score.scaled * 100;
  else if (typeof score.raw === 'number' && typeof score.min === 'number' && typeof score.max === 'number') value = ((score.raw - score.min) / (score.max - score.min)) * 100;
  else if (typeof score.raw === 'number' && score.raw >= 0 && score.raw <= 100) value = score.raw;
  if (value === undefined) return undefined;
  return Math.round(Math.min(100, Math.max(0, value)) * 100) / 100;
}

function englishName(definition: Json | undefined): string | null {
  const name = definition?.name;
  if (!name) return null;
  return name['en-US'] ?? null;
}

function referenceSections(seen: Seen[], mapping: Mapping): Omit<ProfileContent, 'member_id' | 'email' | 'status' | 'mapping_version'> {
  const ordered = [...seen].sort(cmp);
  const concept = (s: Seen) => mapping.concept(s.statement.verb.id);
  const byActivity = new Map<string, Seen[]>();
  for (const s of ordered) byActivity.set(s.statement.object.id, [...(byActivity.get(s.statement.object.id) ?? []), s]);
  const completions = [];
  const scores = [];
  const enrollments = [];
  const badges = [];
  const certificates = new Map<string, { certificate_ref: string; activity_id: string; issued_at: string }>();
  for (const [activity, list] of [...byActivity].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const completing = list.filter((s) => ['completion', 'pass'].includes(concept(s) ?? '') || s.statement.result?.completion === true);
    const named = list.filter((s) => englishName(s.statement.object.definition) !== null);
    if (completing.length > 0) {
      const positive = list.some((s) => concept(s) === 'pass' || s.statement.result?.success === true);
      const negative = list.some((s) => concept(s) === 'fail' || s.statement.result?.success === false);
      completions.push({
        activity_id: activity,
        name: named.length ? englishName(named[named.length - 1]!.statement.object.definition) : null,
        learning_completed: true as const,
        completed_at: completing[0]!.time,
        success: positive ? true : negative ? false : null,
      });
    }
    const scored = list.map((s) => ({ s, value: referenceScore(s.statement.result?.score) })).filter((x) => x.value !== undefined);
    if (scored.length > 0) {
      const latest = scored[scored.length - 1]!;
      scores.push({ activity_id: activity, score: latest.value!, best: Math.max(...scored.map((x) => x.value!)), attempts: scored.length, scored_at: latest.s.time });
    }
    const enrolling = list.filter((s) => ['enroll', 'launch', 'completion', 'pass', 'drop'].includes(concept(s) ?? ''));
    if (enrolling.length > 0) {
      const last = enrolling[enrolling.length - 1]!;
      const c = concept(last);
      enrollments.push({ activity_id: activity, enrollment_state: c === 'drop' ? ('dropped' as const) : c === 'enroll' || c === 'launch' ? ('active' as const) : ('completed' as const), updated_at: last.time });
    }
    const awarding = list.filter((s) => concept(s) === 'badge' || s.statement.object.definition?.type === BADGE_TYPE);
    if (awarding.length > 0) {
      const first = awarding[0]!;
      badges.push({ badge_id: activity, name: englishName(first.statement.object.definition), issued_at: first.time, assertion: first.statement.result?.extensions?.[ASSERTION] ?? null });
    }
  }
  for (const s of ordered) {
    for (const a of s.statement.attachments ?? []) {
      if (a.usageType === CERTIFICATE && a.fileUrl && !certificates.has(a.fileUrl)) {
        certificates.set(a.fileUrl, { certificate_ref: a.fileUrl, activity_id: s.statement.object.id, issued_at: s.time });
      }
    }
  }
  const skills = new Map<string, { skill_id: string; level: number; evidence_count: number; last_evidence_at: string }>();
  for (const c of completions) {
    for (const { skillId, level } of mapping.skills(c.activity_id)) {
      const known = skills.get(skillId);
      skills.set(skillId, {
        skill_id: skillId,
        level: Math.max(known?.level ?? 0, level),
        evidence_count: (known?.evidence_count ?? 0) + 1,
        last_evidence_at: known && known.last_evidence_at > c.completed_at ? known.last_evidence_at : c.completed_at,
      });
    }
  }
  const byId = (k: string) => (a: Json, b: Json) => (a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0);
  return {
    completions,
    scores,
    badges: badges.sort(byId('badge_id')),
    enrollments,
    certificates: [...certificates.values()].sort(byId('certificate_ref')),
    skills: [...skills.values()].sort(byId('skill_id')),
  };
}

// ---- the stream ---------------------------------------------------------------------------

const MEMBERS = Array.from({ length: 12 }, (_, i) => `E${1001 + i}`);
const LATE_HIRES = ['E2001', 'E2002', 'E2003'];

function actorFor(rnd: ReturnType<typeof prng>, id: string): Json {
  const local = id.toLowerCase();
  switch (rnd.int(4)) {
    case 0: return { mbox: `mailto:${local.toUpperCase()}@ACME.example` };
    case 1: return { mbox: `mailto:${local}+lms@old.acme.example` };
    case 2: return { objectType: 'Agent', account: { homePage: 'https://hris.acme.example', name: id } };
    default: return { mbox: `mailto:${local}@acme.example`, name: id };
  }
}

function generateStatement(rnd: ReturnType<typeof prng>, actorId: string): Json {
  const verb = rnd.pick(VERBS);
  const activity = rnd.pick(ACTIVITIES);
  const statement: Json = {
    id: randomUUID(),
    actor: actorFor(rnd, actorId),
    verb: { id: verb, display: { 'en-US': verb.split('/').pop() } },
    object: { objectType: 'Activity', id: activity, definition: rnd.chance(0.6) ? { name: { 'en-US': `Course ${rnd.int(3)}`, 'fr-FR': 'Cours' }, ...(rnd.chance(0.1) ? { type: BADGE_TYPE } : {}) } : undefined },
    // Timestamps deliberately out of arrival order, with collisions to exercise the seq tie-break.
    timestamp: new Date(Date.UTC(2026, 0, 1) + rnd.int(40) * 3_600_000).toISOString(),
  };
  if (statement.object.definition === undefined) delete statement.object.definition;
  const result: Json = {};
  if (rnd.chance(0.4)) {
    result.score = rnd.pick([{ scaled: Math.round(rnd.next() * 100) / 100 }, { raw: rnd.int(50), min: 0, max: 50 }, { raw: rnd.int(101) }, { scaled: -0.5, raw: 300 }]);
  }
  if (rnd.chance(0.2)) result.success = rnd.chance(0.5);
  if (rnd.chance(0.15)) result.completion = true;
  if (verb.endsWith('earned.json') && rnd.chance(0.7)) result.extensions = { [ASSERTION]: { id: `https://badges.example/a/${rnd.int(100)}` } };
  if (Object.keys(result).length > 0) statement.result = result;
  if (rnd.chance(0.1)) {
    statement.attachments = [{ usageType: CERTIFICATE, display: { 'en-US': 'Certificate' }, contentType: 'application/pdf', length: 10, sha2: 'a'.repeat(64), fileUrl: `https://certs.example/${rnd.int(20)}.pdf` }];
  }
  return statement;
}

async function runStream(bench: ProjectionBench, seed: number): Promise<void> {
  const rnd = prng(seed);
  for (const id of MEMBERS) await bench.hire(employee(id, id === 'E1003' ? { workerType: 'contractor' } : {}));
  const posted: Json[] = [];
  const late = new Set(LATE_HIRES);
  for (let round = 0; round < 25; round++) {
    const batch: Json[] = [];
    for (let i = 0, n = 1 + rnd.int(12); i < n; i++) batch.push(generateStatement(rnd, rnd.chance(0.15) ? rnd.pick(LATE_HIRES) : rnd.pick(MEMBERS)));
    const voidable = posted.filter((s) => s.verb.id !== `${ADL}voided`);
    if (voidable.length > 0 && rnd.chance(0.5)) {
      const target = rnd.pick(voidable);
      batch.push({ actor: { mbox: 'mailto:admin@acme.example' }, verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: target.id } });
    }
    const ids = await bench.post(batch);
    batch.forEach((s, i) => posted.push({ ...s, id: ids[i] }));
    if (rnd.chance(0.3)) await bench.post([rnd.pick(posted)]); // duplicate delivery
    if (round === 12) for (const id of late) await bench.hire(employee(id)); // makes unmatched actors resolvable
    for (let k = rnd.int(3); k > 0; k--) await bench.projector.runBatch(1 + rnd.int(20));
  }
  await bench.drain(7);
}

async function incrementalContents(bench: ProjectionBench): Promise<Map<string, ProfileContent>> {
  const out = new Map<string, ProfileContent>();
  for (const id of [...MEMBERS, ...LATE_HIRES]) {
    const m = await bench.store.projections.member(id);
    if (m) out.set(id, m.content);
  }
  return out;
}

async function referenceContents(bench: ProjectionBench): Promise<Map<string, Omit<ProfileContent, 'member_id' | 'email' | 'status' | 'mapping_version'>>> {
  const log = await bench.store.statements.readLog(0, 1_000_000);
  const bySeqMember = new Map<string, Seen[]>();
  for (const r of log) {
    const s = r.statement as Json;
    if (r.voided || s.verb.id === `${ADL}voided`) continue;
    const actor = s.actor;
    const id = actor.account?.name ?? String(actor.mbox).replace(/^mailto:/, '').toLowerCase().replace(/\+[^@]*/, '').replace('@old.acme.example', '@acme.example').replace('@acme.example', '').toUpperCase();
    if (id.includes('ADMIN')) continue;
    bySeqMember.set(id, [...(bySeqMember.get(id) ?? []), { statement: s, seq: r.seq, time: new Date(s.timestamp).toISOString() }]);
  }
  const out = new Map<string, ReturnType<typeof referenceSections>>();
  for (const id of [...MEMBERS, ...LATE_HIRES]) out.set(id, referenceSections(bySeqMember.get(id) ?? [], bench.mapping));
  return out;
}

describe('projection: incremental = rebuild = reference fold on generated streams', () => {
  let bench: ProjectionBench;
  beforeEach(() => {
    bench = openProjectionBench();
  });
  afterEach(async () => bench.close());

  it.each([1, 2, 3, 42])('stream with seed %i', async (seed) => {
    await runStream(bench, seed);
    const incremental = await incrementalContents(bench);
    expect(incremental.size).toBe(MEMBERS.length + LATE_HIRES.length);
    expect(await bench.store.projections.unmatchedCount()).toBe(0);

    const reference = await referenceContents(bench);
    for (const [id, content] of incremental) {
      const { member_id: _m, email: _e, status: _s, mapping_version, ...sections } = content;
      expect(mapping_version).toBe(bench.mapping.version);
      expect(sections, `member ${id}`).toEqual(reference.get(id));
    }
    expect([...incremental.values()].some((c) => c.completions.length > 0 && c.scores.length > 0)).toBe(true);

    const versions = new Map<string, number>();
    for (const id of incremental.keys()) versions.set(id, (await bench.store.projections.member(id))!.version);
    await bench.projector.rebuildAll(13);
    const rebuilt = await incrementalContents(bench);
    expect(rebuilt).toEqual(incremental);
    for (const id of incremental.keys()) expect((await bench.store.projections.member(id))!.version).toBe(versions.get(id));
  });
});
