/**
 * The storage contract for ProjectionStore (src/storage/projection-port.ts), shared by every
 * backend (ARCHITECTURE.md §3). Each backend's spec calls
 * `describeProjectionStoreContract(name, open)`; `open` returns a fresh, empty store per test.
 *
 * Batches are shaped as the projector (projections/worker/projector.ts) shapes them: a member's
 * version is the stored one or one more, its lastSeq never decreases outside a rebuild, and a
 * replayed batch is the same batch again.
 */
import { describe, expect, it } from 'vitest';
import type { MemberRecord, ProjectionBatch } from '../../src/storage/projection-port.js';
import type { Store } from '../../src/storage/port.js';
import { freshStoreEachTest } from './fresh-store.js';
import type { MemberFold } from '../../src/model/member-fold.js';
import type { ProfileContent } from '../../src/model/profile.js';
import { profileOf, toProfile } from '../../projections/fold/render.js';

const T1 = '2026-01-05T09:00:00.000Z';
const T2 = '2026-01-06T09:00:00.000Z';
const T3 = '2026-01-07T09:00:00.000Z';

/** Activity ids and extension keys are IRIs: dots, slashes, and here a `$` and non-ASCII too. */
const COURSE = 'https://lms.example.com/courses/safety.101';
const BADGE = 'https://badges.example.com/assertions/first.aid';
const ASSERTION_EXT = 'http://specification.openbadges.org/xapi/extensions/badgeassertion.json';

export function fold(seq: number, extra = 0): MemberFold {
  return {
    activities: {
      [COURSE]: {
        name: { text: 'Sécurité au travail 101', at: [T1, seq] },
        completedAt: [T1, seq],
        passed: true,
        failed: false,
        latestScore: { value: 87.5 + extra, at: [T2, seq] },
        bestScore: 92,
        attempts: 3 + extra,
        enrollment: { state: 'completed', at: [T1, seq] },
      },
    },
    badges: { [BADGE]: { at: [T2, seq], name: 'First aid', assertion: { [ASSERTION_EXT]: { $schema: 'x', 'a.b': [1, null, { c: true }] } } } },
    certificates: {},
  };
}

export function content(publishedId: string, extra = 0, email: string | null = `${publishedId.toLowerCase()}@acme.example`): ProfileContent {
  return {
    member_id: publishedId,
    email,
    status: 'active',
    mapping_version: 'lms-marketplace@1',
    completions: [{ activity_id: COURSE, name: 'Sécurité au travail 101', learning_completed: true, completed_at: T1, success: true }],
    scores: [{ activity_id: COURSE, score: 87.5 + extra, best: 92, attempts: 3 + extra, scored_at: T2 }],
    badges: [{ badge_id: BADGE, name: 'First aid', issued_at: T2, assertion: { [ASSERTION_EXT]: { $schema: 'x', 'a.b': [1, null, { c: true }] } } }],
    enrollments: [{ activity_id: COURSE, enrollment_state: 'completed', updated_at: T1 }],
    certificates: [],
    skills: [{ skill_id: 'safety', level: 80, evidence_count: 1, last_evidence_at: T1 }],
  };
}

export function member(memberId: string, over: Partial<MemberRecord> & { extra?: number } = {}): MemberRecord {
  const { extra = 0, ...rest } = over;
  const lastSeq = rest.lastSeq ?? 1;
  const publishedId = rest.publishedId ?? memberId;
  return { memberId, publishedId, content: content(publishedId, extra), state: fold(lastSeq, extra), version: 1, updatedAt: T1, lastSeq, ...rest };
}

export function batch(over: Partial<ProjectionBatch> = {}): ProjectionBatch {
  return { checkpoints: {}, members: [], links: [], unmatched: [], resolved: [], ...over };
}

export function describeProjectionStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: projection store contract`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    /** Everything a reader can see of links and unmatched rows for these members, seqs and keys. */
    async function rows(memberIds: string[], seqs: number[], keys: string[]) {
      return {
        seqs: Object.fromEntries(await Promise.all(memberIds.map(async (id) => [id, await store.projections.memberSeqs(id)] as const))),
        owners: await store.projections.membersOfSeqs(seqs),
        unmatched: await store.projections.unmatchedWithKeys(keys),
        unmatchedCount: await store.projections.unmatchedCount(),
      };
    }

    it(`${name}: checkpoints start at 0, advance, and a batch leaves the ones it does not name alone`, async () => {
      expect(await store.projections.checkpoint('statements')).toBe(0);
      expect(await store.projections.checkpoint('identity')).toBe(0);
      await store.projections.commit(batch({ checkpoints: { statements: 12, identity: 3 } }));
      expect(await store.projections.checkpoint('statements')).toBe(12);
      expect(await store.projections.checkpoint('identity')).toBe(3);
      await store.projections.commit(batch({ checkpoints: { statements: 40 } }));
      expect(await store.projections.checkpoint('statements')).toBe(40);
      expect(await store.projections.checkpoint('identity')).toBe(3);
      await store.projections.commit(batch({ members: [member('E1', { lastSeq: 7 })] }));
      expect(await store.projections.checkpoint('statements')).toBe(40);
      expect(await store.projections.checkpoint('constructor')).toBe(0);
    });

    it(`${name}: members round-trip exactly (content, state, version, updatedAt, lastSeq) and are upserted`, async () => {
      expect(await store.projections.member('E1')).toBeNull();
      const first = member('E1', { lastSeq: 5 });
      await store.projections.commit(batch({ members: [first, member('E2', { lastSeq: 6 })], links: [{ memberId: 'E1', seq: 5 }, { memberId: 'E2', seq: 6 }] }));
      expect(await store.projections.member('E1')).toEqual(first);
      expect(JSON.stringify(await store.projections.member('E1'))).toBe(JSON.stringify(first));

      // Content changed: version + 1, new updatedAt, later lastSeq.
      const second = member('E1', { extra: 1, version: 2, updatedAt: T2, lastSeq: 9 });
      await store.projections.commit(batch({ members: [second], links: [{ memberId: 'E1', seq: 9 }] }));
      expect(await store.projections.member('E1')).toEqual(second);
      // Same content, later statement folded: same version, state and lastSeq move on.
      const third = { ...second, state: fold(11, 1), lastSeq: 11 };
      await store.projections.commit(batch({ members: [third], links: [{ memberId: 'E1', seq: 11 }] }));
      expect(await store.projections.member('E1')).toEqual(third);
      expect((await store.projections.member('E2'))?.lastSeq).toBe(6);
    });

    it(`${name}: committing the same batch again (a replay) changes nothing`, async () => {
      const b = batch({
        checkpoints: { statements: 4, identity: 1 },
        members: [member('E1', { lastSeq: 3 })],
        links: [{ memberId: 'E1', seq: 1 }, { memberId: 'E1', seq: 3 }],
        unmatched: [{ seq: 2, keys: ['email:x@example.com', 'sha1:abc'] }, { seq: 4, keys: ['email:y@example.com'] }],
      });
      await store.projections.commit(b);
      const before = { member: await store.projections.member('E1'), rows: await rows(['E1'], [1, 2, 3, 4], ['email:x@example.com', 'sha1:abc', 'email:y@example.com']) };
      await store.projections.commit(b);
      expect(await store.projections.member('E1')).toEqual(before.member);
      expect(await rows(['E1'], [1, 2, 3, 4], ['email:x@example.com', 'sha1:abc', 'email:y@example.com'])).toEqual(before.rows);
      expect(before.rows).toEqual({ seqs: { E1: [1, 3] }, owners: new Map([[1, 'E1'], [3, 'E1']]), unmatched: [2, 4], unmatchedCount: 2 });
      expect(await store.projections.checkpoint('statements')).toBe(4);
    });

    it(`${name}: memberSeqs are ascending whatever the commit order; membersOfSeqs leaves unattributed seqs out`, async () => {
      await store.projections.commit(batch({ members: [member('E1', { lastSeq: 30 })], links: [{ memberId: 'E1', seq: 30 }, { memberId: 'E1', seq: 4 }, { memberId: 'E2', seq: 12 }] }));
      await store.projections.commit(batch({ links: [{ memberId: 'E1', seq: 17 }, { memberId: 'E1', seq: 2 }, { memberId: 'E2', seq: 100 }] }));
      expect(await store.projections.memberSeqs('E1')).toEqual([2, 4, 17, 30]);
      expect(await store.projections.memberSeqs('E2')).toEqual([12, 100]);
      expect(await store.projections.memberSeqs('E9')).toEqual([]);
      expect(await store.projections.membersOfSeqs([100, 4, 5, 30])).toEqual(new Map([[100, 'E2'], [4, 'E1'], [30, 'E1']]));
      expect(await store.projections.membersOfSeqs([])).toEqual(new Map());
    });

    it(`${name}: a seq already attributed keeps its member`, async () => {
      await store.projections.commit(batch({ links: [{ memberId: 'E1', seq: 8 }] }));
      await store.projections.commit(batch({ links: [{ memberId: 'E2', seq: 8 }, { memberId: 'E2', seq: 9 }] }));
      expect(await store.projections.membersOfSeqs([8, 9])).toEqual(new Map([[8, 'E1'], [9, 'E2']]));
      expect(await store.projections.memberSeqs('E2')).toEqual([9]);
    });

    it(`${name}: unmatched statements are found by any of their keys, distinct and ascending, and counted by seq`, async () => {
      expect(await store.projections.unmatchedCount()).toBe(0);
      expect(await store.projections.unmatchedWithKeys(['email:a@example.com'])).toEqual([]);
      await store.projections.commit(batch({
        unmatched: [
          { seq: 9, keys: ['email:a@example.com', 'sha1:aaa'] },
          { seq: 3, keys: ['sha1:aaa'] },
          { seq: 5, keys: ['email:b@example.com'] },
          { seq: 6, keys: [] },
        ],
      }));
      expect(await store.projections.unmatchedWithKeys(['sha1:aaa', 'email:a@example.com'])).toEqual([3, 9]);
      expect(await store.projections.unmatchedWithKeys(['email:b@example.com', 'sha1:aaa', 'email:nobody@example.com'])).toEqual([3, 5, 9]);
      expect(await store.projections.unmatchedWithKeys(['email:nobody@example.com'])).toEqual([]);
      expect(await store.projections.unmatchedWithKeys([])).toEqual([]);
      // A statement with no keys has nothing to be retried by: no row.
      expect(await store.projections.unmatchedCount()).toBe(3);
      // The same seq again with another key: one more key to find it by, still one statement.
      await store.projections.commit(batch({ unmatched: [{ seq: 5, keys: ['account:E77'] }] }));
      expect(await store.projections.unmatchedWithKeys(['account:E77'])).toEqual([5]);
      expect(await store.projections.unmatchedWithKeys(['email:b@example.com'])).toEqual([5]);
      expect(await store.projections.unmatchedCount()).toBe(3);
    });

    it(`${name}: resolved seqs stop being unmatched (all their keys) and become links`, async () => {
      await store.projections.commit(batch({ unmatched: [{ seq: 3, keys: ['sha1:aaa', 'email:a@example.com'] }, { seq: 4, keys: ['sha1:aaa'] }, { seq: 7, keys: ['email:c@example.com'] }] }));
      await store.projections.commit(batch({
        members: [member('E1', { lastSeq: 4 })],
        links: [{ memberId: 'E1', seq: 3 }, { memberId: 'E1', seq: 4 }],
        resolved: [3, 4],
        checkpoints: { identity: 2 },
      }));
      expect(await store.projections.unmatchedWithKeys(['sha1:aaa', 'email:a@example.com', 'email:c@example.com'])).toEqual([7]);
      expect(await store.projections.unmatchedCount()).toBe(1);
      expect(await store.projections.memberSeqs('E1')).toEqual([3, 4]);
      // A seq both resolved and unmatched in one batch ends up unmatched (resolved rows go first).
      await store.projections.commit(batch({ unmatched: [{ seq: 7, keys: ['email:c@example.com'] }], resolved: [7, 99] }));
      expect(await store.projections.unmatchedWithKeys(['email:c@example.com'])).toEqual([7]);
    });

    it(`${name}: a member write computed from an older record is a conflict: the stored member stays and the checkpoints do not move`, async () => {
      expect(await store.projections.commit(batch({ checkpoints: { statements: 10 }, members: [member('E1', { version: 3, lastSeq: 10 })] }))).toEqual({ kind: 'committed' });
      const stored = await store.projections.member('E1');

      // Another writer got further: this batch's record is behind in version, or in lastSeq.
      for (const stale of [member('E1', { version: 2, lastSeq: 12 }), member('E1', { version: 3, lastSeq: 9 }), member('E1', { version: 5, lastSeq: 12 })]) {
        expect(await store.projections.commit(batch({ checkpoints: { statements: 12 }, members: [stale] }))).toEqual({ kind: 'conflict', memberId: 'E1' });
        expect(await store.projections.member('E1')).toEqual(stored);
        expect(await store.projections.checkpoint('statements')).toBe(10);
      }
      // A rebuild may lower lastSeq (statements attributed elsewhere now); its version still has to follow.
      expect(await store.projections.commit(batch({ replaceAll: true, checkpoints: { statements: 12 }, members: [member('E1', { version: 3, lastSeq: 4 })] }))).toEqual({ kind: 'committed' });
      expect((await store.projections.member('E1'))?.lastSeq).toBe(4);
      expect(await store.projections.commit(batch({ replaceAll: true, checkpoints: { statements: 14 }, members: [member('E1', { version: 7, lastSeq: 4 })] }))).toEqual({ kind: 'conflict', memberId: 'E1' });
      expect((await store.projections.member('E1'))?.version).toBe(3);
      expect(await store.projections.checkpoint('statements')).toBe(12);
    });

    it(`${name}: bumpVersion gives unchanged content a new version once; a record computed before the bump is then a conflict`, async () => {
      await store.projections.commit(batch({ members: [member('E1', { version: 3, lastSeq: 10 })] }));
      expect(await store.projections.bumpVersion('E1', 2, T3)).toBe(false);
      expect(await store.projections.bumpVersion('E9', 3, T3)).toBe(false);
      expect(await store.projections.bumpVersion('E1', 3, T3)).toBe(true);
      expect(await store.projections.member('E1')).toMatchObject({ version: 4, updatedAt: T3, content: content('E1'), lastSeq: 10 });
      expect(await store.delivery.pendingCount()).toBe(1);
      // A fold computed from version 3: unchanged content (version 3), or changed (version 4 with its own updatedAt).
      for (const late of [member('E1', { version: 3, lastSeq: 11 }), member('E1', { version: 4, extra: 1, updatedAt: T2, lastSeq: 11 })]) {
        expect(await store.projections.commit(batch({ members: [late] }))).toEqual({ kind: 'conflict', memberId: 'E1' });
      }
      // Computed from the bumped record, it is written; the same record again is a no-op write.
      const next = member('E1', { version: 5, extra: 1, updatedAt: T3, lastSeq: 11 });
      expect(await store.projections.commit(batch({ members: [next] }))).toEqual({ kind: 'committed' });
      expect(await store.projections.commit(batch({ members: [next] }))).toEqual({ kind: 'committed' });
      expect((await store.projections.member('E1'))?.version).toBe(5);
    });

    it(`${name}: profile(publishedId) is the member's content with its version, updatedAt and HRIS id, rendered in contract key order`, async () => {
      const e1 = member('E1', { version: 3, updatedAt: T2, lastSeq: 8 });
      const contractor = member('E2', { publishedId: 'p_0123456789abcdef0123456789abcdef', lastSeq: 9 });
      contractor.content = { ...contractor.content, email: null };
      await store.projections.commit(batch({ members: [e1, contractor] }));
      const stored = await store.projections.profile('E1');
      expect(stored).toEqual({ memberId: 'E1', content: e1.content, version: 3, updatedAt: T2 });
      const profile = stored && profileOf(stored);
      expect(profile).toEqual(toProfile(e1.content, 3, T2));
      expect(Object.keys(profile ?? {})).toEqual(['member_id', 'email', 'status', 'version', 'mapping_version', 'updated_at', 'completions', 'scores', 'badges', 'enrollments', 'certificates', 'skills']);
      expect(await store.projections.profile('p_0123456789abcdef0123456789abcdef')).toEqual({ memberId: 'E2', content: contractor.content, version: 1, updatedAt: T1 });
      // Profiles are found by published id only.
      expect(await store.projections.profile('E2')).toBeNull();
      expect(await store.projections.profile('E404')).toBeNull();

      // A member whose published id changes is found under the new one only.
      const renamed = member('E1', { publishedId: 'p_ffff', version: 4, updatedAt: T3, lastSeq: 8 });
      await store.projections.commit(batch({ members: [renamed] }));
      expect(await store.projections.profile('E1')).toBeNull();
      expect(await store.projections.profile('p_ffff')).toEqual({ memberId: 'E1', content: renamed.content, version: 4, updatedAt: T3 });
    });

    it(`${name}: profiles page in published-id order, with next = the last id when more remain`, async () => {
      const ids = ['E5', 'E1', 'E3', 'E2', 'E4'];
      await store.projections.commit(batch({ members: ids.map((id, i) => member(id, { updatedAt: i % 2 === 0 ? T1 : T3, lastSeq: i + 1 })) }));
      const all = await store.projections.profiles({ limit: 10 });
      expect(all.profiles.map((p) => p.content.member_id)).toEqual(['E1', 'E2', 'E3', 'E4', 'E5']);
      expect(all.next).toBeNull();
      expect(all.profiles[0]).toEqual({ memberId: 'E1', content: content('E1'), version: 1, updatedAt: T3 });

      const first = await store.projections.profiles({ limit: 2 });
      expect(first).toMatchObject({ next: 'E2' });
      expect(first.profiles.map((p) => p.content.member_id)).toEqual(['E1', 'E2']);
      const second = await store.projections.profiles({ limit: 2, after: 'E2' });
      expect(second.profiles.map((p) => p.content.member_id)).toEqual(['E3', 'E4']);
      expect(second.next).toBe('E4');
      const last = await store.projections.profiles({ limit: 2, after: 'E4' });
      expect(last.profiles.map((p) => p.content.member_id)).toEqual(['E5']);
      expect(last.next).toBeNull();
      // Exactly `limit` left: no next page.
      expect((await store.projections.profiles({ limit: 3, after: 'E2' })).next).toBeNull();

      // updatedSince is inclusive and combines with after.
      const recent = await store.projections.profiles({ limit: 10, updatedSince: T3 });
      expect(recent.profiles.map((p) => p.content.member_id)).toEqual(['E1', 'E2']);
      expect(recent.profiles.map((p) => p.updatedAt)).toEqual([T3, T3]);
      const page = await store.projections.profiles({ limit: 1, updatedSince: T2 });
      expect(page).toMatchObject({ next: 'E1' });
      expect((await store.projections.profiles({ limit: 1, updatedSince: T2, after: 'E1' })).profiles.map((p) => p.content.member_id)).toEqual(['E2']);
      expect((await store.projections.profiles({ limit: 10, after: 'E5' })).profiles).toEqual([]);
    });

    it(`${name}: replaceAll replaces every link and unmatched row with the batch's, in the same commit as members and checkpoints`, async () => {
      await store.projections.commit(batch({
        checkpoints: { statements: 6, identity: 2 },
        members: [member('E1', { lastSeq: 5 }), member('E2', { lastSeq: 2 })],
        links: [{ memberId: 'E1', seq: 1 }, { memberId: 'E1', seq: 5 }, { memberId: 'E2', seq: 2 }],
        unmatched: [{ seq: 3, keys: ['email:x@example.com'] }, { seq: 6, keys: ['email:y@example.com'] }],
      }));

      const rebuilt1 = member('E1', { extra: 1, version: 2, updatedAt: T2, lastSeq: 3 });
      const rebuilt2 = member('E2', { lastSeq: 6 });
      await store.projections.commit(batch({
        replaceAll: true,
        checkpoints: { statements: 8, identity: 3 },
        members: [rebuilt1, rebuilt2],
        links: [{ memberId: 'E1', seq: 1 }, { memberId: 'E1', seq: 3 }, { memberId: 'E2', seq: 2 }, { memberId: 'E2', seq: 6 }],
        unmatched: [{ seq: 5, keys: ['email:z@example.com'] }, { seq: 8, keys: ['email:x@example.com'] }],
      }));
      const keys = ['email:x@example.com', 'email:y@example.com', 'email:z@example.com'];
      expect(await rows(['E1', 'E2'], [1, 2, 3, 5, 6, 8], keys)).toEqual({
        seqs: { E1: [1, 3], E2: [2, 6] },
        owners: new Map([[1, 'E1'], [3, 'E1'], [2, 'E2'], [6, 'E2']]),
        unmatched: [5, 8],
        unmatchedCount: 2,
      });
      expect(await store.projections.member('E1')).toEqual(rebuilt1);
      expect(await store.projections.member('E2')).toEqual(rebuilt2);
      expect(await store.projections.checkpoint('statements')).toBe(8);
      expect(await store.projections.checkpoint('identity')).toBe(3);

      // Incremental batches carry on from the rebuilt projection; a second rebuild replaces again.
      await store.projections.commit(batch({
        checkpoints: { statements: 9 },
        members: [{ ...rebuilt1, lastSeq: 9, state: fold(9, 1) }],
        links: [{ memberId: 'E1', seq: 9 }, { memberId: 'E1', seq: 5 }],
        resolved: [5],
      }));
      expect(await rows(['E1', 'E2'], [5, 9], keys)).toEqual({ seqs: { E1: [1, 3, 5, 9], E2: [2, 6] }, owners: new Map([[5, 'E1'], [9, 'E1']]), unmatched: [8], unmatchedCount: 1 });

      await store.projections.commit(batch({ replaceAll: true, checkpoints: { statements: 9, identity: 3 }, links: [{ memberId: 'E2', seq: 9 }], unmatched: [{ seq: 1, keys: ['email:y@example.com'] }] }));
      expect(await rows(['E1', 'E2'], [1, 2, 3, 5, 6, 8, 9], keys)).toEqual({ seqs: { E1: [], E2: [9] }, owners: new Map([[9, 'E2']]), unmatched: [1], unmatchedCount: 1 });
      // A rebuild replaces rows, not members: members it does not name stay.
      expect((await store.projections.member('E1'))?.lastSeq).toBe(9);

      await store.projections.commit(batch({ replaceAll: true, checkpoints: { statements: 9 } }));
      expect(await rows(['E1', 'E2'], [1, 9], keys)).toEqual({ seqs: { E1: [], E2: [] }, owners: new Map(), unmatched: [], unmatchedCount: 0 });
      expect(await store.projections.checkpoint('statements')).toBe(9);
    });
  });
}
