/**
 * How one member compares between what we publish and what the marketplace holds
 * (ARCHITECTURE.md §9), and the drift figure: pure, so the rules are tested on their own.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Profile } from '../../src/model/profile.js';

export const DRIFT_KINDS = ['missing', 'stale', 'mismatched', 'orphaned', 'ahead'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];
export type Comparison = 'in_sync' | DriftKind;

/**
 * `ours`: the profile we publish (null: none — unknown, or a member who left); `held`: what the
 * marketplace answers (null: none). Null when neither side has the member. Content is compared
 * on our profile's fields only, so a marketplace may keep fields of its own beside them.
 */
export function compareMember(ours: Profile | null, held: Record<string, unknown> | null): Comparison | null {
  if (ours === null) return held === null ? null : 'orphaned';
  if (held === null) return 'missing';
  const version = held.version;
  if (typeof version === 'number' && version < ours.version) return 'stale';
  if (typeof version === 'number' && version > ours.version) return 'ahead';
  const same = Object.entries(ours).every(([field, value]) => isDeepStrictEqual(held[field], value));
  return same ? 'in_sync' : 'mismatched';
}

/** (missing + stale + mismatched + orphaned + ahead) ÷ max(members, 1) × 100, two decimals. */
export function driftPct(drifted: number, members: number): number {
  return Math.round((drifted / Math.max(members, 1)) * 100 * 100) / 100;
}
