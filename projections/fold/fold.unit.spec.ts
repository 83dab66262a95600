/**
 * The fold (evolve.ts into render.ts) against ARCHITECTURE.md §5, one block per profile concept,
 * with the real mapping files: given statements folded into an empty state in a stated order,
 * then the rendered profile sections. Voiding is the projector's part (it refolds without the
 * voided statement: test/projections/projector.int.spec.ts); here only that a voiding statement
 * itself adds nothing.
 */
import { describe, expect, it } from 'vitest';
import { loadMapping } from '../mapping/index.js';
import { foldStatement } from './evolve.js';
import { renderContent } from './render.js';
import { emptyFold, type MemberFold } from '../../src/model/member-fold.js';
import type { ProfileContent } from '../../src/model/profile.js';

type Json = Record<string, unknown>;

const mapping = loadMapping();

const ADL = 'http://adlnet.gov/expapi/verbs/';
const EARNED = 'http://specification.openbadges.org/xapi/verbs/earned.json';
const ABANDONED = 'https://w3id.org/xapi/adl/verbs/abandoned';
const BADGE_TYPE = 'http://activitystrea.ms/schema/1.0/badge';
const ASSERTION = 'http://specification.openbadges.org/xapi/extensions/badgeassertion.json';
const CERTIFICATE = 'http://id.tincanapi.com/attachment/certificate_of_completion';
const SAFETY = 'https://lms.example.com/courses/workplace-safety-101';
const SAFETY_2 = 'https://lms.example.com/courses/workplace-safety-201';
const TS = 'https://lms.example.com/courses/typescript-fundamentals';
const TS_ADVANCED = 'https://lms.example.com/courses/typescript-advanced';
const NEGOTIATION = 'https://lms.example.com/courses/negotiation';

/** 2026-03-01 09:00 UTC plus some minutes, as the stored UTC form. */
const at = (minute: number) => new Date(Date.parse('2026-03-01T09:00:00.000Z') + minute * 60_000).toISOString();

interface Given {
  verb: string;
  activity: string;
  minute: number;
  name?: Json;
  type?: string;
  result?: Json;
  attachments?: Json[];
}

/** A statement as the write path stores it (timestamp and stored set). */
function statement({ verb, activity, minute, name, type, result, attachments }: Given): Json {
  const definition = { ...(name ? { name } : {}), ...(type ? { type } : {}) };
  return {
    actor: { objectType: 'Agent', mbox: 'mailto:ana@acme.example' },
    verb: { id: verb },
    object: { objectType: 'Activity', id: activity, ...(Object.keys(definition).length > 0 ? { definition } : {}) },
    ...(result ? { result } : {}),
    ...(attachments ? { attachments } : {}),
    timestamp: at(minute),
    stored: at(minute),
  };
}

type Sections = Omit<ProfileContent, 'member_id' | 'email' | 'status' | 'mapping_version'>;

/**
 * Given statements with seq 1, 2, … in the order listed, when they are folded in `order` (indexes
 * into the list; listed order by default), then these sections.
 */
function fold(statements: Json[], order: number[] = statements.map((_, i) => i)): Sections {
  const state: MemberFold = emptyFold();
  for (const i of order) foldStatement(state, statements[i] as Json, i + 1, mapping);
  const { member_id, email, status, mapping_version, ...sections } = renderContent(state, { memberId: 'E1', email: 'ana@acme.example', status: 'active' }, mapping);
  return sections;
}

const reversed = (n: number) => Array.from({ length: n }, (_, i) => n - 1 - i);

describe('completions', () => {
  it('given a completed verb, then the activity is completed at that time, with its name and no success either way', () => {
    const { completions } = fold([statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 5, name: { 'en-US': 'Safety 101' } })]);
    expect(completions).toEqual([{ activity_id: SAFETY, name: 'Safety 101', learning_completed: true, completed_at: at(5), success: null }]);
  });

  it('given result.completion true under a verb with no concept, then that completes the activity too', () => {
    const { completions } = fold([statement({ verb: `${ADL}experienced`, activity: SAFETY, minute: 1, result: { completion: true } })]);
    expect(completions.map((c) => [c.activity_id, c.completed_at])).toEqual([[SAFETY, at(1)]]);
  });

  it('given only launches, registrations, scores and result.completion false, then nothing is completed', () => {
    const { completions } = fold([
      statement({ verb: `${ADL}launched`, activity: SAFETY, minute: 1 }),
      statement({ verb: `${ADL}registered`, activity: SAFETY, minute: 2 }),
      statement({ verb: `${ADL}scored`, activity: SAFETY, minute: 3, result: { score: { scaled: 0.5 } } }),
      statement({ verb: `${ADL}experienced`, activity: SAFETY, minute: 4, result: { completion: false } }),
    ]);
    expect(completions).toEqual([]);
  });

  it('given several completions, then completed_at is the earliest, in whichever order they are folded', () => {
    const statements = [
      statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 30 }),
      statement({ verb: `${ADL}passed`, activity: SAFETY, minute: 10 }),
      statement({ verb: 'https://w3id.org/xapi/adl/verbs/satisfied', activity: SAFETY, minute: 20 }),
    ];
    expect(fold(statements).completions[0]?.completed_at).toBe(at(10));
    expect(fold(statements, reversed(3)).completions[0]?.completed_at).toBe(at(10));
  });

  it('success: true with any pass or result.success true, false with only failures, else null', () => {
    const completed = statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 1 });
    const failed = statement({ verb: `${ADL}failed`, activity: SAFETY, minute: 2 });
    const passed = statement({ verb: `${ADL}passed`, activity: SAFETY, minute: 3 });
    const succeeded = statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 4, result: { success: true } });
    const unsuccessful = statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 5, result: { success: false } });
    const success = (...statements: Json[]) => fold(statements).completions[0]?.success;
    expect(success(completed)).toBeNull();
    expect(success(completed, failed)).toBe(false);
    expect(success(unsuccessful)).toBe(false);
    expect(success(completed, failed, passed)).toBe(true);
    expect(success(failed, succeeded)).toBe(true);
    expect(success(unsuccessful, succeeded)).toBe(true);
  });

  it('the name is the latest one given, in en-US where there is one, else another English, else the first language tag', () => {
    const named = (minute: number, name: Json) => statement({ verb: `${ADL}completed`, activity: SAFETY, minute, name });
    const statements = [named(1, { 'en-US': 'Old name' }), named(9, { 'es-ES': 'Seguridad', 'en-US': 'New name' }), named(5, { 'en-US': 'Middle name' })];
    expect(fold(statements).completions[0]?.name).toBe('New name');
    expect(fold(statements, reversed(3)).completions[0]?.name).toBe('New name');
    expect(fold([named(1, { 'fr-FR': 'Sécurité', 'en-GB': 'Safety (GB)' })]).completions[0]?.name).toBe('Safety (GB)');
    expect(fold([named(1, { 'fr-FR': 'Sécurité', 'de-DE': 'Sicherheit' })]).completions[0]?.name).toBe('Sicherheit');
    expect(fold([statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 1 })]).completions[0]?.name).toBeNull();
  });

  it('completions are sorted by activity id', () => {
    const { completions } = fold([TS_ADVANCED, NEGOTIATION, SAFETY].map((activity, i) => statement({ verb: `${ADL}completed`, activity, minute: i })));
    expect(completions.map((c) => c.activity_id)).toEqual([NEGOTIATION, TS_ADVANCED, SAFETY]); // …/negotiation < …/typescript-advanced < …/workplace-safety-101
  });
});

describe('scores', () => {
  const scored = (minute: number, score: Json, activity = SAFETY) => statement({ verb: `${ADL}scored`, activity, minute, result: { score } });
  const scoreOf = (score: Json) => fold([scored(1, score)]).scores[0]?.score;

  it('normalises to 0–100: scaled × 100, else raw within min..max, else raw already within 0–100; clamped, two decimals', () => {
    expect(scoreOf({ scaled: 0.875 })).toBe(87.5);
    expect(scoreOf({ scaled: 0.875, raw: 3, min: 0, max: 4 })).toBe(87.5); // scaled first
    expect(scoreOf({ raw: 40, min: 0, max: 50 })).toBe(80);
    expect(scoreOf({ raw: 2, min: 0, max: 3 })).toBe(66.67);
    expect(scoreOf({ raw: 77 })).toBe(77);
    expect(scoreOf({ scaled: 1.5 })).toBe(100);
  });

  it('given a score the rules cannot read, then it is no score and no attempt', () => {
    expect(fold([scored(1, { raw: 150 })]).scores).toEqual([]);
    expect(fold([scored(1, { scaled: -0.5 })]).scores).toEqual([]);
    expect(fold([scored(1, { scaled: 0.5 }), scored(2, { raw: 150 })]).scores[0]?.attempts).toBe(1);
  });

  it('score is the latest by time, best the highest, attempts the scored statements, scored_at the latest time; in any fold order', () => {
    const statements = [scored(10, { scaled: 0.6 }), scored(30, { scaled: 0.7 }), scored(20, { scaled: 0.9 }), statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 40 })];
    const expected = [{ activity_id: SAFETY, score: 70, best: 90, attempts: 3, scored_at: at(30) }];
    expect(fold(statements).scores).toEqual(expected);
    expect(fold(statements, reversed(4)).scores).toEqual(expected);
    expect(fold(statements, [2, 0, 3, 1]).scores).toEqual(expected);
  });

  it('a score counts whatever the verb, and each activity has its own', () => {
    const { scores } = fold([statement({ verb: `${ADL}passed`, activity: TS, minute: 1, result: { score: { raw: 91 } } }), scored(2, { scaled: 0.4 })]);
    expect(scores.map((s) => [s.activity_id, s.score, s.attempts])).toEqual([[TS, 91, 1], [SAFETY, 40, 1]]); // sorted by activity id
  });
});

describe('badges', () => {
  const BADGE = 'https://badges.acme.example/safety-champion';

  it('given the earned verb, then a badge named by the activity id, with its name, time and assertion', () => {
    const assertion = { id: 'https://badges.acme.example/assertions/1' };
    const { badges } = fold([statement({ verb: EARNED, activity: BADGE, minute: 3, name: { 'en-US': 'Safety champion' }, result: { extensions: { [ASSERTION]: assertion } } })]);
    expect(badges).toEqual([{ badge_id: BADGE, name: 'Safety champion', issued_at: at(3), assertion }]);
  });

  it('given an object of the badge activity type under another verb, then it is a badge too, with a null assertion', () => {
    const { badges } = fold([statement({ verb: `${ADL}experienced`, activity: BADGE, minute: 3, type: BADGE_TYPE })]);
    expect(badges).toEqual([{ badge_id: BADGE, name: null, issued_at: at(3), assertion: null }]);
  });

  it('given neither, then no badge', () => {
    expect(fold([statement({ verb: `${ADL}completed`, activity: BADGE, minute: 1, type: 'http://adlnet.gov/expapi/activities/course' })]).badges).toEqual([]);
  });

  it('the earliest award decides issued_at, name and assertion, in any fold order', () => {
    const award = (minute: number, label: string) => statement({ verb: EARNED, activity: BADGE, minute, name: { 'en-US': label }, result: { extensions: { [ASSERTION]: { label } } } });
    const statements = [award(20, 'second'), award(5, 'first'), award(50, 'third')];
    const expected = [{ badge_id: BADGE, name: 'first', issued_at: at(5), assertion: { label: 'first' } }];
    expect(fold(statements).badges).toEqual(expected);
    expect(fold(statements, reversed(3)).badges).toEqual(expected);
  });
});

describe('enrollments', () => {
  const state = (verb: string) => fold([statement({ verb, activity: SAFETY, minute: 1 })]).enrollments[0]?.enrollment_state;

  it('enroll and launch verbs give active, completion and pass completed, drop dropped', () => {
    expect(state(`${ADL}registered`)).toBe('active');
    expect(state(`${ADL}launched`)).toBe('active');
    expect(state(`${ADL}initialized`)).toBe('active');
    expect(state(`${ADL}completed`)).toBe('completed');
    expect(state('https://w3id.org/xapi/adl/verbs/waived')).toBe('completed');
    expect(state(`${ADL}passed`)).toBe('completed');
    expect(state(ABANDONED)).toBe('dropped');
  });

  it('other verbs (fail, score, none) give no enrollment', () => {
    expect(state(`${ADL}failed`)).toBeUndefined();
    expect(state(`${ADL}scored`)).toBeUndefined();
    expect(state(`${ADL}experienced`)).toBeUndefined();
  });

  it('the latest relevant statement decides, and updated_at is its time, in any fold order', () => {
    const statements = [
      statement({ verb: `${ADL}registered`, activity: SAFETY, minute: 1 }),
      statement({ verb: ABANDONED, activity: SAFETY, minute: 20 }),
      statement({ verb: `${ADL}launched`, activity: SAFETY, minute: 10 }),
      statement({ verb: `${ADL}failed`, activity: SAFETY, minute: 30 }), // not relevant: leaves "dropped"
    ];
    const expected = [{ activity_id: SAFETY, enrollment_state: 'dropped', updated_at: at(20) }];
    expect(fold(statements).enrollments).toEqual(expected);
    expect(fold(statements, reversed(4)).enrollments).toEqual(expected);
  });
});

describe('certificates', () => {
  const attachment = (fileUrl: string | undefined, usageType = CERTIFICATE) => ({
    usageType,
    display: { 'en-US': 'Certificate' },
    contentType: 'application/pdf',
    length: 1000,
    sha2: 'a'.repeat(64),
    ...(fileUrl ? { fileUrl } : {}),
  });

  it('given a certificate-of-completion attachment with a fileUrl, then a certificate of that activity at that time', () => {
    const { certificates } = fold([statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 4, attachments: [attachment('https://certs.example/ana/safety.pdf')] })]);
    expect(certificates).toEqual([{ certificate_ref: 'https://certs.example/ana/safety.pdf', activity_id: SAFETY, issued_at: at(4) }]);
  });

  it('each certificate attachment counts; one without fileUrl or of another usage type gives none', () => {
    const { certificates } = fold([
      statement({
        verb: `${ADL}completed`,
        activity: SAFETY,
        minute: 4,
        attachments: [attachment('https://certs.example/b.pdf'), attachment(undefined), attachment('https://certs.example/a.pdf'), attachment('https://certs.example/other.pdf', 'http://example.com/other')],
      }),
    ]);
    expect(certificates.map((c) => c.certificate_ref)).toEqual(['https://certs.example/a.pdf', 'https://certs.example/b.pdf']);
  });

  it('the same certificate sent again keeps its earliest statement, in any fold order', () => {
    const ref = 'https://certs.example/ana/safety.pdf';
    const statements = [
      statement({ verb: `${ADL}completed`, activity: SAFETY_2, minute: 40, attachments: [attachment(ref)] }),
      statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 15, attachments: [attachment(ref)] }),
    ];
    const expected = [{ certificate_ref: ref, activity_id: SAFETY, issued_at: at(15) }];
    expect(fold(statements).certificates).toEqual(expected);
    expect(fold(statements, reversed(2)).certificates).toEqual(expected);
  });
});

describe('skills', () => {
  it('given a completed activity of mappings/skills.csv, then evidence for each of its skills at its level', () => {
    const { skills } = fold([statement({ verb: `${ADL}completed`, activity: TS_ADVANCED, minute: 7 })]);
    expect(skills).toEqual([
      { skill_id: 'nodejs', level: 60, evidence_count: 1, last_evidence_at: at(7) },
      { skill_id: 'typescript', level: 80, evidence_count: 1, last_evidence_at: at(7) },
    ]);
  });

  it('level is the highest, evidence_count the distinct completed activities, last_evidence_at the latest completion', () => {
    const { skills } = fold([
      statement({ verb: `${ADL}completed`, activity: SAFETY_2, minute: 5 }),
      statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 50 }),
      statement({ verb: `${ADL}passed`, activity: SAFETY, minute: 60 }), // the same activity again: still one piece of evidence
    ]);
    expect(skills).toEqual([{ skill_id: 'workplace-safety', level: 70, evidence_count: 2, last_evidence_at: at(50) }]);
  });

  it('an activity only started, or one without skill rules, is no evidence', () => {
    expect(fold([statement({ verb: `${ADL}launched`, activity: TS, minute: 1 }), statement({ verb: `${ADL}completed`, activity: NEGOTIATION, minute: 2 })]).skills).toEqual([]);
  });
});

describe('voiding', () => {
  it('a voiding statement (object StatementRef) adds nothing to the state it is folded into', () => {
    const completed = statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 1 });
    const voiding = { actor: { mbox: 'mailto:admin@acme.example' }, verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: '00000000-0000-4000-8000-000000000001' }, timestamp: at(2), stored: at(2) };
    expect(fold([completed, voiding])).toEqual(fold([completed]));
  });

  it('neither does a statement about an Agent or a SubStatement', () => {
    const about = (object: Json): Json => ({ ...statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 1 }), object });
    const nothing = fold([]);
    expect(fold([about({ objectType: 'Agent', mbox: 'mailto:bo@acme.example' })])).toEqual(nothing);
    expect(fold([about({ objectType: 'SubStatement', actor: { mbox: 'mailto:bo@acme.example' }, verb: { id: `${ADL}completed` }, object: { id: SAFETY } })])).toEqual(nothing);
  });
});

describe('ordering: time first, then seq', () => {
  it('times are compared as instants whatever their offset, and rendered in UTC with milliseconds', () => {
    const east = { ...statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 0 }), timestamp: '2026-03-01T10:30:00+02:00' }; // 08:30 UTC
    const utc = statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 0 }); // 09:00 UTC
    expect(fold([utc, east]).completions[0]?.completed_at).toBe('2026-03-01T08:30:00.000Z');
    expect(fold([east, utc], [1, 0]).completions[0]?.completed_at).toBe('2026-03-01T08:30:00.000Z');
  });

  it('a statement without a timestamp counts at its stored time', () => {
    const { timestamp, ...untimed } = statement({ verb: `${ADL}registered`, activity: SAFETY, minute: 0 });
    const stored = { ...untimed, stored: at(30) };
    expect(fold([statement({ verb: ABANDONED, activity: SAFETY, minute: 10 }), stored]).enrollments[0]).toEqual({ activity_id: SAFETY, enrollment_state: 'active', updated_at: at(30) });
  });

  it('at the same time the higher seq is the later: it decides the latest score, enrollment and name, in any fold order', () => {
    const statements = [
      statement({ verb: `${ADL}passed`, activity: SAFETY, minute: 5, name: { 'en-US': 'first' }, result: { score: { raw: 60 } } }),
      statement({ verb: ABANDONED, activity: SAFETY, minute: 5, name: { 'en-US': 'second' }, result: { score: { raw: 20 } } }),
    ];
    for (const order of [[0, 1], [1, 0]]) {
      const { scores, enrollments, completions } = fold(statements, order);
      expect(scores[0]).toMatchObject({ score: 20, best: 60, attempts: 2 });
      expect(enrollments[0]?.enrollment_state).toBe('dropped');
      expect(completions[0]?.name).toBe('second');
    }
  });

  it('at the same time the lower seq is the earlier: it decides the badge and the certificate, in any fold order', () => {
    const BADGE = 'https://badges.acme.example/tie';
    const ref = 'https://certs.example/tie.pdf';
    const certificate = { usageType: CERTIFICATE, display: { 'en-US': 'Certificate' }, contentType: 'application/pdf', length: 1, sha2: 'b'.repeat(64), fileUrl: ref };
    const statements = [
      statement({ verb: EARNED, activity: BADGE, minute: 5, name: { 'en-US': 'first' } }),
      statement({ verb: EARNED, activity: BADGE, minute: 5, name: { 'en-US': 'second' } }),
      statement({ verb: `${ADL}completed`, activity: SAFETY, minute: 5, attachments: [certificate] }),
      statement({ verb: `${ADL}completed`, activity: SAFETY_2, minute: 5, attachments: [certificate] }),
    ];
    for (const order of [[0, 1, 2, 3], [3, 2, 1, 0]]) {
      const { badges, certificates } = fold(statements, order);
      expect(badges[0]?.name).toBe('first');
      expect(certificates).toEqual([{ certificate_ref: ref, activity_id: SAFETY, issued_at: at(5) }]);
    }
  });

  it('a mixed stream folds to the same profile in every order tried', () => {
    const verbs = [`${ADL}completed`, `${ADL}passed`, `${ADL}failed`, `${ADL}registered`, `${ADL}launched`, `${ADL}scored`, ABANDONED, EARNED];
    const activities = [SAFETY, SAFETY_2, TS, TS_ADVANCED];
    const statements = Array.from({ length: 24 }, (_, i) =>
      statement({
        verb: verbs[i % verbs.length] as string,
        activity: activities[(i * 3) % activities.length] as string,
        minute: (i * 7) % 5, // many ties
        name: { 'en-US': `name ${i}` },
        result: i % 3 === 0 ? { score: { raw: (i * 13) % 101 } } : { success: i % 2 === 0 },
      }),
    );
    const expected = fold(statements);
    expect(expected.completions.length).toBeGreaterThan(0);
    expect(expected.scores.length).toBeGreaterThan(0);
    const n = statements.length;
    const orders = [reversed(n), Array.from({ length: n }, (_, i) => (i * 5) % n), Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i / 2 : n - 1 - (i - 1) / 2))];
    for (const order of orders) {
      expect(new Set(order).size).toBe(n);
      expect(fold(statements, order)).toEqual(expected);
    }
  });
});
