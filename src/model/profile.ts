/**
 * The profile the marketplace receives (ARCHITECTURE.md §5, contract): a model type shared on
 * purpose by the projection, which renders it (projections/fold/render.ts), and the storage
 * ports, which keep its content (ARCHITECTURE.md §2).
 */

export type EnrollmentState = 'active' | 'completed' | 'dropped';

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
  /** `erased`: kept only until the marketplace has the DELETE of an erasure; never published. */
  status: 'active' | 'terminated' | 'erased';
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
