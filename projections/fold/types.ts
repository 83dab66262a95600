/**
 * The profile the marketplace receives (ARCHITECTURE.md §5, contract) and the fold state behind it.
 *
 * The fold state keeps, per fact, the (time, seq) of the statement that decided it, so folding
 * is order-independent: statements folded in any order give the same state, which is what
 * makes the incremental profile equal to a rebuild from scratch.
 */

/** When a statement happened: its timestamp (UTC ISO 8601 with ms), ties broken by seq. */
export type Moment = readonly [time: string, seq: number];

export type EnrollmentState = 'active' | 'completed' | 'dropped';

export interface ActivityFold {
  /** Display name from the latest statement that carried one. */
  name?: { text: string; at: Moment };
  /** Earliest completing statement. */
  completedAt?: Moment;
  /** A pass verb or result.success true was seen. */
  passed: boolean;
  /** A fail verb or result.success false was seen. */
  failed: boolean;
  latestScore?: { value: number; at: Moment };
  bestScore?: number;
  attempts: number;
  enrollment?: { state: EnrollmentState; at: Moment };
}

export interface BadgeFold {
  /** The earliest statement awarding the badge decides issued_at, name and assertion. */
  at: Moment;
  name: string | null;
  assertion: unknown;
}

export interface CertificateFold {
  activityId: string;
  at: Moment;
}

export interface MemberFold {
  activities: Record<string, ActivityFold>;
  badges: Record<string, BadgeFold>;
  certificates: Record<string, CertificateFold>;
}

export const emptyFold = (): MemberFold => ({ activities: {}, badges: {}, certificates: {} });

export interface Completion {
  activity_id: string;
  name: string | null;
  learning_completed: true;
  completed_at: string;
  success: boolean | null;
}
export interface Score {
  activity_id: string;
  score: number;
  best: number;
  attempts: number;
  scored_at: string;
}
export interface Badge {
  badge_id: string;
  name: string | null;
  issued_at: string;
  assertion: unknown;
}
export interface Enrollment {
  activity_id: string;
  enrollment_state: EnrollmentState;
  updated_at: string;
}
export interface Certificate {
  certificate_ref: string;
  activity_id: string;
  issued_at: string;
}
export interface Skill {
  skill_id: string;
  level: number;
  evidence_count: number;
  last_evidence_at: string;
}

/** Everything of a profile but its version and updated_at: what "content changed" compares. */
export interface ProfileContent {
  member_id: string;
  email: string | null;
  status: 'active' | 'terminated';
  mapping_version: string;
  completions: Completion[];
  scores: Score[];
  badges: Badge[];
  enrollments: Enrollment[];
  certificates: Certificate[];
  skills: Skill[];
}

export interface Profile extends ProfileContent {
  version: number;
  updated_at: string;
}
