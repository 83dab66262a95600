/**
 * Replay (ARCHITECTURE.md §9): every member's stored statements folded again with another mapping,
 * into a scratch profile compared with the stored one — how a new mapping version is staged
 * before it is promoted. Nothing is written and nothing is pushed: the store is only read.
 *
 * Which statements belong to whom is taken from the projection as it stands (a mapping does not
 * change identity), and the header of each profile (published id, email, status) from the
 * stored profile, so every difference reported is the mapping's.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Store } from '../../src/storage/port.js';
import type { ProfileRecord } from '../../src/storage/projection-port.js';
import type { ProfileContent } from '../../src/model/profile.js';
import { emptyFold } from '../../src/model/member-fold.js';
import type { Mapping } from '../mapping/index.js';
import { foldStatement } from '../fold/evolve.js';
import { renderContent } from '../fold/render.js';
import { isVoiding } from '../../lrs/statements/keys.js';

/** Each section of a profile and the field that identifies its entries. */
export const SECTION_IDS = {
  completions: 'activity_id',
  scores: 'activity_id',
  badges: 'badge_id',
  enrollments: 'activity_id',
  certificates: 'certificate_ref',
  skills: 'skill_id',
} as const;
export type Section = keyof typeof SECTION_IDS;
const SECTIONS = Object.keys(SECTION_IDS) as Section[];

export interface SectionChange {
  added: unknown[];
  removed: unknown[];
  changed: { from: unknown; to: unknown }[];
}

export interface MemberChange {
  member_id: string;
  published_id: string;
  /** Scalar fields that differ (mapping_version). */
  fields: Record<string, { from: unknown; to: unknown }>;
  sections: Partial<Record<Section, SectionChange>>;
}

export interface ReplayReport {
  mapping_version: string;
  members: number;
  members_changed: number;
  /** Entries added, removed and changed per section, over every member. */
  summary: Record<Section, { added: number; removed: number; changed: number }> & { fields: Record<string, number> };
  changes: MemberChange[];
}

const PAGE = 500;

function diffSection(section: Section, before: Record<string, unknown>[], after: Record<string, unknown>[]): SectionChange | undefined {
  const key = SECTION_IDS[section];
  const old = new Map(before.map((e) => [e[key], e]));
  const now = new Map(after.map((e) => [e[key], e]));
  const change: SectionChange = { added: [], removed: [], changed: [] };
  for (const [id, entry] of now) {
    const was = old.get(id);
    if (was === undefined) change.added.push(entry);
    else if (!isDeepStrictEqual(was, entry)) change.changed.push({ from: was, to: entry });
  }
  for (const [id, entry] of old) if (!now.has(id)) change.removed.push(entry);
  return change.added.length + change.removed.length + change.changed.length > 0 ? change : undefined;
}

/** The differences of a replayed content against the stored one; null when there are none. */
export function diffContent(memberId: string, stored: ProfileContent, replayed: ProfileContent): MemberChange | null {
  const change: MemberChange = { member_id: memberId, published_id: stored.member_id, fields: {}, sections: {} };
  if (stored.mapping_version !== replayed.mapping_version) change.fields.mapping_version = { from: stored.mapping_version, to: replayed.mapping_version };
  for (const section of SECTIONS) {
    const diff = diffSection(section, stored[section] as unknown as Record<string, unknown>[], replayed[section] as unknown as Record<string, unknown>[]);
    if (diff) change.sections[section] = diff;
  }
  return Object.keys(change.fields).length + Object.keys(change.sections).length > 0 ? change : null;
}

async function replayMember(store: Store, mapping: Mapping, record: ProfileRecord): Promise<ProfileContent> {
  const state = emptyFold();
  const seqs = await store.projections.memberSeqs(record.memberId);
  for (const statement of await store.statements.getBySeqs(seqs)) {
    if (!statement.voided && !isVoiding(statement.statement)) foldStatement(state, statement.statement, statement.seq, mapping);
  }
  const { member_id: memberId, email, status } = record.content;
  return renderContent(state, { memberId, email, status }, mapping);
}

/** Replays every member (or one, by HRIS id; null when it has no profile). */
export async function replay(store: Store, mapping: Mapping, options: { memberId?: string; onProgress?: (members: number) => void } = {}): Promise<ReplayReport | null> {
  const summary = { ...Object.fromEntries(SECTIONS.map((s) => [s, { added: 0, removed: 0, changed: 0 }])), fields: {} } as unknown as ReplayReport['summary'];
  const report: ReplayReport = { mapping_version: mapping.version, members: 0, members_changed: 0, summary, changes: [] };
  const take = async (record: ProfileRecord) => {
    report.members += 1;
    const change = diffContent(record.memberId, record.content, await replayMember(store, mapping, record));
    if (change === null) return;
    report.members_changed += 1;
    report.changes.push(change);
    for (const field of Object.keys(change.fields)) summary.fields[field] = (summary.fields[field] ?? 0) + 1;
    for (const [section, diff] of Object.entries(change.sections) as [Section, SectionChange][]) {
      summary[section].added += diff.added.length;
      summary[section].removed += diff.removed.length;
      summary[section].changed += diff.changed.length;
    }
  };
  if (options.memberId !== undefined) {
    const member = await store.projections.member(options.memberId);
    if (member === null) return null;
    await take(member);
    return report;
  }
  let after: string | undefined;
  do {
    const page = await store.projections.profiles({ limit: PAGE, ...(after !== undefined ? { after } : {}) });
    for (const record of page.profiles) await take(record);
    options.onProgress?.(report.members);
    after = page.next ?? undefined;
  } while (after !== undefined);
  return report;
}
