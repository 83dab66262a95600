/**
 * The fold state of one member (ARCHITECTURE.md §5): what projections/fold/evolve.ts folds
 * statements into and the projection store keeps beside the profile content. A model type
 * shared on purpose by the projection and the storage ports (ARCHITECTURE.md §2).
 *
 * The state keeps, per fact, the (time, seq) of the statement that decided it, so folding is
 * order-independent: statements folded in any order give the same state, which is what makes
 * the incremental profile equal to a rebuild from scratch.
 */
import type { EnrollmentState } from './profile.js';

/** When a statement happened: its timestamp (UTC ISO 8601 with ms), ties broken by seq. */
export type Moment = readonly [time: string, seq: number];

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
