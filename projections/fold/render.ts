/** From fold state and HRIS record to the profile content (ARCHITECTURE.md §5): arrays sorted by their id field. */
import type { Mapping } from '../mapping/index.js';
import type { Badge, Certificate, Completion, Enrollment, Profile, ProfileContent, Score, Skill } from '../../src/model/profile.js';
import type { MemberFold } from '../../src/model/member-fold.js';
import type { ProfileRecord } from '../../src/storage/projection-port.js';

export interface MemberHeader {
  /** The published member id (pseudonymous for contractors). */
  memberId: string;
  email: string | null;
  status: ProfileContent['status'];
}

const byKey = <T>(key: keyof T) => (a: T, b: T) => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0);

function completions(state: MemberFold): Completion[] {
  return Object.entries(state.activities)
    .flatMap(([id, a]) =>
      a.completedAt
        ? [{ activity_id: id, name: a.name?.text ?? null, learning_completed: true as const, completed_at: a.completedAt[0], success: a.passed ? true : a.failed ? false : null }]
        : [],
    )
    .sort(byKey('activity_id'));
}

function scores(state: MemberFold): Score[] {
  return Object.entries(state.activities)
    .flatMap(([id, a]) =>
      a.latestScore && a.bestScore !== undefined
        ? [{ activity_id: id, score: a.latestScore.value, best: a.bestScore, attempts: a.attempts, scored_at: a.latestScore.at[0] }]
        : [],
    )
    .sort(byKey('activity_id'));
}

function enrollments(state: MemberFold): Enrollment[] {
  return Object.entries(state.activities)
    .flatMap(([id, a]) => (a.enrollment ? [{ activity_id: id, enrollment_state: a.enrollment.state, updated_at: a.enrollment.at[0] }] : []))
    .sort(byKey('activity_id'));
}

function badges(state: MemberFold): Badge[] {
  return Object.entries(state.badges)
    .map(([id, b]) => ({ badge_id: id, name: b.name, issued_at: b.at[0], assertion: b.assertion }))
    .sort(byKey('badge_id'));
}

function certificates(state: MemberFold): Certificate[] {
  return Object.entries(state.certificates)
    .map(([ref, c]) => ({ certificate_ref: ref, activity_id: c.activityId, issued_at: c.at[0] }))
    .sort(byKey('certificate_ref'));
}

/** A completed activity is evidence for its skills; level is the highest, count the distinct activities. */
function skills(state: MemberFold, mapping: Mapping): Skill[] {
  const bySkill = new Map<string, Skill>();
  for (const [activityId, a] of Object.entries(state.activities)) {
    if (!a.completedAt) continue;
    for (const { skillId, level } of mapping.skills(activityId)) {
      const known = bySkill.get(skillId);
      const at = a.completedAt[0];
      bySkill.set(
        skillId,
        known
          ? { skill_id: skillId, level: Math.max(known.level, level), evidence_count: known.evidence_count + 1, last_evidence_at: at > known.last_evidence_at ? at : known.last_evidence_at }
          : { skill_id: skillId, level, evidence_count: 1, last_evidence_at: at },
      );
    }
  }
  return [...bySkill.values()].sort(byKey('skill_id'));
}

export function renderContent(state: MemberFold, header: MemberHeader, mapping: Mapping): ProfileContent {
  return {
    member_id: header.memberId,
    email: header.email,
    status: header.status,
    mapping_version: mapping.version,
    completions: completions(state),
    scores: scores(state),
    badges: badges(state),
    enrollments: enrollments(state),
    certificates: certificates(state),
    skills: skills(state, mapping),
  };
}

/** The published profile, keys in the contract's order. */
export function toProfile(content: ProfileContent, version: number, updatedAt: string): Profile {
  const { member_id, email, status, mapping_version, ...sections } = content;
  return { member_id, email, status, version, mapping_version, updated_at: updatedAt, ...sections };
}

/** The published profile of a stored one (ProjectionStore.profile, DeliveryStore.claim). */
export function profileOf(record: ProfileRecord): Profile {
  return toProfile(record.content, record.version, record.updatedAt);
}

/** Whether two contents differ (the profile version rises only then). */
export function contentChanged(a: ProfileContent | null, b: ProfileContent): boolean {
  return a === null || JSON.stringify(a) !== JSON.stringify(b);
}
