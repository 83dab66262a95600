/**
 * A profile as CSV rows (ARCHITECTURE.md §10): the mapping template's target fields as columns,
 * one row per member and fact. A fact's values go to the targets that mean them (a completion's
 * `completed_at` to `occurred_at`, a badge's assertion to `badge_awarded`, …); what no target
 * of the template names (a score's `best`, a skill) has a column of its own after them. A member
 * without facts still has one row, with `fact` empty, so every member is in the file.
 */
import type { Profile } from '../../src/model/profile.js';

/** The columns the profile export adds after the template's targets, when the template has no target of that name. */
const FACT_COLUMNS = ['best', 'attempts', 'skill_id', 'level', 'evidence_count', 'version', 'updated_at'] as const;

export type Fact = 'completion' | 'score' | 'badge' | 'enrollment' | 'certificate' | 'skill';

/** Values by column name; a column a row has no value for is empty. */
type Cells = Record<string, string | number | boolean | null>;

export function profileCsvColumns(targets: readonly string[]): string[] {
  return ['fact', ...new Set([...targets, ...FACT_COLUMNS])];
}

/** The rows of one profile as cells by column name, in the order of the profile's sections. */
export function profileFacts(profile: Profile): Cells[] {
  const member: Cells = { member_id: profile.member_id, email: profile.email, status: profile.status, version: profile.version, updated_at: profile.updated_at };
  const row = (fact: Fact, cells: Cells): Cells => ({ ...member, fact, ...cells });
  const rows = [
    ...profile.completions.map((c) =>
      row('completion', { activity_id: c.activity_id, activity_name: c.name, learning_completed: c.learning_completed, learning_success: c.success, occurred_at: c.completed_at }),
    ),
    ...profile.scores.map((s) => row('score', { activity_id: s.activity_id, score: s.score, best: s.best, attempts: s.attempts, occurred_at: s.scored_at })),
    ...profile.badges.map((b) =>
      row('badge', { activity_id: b.badge_id, activity_name: b.name, badge_awarded: b.assertion === null || b.assertion === undefined ? null : JSON.stringify(b.assertion), occurred_at: b.issued_at }),
    ),
    ...profile.enrollments.map((e) => row('enrollment', { activity_id: e.activity_id, enrollment_state: e.enrollment_state, occurred_at: e.updated_at })),
    ...profile.certificates.map((c) => row('certificate', { certificate_ref: c.certificate_ref, activity_id: c.activity_id, occurred_at: c.issued_at })),
    ...profile.skills.map((s) => row('skill', { skill_id: s.skill_id, level: s.level, evidence_count: s.evidence_count, occurred_at: s.last_evidence_at })),
  ];
  return rows.length > 0 ? rows : [{ ...member, fact: '' }];
}

/** The rows of one profile in the columns' order (csv-stringify quotes them). */
export function profileCsvRows(profile: Profile, columns: readonly string[]): string[][] {
  return profileFacts(profile).map((cells) => columns.map((c) => (cells[c] === null || cells[c] === undefined ? '' : String(cells[c]))));
}
