/**
 * The storage contract of erasure (ARCHITECTURE.md §11), shared by every backend: what each
 * aggregate's erase removes and keeps (statements, documents, identity, projection), and the
 * ErasureStore (src/storage/erasure-port.ts). `open` returns a fresh, empty store per test.
 */
import { describe, expect, it } from 'vitest';
import type { AttachmentContent, Store } from '../../src/storage/port.js';
import type { ErasureRecord } from '../../src/storage/erasure-port.js';
import { noErasureCounts } from '../../src/storage/erasure-port.js';
import { freshStoreEachTest } from './fresh-store.js';
import { activity, agent, agentKey, equivalent, ref, statement, verb, voiding } from './statements.contract.js';
import { content as documentContent, stateScope } from './documents.contract.js';
import { employee, row } from './identity.contract.js';
import { batch, content, member } from './projections.contract.js';

const T1 = '2026-01-05T09:00:00.000Z';
const T2 = '2026-01-06T09:00:00.000Z';

const attachment = (text: string, sha2: string): AttachmentContent => ({ sha2, contentType: 'text/plain', body: new TextEncoder().encode(text) });
const withAttachment = (sha2: string) => ({ attachments: [{ usageType: 'http://example.com/usage', display: { en: 'cert' }, contentType: 'text/plain', length: 4, sha2 }] });
const SHA_OWN = 'a'.repeat(64);
const SHA_SHARED = 'b'.repeat(64);

function erasure(id: string, memberId: string, over: Partial<ErasureRecord> = {}): ErasureRecord {
  return {
    id,
    subject: { memberId, keys: [`account:${memberId}`], agents: [`mbox:mailto:${memberId.toLowerCase()}@acme.example`] },
    requestedBy: 'cli',
    requestedAt: T1,
    status: 'running',
    counts: noErasureCounts(),
    finishedAt: null,
    ...over,
  };
}

export function describeErasureContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: erasure contract`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    it(`${name}: erasing statements removes them, their referrers along chains, and what only they used`, async () => {
      const own = statement({ actor: agent('ana'), ...withAttachment(SHA_OWN) });
      const shared = statement({ actor: agent('ana'), verb: verb('completed'), ...withAttachment(SHA_SHARED) });
      const other = statement({ actor: agent('bob'), ...withAttachment(SHA_SHARED) });
      const voids = voiding(own);
      const comment = statement({ actor: agent('carl'), verb: verb('commented'), object: ref(shared.id) });
      const onComment = statement({ actor: agent('dora'), verb: verb('commented'), object: ref(comment.id) });
      await store.attachments.save([attachment('mine', SHA_OWN), attachment('both', SHA_SHARED)]);
      const inserted = await store.statements.insert([own, shared, other, voids, comment, onComment], equivalent);
      if (inserted.kind !== 'stored') throw new Error('not stored');
      const [ownSeq, sharedSeq, otherSeq, voidsSeq, commentSeq, onCommentSeq] = inserted.seqs as [number, number, number, number, number, number];

      const erased = await store.statements.erase([ownSeq, sharedSeq]);
      expect(erased).toEqual({ seqs: [ownSeq, sharedSeq, voidsSeq, commentSeq, onCommentSeq], attachments: 1 });

      expect((await store.statements.readLog(0, 100)).map((r) => r.seq)).toEqual([otherSeq]);
      expect(await store.statements.get(own.id, true)).toBeNull();
      expect(await store.statements.get(shared.id, false)).toBeNull();
      expect(await store.statements.query({ keys: [agentKey('ana')], ascending: true, limit: 10 })).toEqual([]);
      // Carl's and Dora's statements inherited Ana's keys through their StatementRefs: gone with them.
      expect(await store.statements.query({ keys: [agentKey('carl')], ascending: true, limit: 10 })).toEqual([]);
      expect((await store.statements.query({ keys: [agentKey('bob')], ascending: true, limit: 10 })).map((r) => r.id)).toEqual([other.id]);
      expect((await store.attachments.get([SHA_OWN, SHA_SHARED])).map((a) => a.sha2)).toEqual([SHA_SHARED]);
      // Seqs are never given again: the projection's checkpoint may be past the erased ones.
      const later = await store.statements.insert([statement({ actor: agent('bob') })], equivalent);
      expect(later.kind === 'stored' && (later.seqs[0] as number) > onCommentSeq).toBe(true);
    });

    it(`${name}: erasing again, or seqs that were never stored, removes nothing`, async () => {
      const a = statement({ actor: agent('ana') });
      const inserted = await store.statements.insert([a], equivalent);
      if (inserted.kind !== 'stored') throw new Error('not stored');
      await store.statements.erase(inserted.seqs);
      expect(await store.statements.erase(inserted.seqs)).toEqual({ seqs: [], attachments: 0 });
      expect(await store.statements.erase([999])).toEqual({ seqs: [], attachments: 0 });
    });

    it(`${name}: an agent erased and then heard from again is indexed anew`, async () => {
      const first = await store.statements.insert([statement({ actor: agent('ana') })], equivalent);
      if (first.kind !== 'stored') throw new Error('not stored');
      await store.statements.erase(first.seqs);
      const again = statement({ actor: agent('ana'), object: activity('later') });
      await store.statements.insert([again], equivalent);
      expect((await store.statements.query({ keys: [agentKey('ana')], ascending: true, limit: 10 })).map((r) => r.id)).toEqual([again.id]);
    });

    it(`${name}: deleteAgents removes the agents' state and agent-profile documents, nothing else`, async () => {
      const ana = 'mbox:mailto:ana@example.com';
      const anaAccount = 'account:https://hris.acme.example E1001';
      const bob = 'mbox:mailto:bob@example.com';
      const bytes = documentContent('{"x":1}', 'application/json', T1);
      await store.documents.put({ ...stateScope({ agent: ana }), id: 's1' }, bytes, null);
      await store.documents.put({ ...stateScope({ agent: ana, registration: null }), id: 's2' }, bytes, null);
      await store.documents.put({ ...stateScope({ agent: anaAccount }), id: 's3' }, bytes, null);
      await store.documents.put({ resource: 'agent-profile', activityId: null, agent: ana, registration: null, id: 'p1' }, bytes, null);
      await store.documents.put({ ...stateScope({ agent: bob }), id: 's1' }, bytes, null);
      await store.documents.put({ resource: 'agent-profile', activityId: null, agent: bob, registration: null, id: 'p1' }, bytes, null);
      await store.documents.put({ resource: 'activity-profile', activityId: 'http://example.com/activities/intro', agent: null, registration: null, id: 'a1' }, bytes, null);

      expect(await store.documents.deleteAgents([ana, anaAccount])).toBe(4);
      expect(await store.documents.deleteAgents([ana, anaAccount])).toBe(0);
      expect(await store.documents.get({ ...stateScope({ agent: ana }), id: 's1' })).toBeNull();
      expect(await store.documents.get({ resource: 'agent-profile', activityId: null, agent: ana, registration: null, id: 'p1' })).toBeNull();
      expect(await store.documents.get({ ...stateScope({ agent: bob }), id: 's1' })).not.toBeNull();
      expect(await store.documents.get({ resource: 'agent-profile', activityId: null, agent: bob, registration: null, id: 'p1' })).not.toBeNull();
      expect(await store.documents.get({ resource: 'activity-profile', activityId: 'http://example.com/activities/intro', agent: null, registration: null, id: 'a1' })).not.toBeNull();
    });

    it(`${name}: identity erase removes the employee, keys and change entries, and redacts its audit entries`, async () => {
      const ana = employee('E1001', { secondaryEmails: ['ana@old.acme.example'] });
      const bob = employee('E1002');
      await store.identity.upsert(row(ana), 'hris-csv', T1, 'evt-1');
      await store.identity.upsert(row(bob), 'hris-csv', T1);
      await store.identity.upsert(row({ ...ana, jobTitle: 'Lead' }), 'hris-csv', T2);
      const keysOfAna = row(ana).keys;
      const auditBefore = (await store.identity.audit({ employeeId: 'E1001', limit: 100 })).length;

      expect(await store.identity.erase('E1001', 'erased:x1')).toEqual({ keys: keysOfAna.length, auditRedacted: auditBefore });
      expect(await store.identity.get('E1001')).toBeNull();
      expect(await store.identity.holders(keysOfAna)).toEqual(new Map());
      expect((await store.identity.changesSince(0, 100)).map((e) => e.employeeId)).toEqual(['E1002']);
      expect(await store.identity.audit({ employeeId: 'E1001', limit: 100 })).toEqual([]);
      const redacted = await store.identity.audit({ employeeId: 'erased:x1', limit: 100 });
      expect(redacted).toHaveLength(auditBefore);
      for (const entry of redacted) expect(entry).toEqual({ at: expect.any(String), action: expect.any(String), employeeId: 'erased:x1', source: expect.any(String), details: {} });
      expect((await store.identity.audit({ employeeId: 'E1002', limit: 100 })).length).toBeGreaterThan(0);
      // The applied event id went too: the same event applies again (the tombstone, not the store, refuses it).
      expect((await store.identity.upsert(row(ana), 'hris-event:evt-1', T2, 'evt-1')).kind).toBe('created');
      expect(await store.identity.erase('E1001', 'erased:x1')).toEqual({ keys: keysOfAna.length, auditRedacted: 2 });
      expect(await store.identity.erase('E1001', 'erased:x1')).toEqual({ keys: 0, auditRedacted: 0 });
    });

    it(`${name}: projection erase empties the member, pending a DELETE, and drops its links and unmatched rows`, async () => {
      await store.projections.commit(
        batch({
          checkpoints: { statements: 5 },
          members: [member('E1001', { lastSeq: 3, version: 2 }), member('E1002', { lastSeq: 4 })],
          links: [
            { memberId: 'E1001', seq: 1 },
            { memberId: 'E1001', seq: 3 },
            { memberId: 'E1002', seq: 2 },
            { memberId: 'E1002', seq: 4 },
          ],
          unmatched: [
            { seq: 5, keys: ['email:ana@acme.example'] },
            { seq: 6, keys: ['email:zed@acme.example'] },
          ],
        }),
      );
      await store.delivery.markDelivered('E1001', 2, 'none');
      const erased = { ...content('E1001'), email: null, status: 'erased' as const, completions: [], scores: [], badges: [], enrollments: [], certificates: [], skills: [] };
      const outcome = await store.projections.erase({ memberId: 'E1001', seqs: [4], keys: ['email:ana@acme.example'], erased, at: T2 });
      expect(outcome).toEqual({ links: 3, unmatched: 1, profile: true });
      expect(await store.projections.memberSeqs('E1001')).toEqual([]);
      expect(await store.projections.memberSeqs('E1002')).toEqual([2]);
      expect(await store.projections.unmatchedWithKeys(['email:ana@acme.example', 'email:zed@acme.example'])).toEqual([6]);
      const record = await store.projections.member('E1001');
      expect(record).toMatchObject({ content: erased, version: 3, updatedAt: T2 });
      expect(record?.state).toEqual({ activities: {}, badges: {}, certificates: {} });
      expect(await store.delivery.status('E1001')).toMatchObject({ version: 3, deliveredVersion: 2 });
      // No one's profile any more: only the deliverer still sees it, to send the DELETE.
      expect(await store.projections.profile('E1001')).toBeNull();
      expect((await store.projections.profiles({ limit: 10 })).profiles.map((p) => p.memberId)).toEqual(['E1002']);
      expect(await store.delivery.claim('E1001', { token: 't', now: Date.now(), until: Date.now() + 60_000 })).toMatchObject({ version: 3, content: erased });

      // Again: nothing new to send.
      expect(await store.projections.erase({ memberId: 'E1001', seqs: [], keys: [], erased, at: T2 })).toEqual({ links: 0, unmatched: 0, profile: true });
      expect((await store.projections.member('E1001'))?.version).toBe(3);

      expect(await store.projections.remove('E1001')).toBe(true);
      expect(await store.projections.remove('E1001')).toBe(false);
      expect(await store.projections.member('E1001')).toBeNull();
      expect(await store.projections.erase({ memberId: 'E1001', seqs: [], keys: [], erased, at: T2 })).toEqual({ links: 0, unmatched: 0, profile: false });
      expect(await store.projections.member('E1002')).not.toBeNull();
    });

    it(`${name}: projection erase drops a dead letter (its payload sample holds the profile)`, async () => {
      await store.projections.commit(batch({ members: [member('E1001', { version: 1 })] }));
      const lease = { token: 't1', now: 1, until: 60_000 };
      expect(await store.delivery.claim('E1001', lease)).not.toBeNull();
      await store.delivery.markDead('E1001', 't1', { version: 1, attempts: 3, lastError: 'HTTP 400', payloadSample: '{"email":"e1001@acme.example"}', at: T1 });
      expect(await store.delivery.deadLetters({ limit: 10 })).toHaveLength(1);
      const erased = { ...content('E1001'), email: null, status: 'erased' as const };
      await store.projections.erase({ memberId: 'E1001', seqs: [], keys: [], erased, at: T2 });
      expect(await store.delivery.deadLetters({ limit: 10 })).toEqual([]);
      expect(await store.delivery.status('E1001')).toMatchObject({ version: 2, deadVersion: 0, lastError: null });
      expect(await store.delivery.due(Date.now(), 10)).toEqual(['E1001']);
    });

    it(`${name}: erasure records: one running per member, progress, finish forgets the subject`, async () => {
      const first = await store.erasures.begin(erasure('er-1', 'E1001'), ['h1', 'h2']);
      expect(first).toEqual({ kind: 'started', record: erasure('er-1', 'E1001') });
      const again = await store.erasures.begin(erasure('er-2', 'E1001'), ['h1', 'h3']);
      expect(again).toEqual({ kind: 'running', record: erasure('er-1', 'E1001') });
      await store.erasures.begin(erasure('er-3', 'E1002'), ['h4']);
      expect(await store.erasures.tombstoned(['zz', 'h2'])).toBe(true);
      expect(await store.erasures.tombstoned(['h3'])).toBe(false);
      expect(await store.erasures.tombstoneCount()).toBe(3);
      expect((await store.erasures.tombstones()).sort()).toEqual(['h1', 'h2', 'h4']);

      const counts = { ...noErasureCounts(), statements: 12 };
      const subject = { memberId: 'E1001', keys: ['account:E1001'], agents: ['mbox:mailto:a@acme.example', 'mbox:mailto:b@acme.example'] };
      await store.erasures.update('er-1', { status: 'awaiting-marketplace', counts, subject });
      expect(await store.erasures.get('er-1')).toEqual({ ...erasure('er-1', 'E1001'), status: 'awaiting-marketplace', counts, subject });
      expect((await store.erasures.unfinished()).map((r) => r.id)).toEqual(['er-1', 'er-3']);

      await store.erasures.finish('er-1', T2);
      expect(await store.erasures.get('er-1')).toEqual({ ...erasure('er-1', 'E1001'), status: 'done', counts, subject: null, finishedAt: T2 });
      expect((await store.erasures.unfinished()).map((r) => r.id)).toEqual(['er-3']);
      expect((await store.erasures.list({ limit: 10 })).map((r) => r.id)).toEqual(['er-3', 'er-1']);
      expect((await store.erasures.list({ limit: 10, before: 'er-3' })).map((r) => r.id)).toEqual(['er-1']);
      expect(await store.erasures.get('er-9')).toBeNull();
      // Done, the member can be erased again (e.g. a re-hire later erased once more).
      expect((await store.erasures.begin(erasure('er-4', 'E1001'), ['h1'])).kind).toBe('started');
      expect(await store.erasures.tombstoneCount()).toBe(3);
    });

    it(`${name}: the tombstone key is the first one stored`, async () => {
      expect(await store.erasures.tombstoneKey('k1')).toBe('k1');
      expect(await store.erasures.tombstoneKey('k2')).toBe('k1');
    });

    it(`${name}: compact runs on a store in use`, async () => {
      await store.statements.insert([statement()], equivalent);
      await expect(store.compact()).resolves.toBeUndefined();
      expect(await store.statements.maxSeq()).toBe(1);
    });
  });
}
