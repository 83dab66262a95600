/**
 * The projection aggregate: per-member fold state and profile, which statements belong to
 * which member, statements whose actor resolves to nobody yet ("unmatched"), and the
 * checkpoints of the worker. A batch is committed as one unit: in SQLite one transaction
 * covers the profile changes and the checkpoints; in MongoDB each member records the last
 * seq folded into it, so a replayed batch is skipped where it was already applied.
 *
 * A commit computed from records another writer has since moved on is refused as data, the
 * same on both adapters (CommitOutcome): the projector re-reads and redoes the batch.
 */
import type { MemberFold } from '../model/member-fold.js';
import type { ProfileContent } from '../model/profile.js';

export interface MemberRecord {
  /** The HRIS employee id. */
  memberId: string;
  /** The member id the marketplace sees (pseudonymous for contractors). */
  publishedId: string;
  content: ProfileContent;
  state: MemberFold;
  version: number;
  updatedAt: string;
  /** Highest statement seq folded into this member. */
  lastSeq: number;
}

export interface ProjectionBatch {
  /** New positions of the checkpoints this batch advances (e.g. `statements`, `identity`). */
  checkpoints: Record<string, number>;
  /** Members whose record changed (state, content or version). */
  members: MemberRecord[];
  /** Statements newly attributed to a member. */
  links: { memberId: string; seq: number }[];
  /** Statements whose actor resolves to nobody yet, with the identity keys to retry. */
  unmatched: { seq: number; keys: string[] }[];
  /** Seqs no longer unmatched (they are in `links` now). */
  resolved: number[];
  /**
   * A full rebuild: every link and unmatched row is replaced by this batch's, in the same
   * atomic commit, so a crash mid-rebuild leaves the previous projection intact.
   */
  replaceAll?: boolean;
}

/**
 * What a published profile is made of: the stored content with its version and updatedAt (and
 * the HRIS id it belongs to, which the content names only by its published id). The
 * projection side renders it (projections/fold/render.ts `profileOf`); storage only keeps it.
 */
export type ProfileRecord = Pick<MemberRecord, 'memberId' | 'content' | 'version' | 'updatedAt'>;

export interface ProfilePage {
  profiles: ProfileRecord[];
  /** Published id of the last profile, to continue after; null at the end. */
  next: string | null;
}

/**
 * What a commit did. A member record may replace the stored one only when it was computed from
 * it: the stored version is one less (the projector adds one when the content changed), or the
 * same with the same updatedAt (the content did not change, or this very record is written
 * again); and, outside a rebuild, the stored lastSeq is not beyond this record's. A missing
 * member is simply written. A reconciliation repair (`bumpVersion`) raises the version with a
 * new updatedAt, so a record computed before it is refused rather than taking its version.
 * Otherwise the batch was computed from a record another writer has moved on since: it is a
 * `conflict`, the stored member stays as it is and the checkpoints do not move, so redoing the
 * batch from fresh reads is safe (and nothing else is needed: what the batch may have written
 * before the refusal is what the redone batch writes again).
 */
export type CommitOutcome = { kind: 'committed' } | { kind: 'conflict'; memberId: string };

export interface ProjectionStore {
  checkpoint(name: string): Promise<number>;
  commit(batch: ProjectionBatch): Promise<CommitOutcome>;
  member(memberId: string): Promise<MemberRecord | null>;
  /** Seqs of the statements attributed to a member, ascending. */
  memberSeqs(memberId: string): Promise<number[]>;
  /** The member each of these statements is attributed to (unattributed seqs are absent). */
  membersOfSeqs(seqs: number[]): Promise<Map<number, string>>;
  /** Unmatched statements carrying any of these identity keys, ascending. */
  unmatchedWithKeys(keys: string[]): Promise<number[]>;
  unmatchedCount(): Promise<number>;
  /** The profile published under this id (the content's member_id); an erased member (content status `erased`) has none. */
  profile(publishedId: string): Promise<ProfileRecord | null>;
  /** Profiles ordered by published id, after `after`, optionally only those updated at or after `updatedSince`; erased members are left out. */
  profiles(options: { after?: string; limit: number; updatedSince?: string }): Promise<ProfilePage>;
  /**
   * Gives a member a new version of unchanged content (so an idempotent receiver takes it again,
   * ARCHITECTURE.md §9), if it is still at `fromVersion`; the new version is pending delivery.
   * Returns false when the member moved on (or does not exist): its newer version is sent anyway.
   */
  bumpVersion(memberId: string, fromVersion: number, updatedAt: string): Promise<boolean>;
  /**
   * The projection's part of an erasure, in one write: the links and unmatched rows of these
   * seqs and of the member, the unmatched rows carrying these keys; the member record, if any,
   * takes `erased` as its content (a new version, pending delivery: the deliverer DELETEs it),
   * an empty fold state, and loses its dead letter. A member whose content is already erased
   * keeps its version (so erasing again sends nothing new).
   */
  erase(request: { memberId: string; seqs: number[]; keys: string[]; erased: ProfileContent; at: string }): Promise<{ links: number; unmatched: number; profile: boolean }>;
  /** Deletes a member record outright (an erased member once the marketplace has its DELETE); false when there was none. */
  remove(memberId: string): Promise<boolean>;
}
