/**
 * The projector (projections/worker/projector.ts) on a real SQLite store, given/when/then: what
 * one batch folds and commits, versions, voiding, unmatched actors resolved by a later HRIS
 * change, published ids, batch sizes and rebuilds. The fold rules themselves are specified in
 * projections/fold/fold.unit.spec.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pseudonymousMemberId } from '../../projections/identity/keys.js';
import { CHECKPOINT } from '../../projections/worker/projector.js';
import { IDENTITY, PSEUDONYM_KEY, employee, openProjectionBench, type ProjectionBench } from './support.js';

type Json = Record<string, unknown>;

const ADL = 'http://adlnet.gov/expapi/verbs/';
const SAFETY = 'https://lms.example.com/courses/workplace-safety-101';
const TS = 'https://lms.example.com/courses/typescript-fundamentals';
const at = (minute: number) => new Date(Date.parse('2026-03-01T09:00:00.000Z') + minute * 60_000).toISOString();

function statement(actor: Json, verb: string, activity: string, minute: number, more: Json = {}): Json {
  return { id: randomUUID(), actor: { objectType: 'Agent', ...actor }, verb: { id: `${ADL}${verb}` }, object: { objectType: 'Activity', id: activity }, timestamp: at(minute), ...more };
}
const by = (email: string) => ({ mbox: `mailto:${email}` });
const voiding = (target: string, minute: number): Json => ({
  actor: by('admin@acme.example'),
  verb: { id: `${ADL}voided` },
  object: { objectType: 'StatementRef', id: target },
  timestamp: at(minute),
});

let bench: ProjectionBench;
beforeEach(() => {
  bench = openProjectionBench();
});
afterEach(async () => bench.close());

const member = async (id: string) => bench.store.projections.member(id);

describe('one batch', () => {
  it('given an employee and their statements, when a batch runs, then their profile has them at version 1 and both checkpoints advance', async () => {
    await bench.hire(employee('E1'));
    await bench.post([statement(by('e1@acme.example'), 'completed', SAFETY, 1), statement(by('e1@acme.example'), 'scored', TS, 2, { result: { score: { raw: 70 } } })]);
    expect(await bench.projector.runBatch()).toEqual({ statements: 2, employees: 1, membersChanged: 1 });
    const e1 = await member('E1');
    expect(e1).toMatchObject({ memberId: 'E1', publishedId: 'E1', version: 1, lastSeq: 2 });
    expect(e1?.content).toMatchObject({ member_id: 'E1', email: 'e1@acme.example', status: 'active' });
    expect(e1?.content.completions.map((c) => c.activity_id)).toEqual([SAFETY]);
    expect(e1?.content.scores.map((s) => [s.activity_id, s.score])).toEqual([[TS, 70]]);
    expect(await bench.store.projections.memberSeqs('E1')).toEqual([1, 2]);
    expect(await bench.store.projections.checkpoint(CHECKPOINT.statements)).toBe(2);
    expect(await bench.store.projections.checkpoint(CHECKPOINT.identity)).toBeGreaterThan(0);
    expect(await bench.projector.runBatch()).toEqual({ statements: 0, employees: 0, membersChanged: 0 });
  });

  it('reads at most `limit` statements per batch and continues from its checkpoint', async () => {
    await bench.hire(employee('E1'));
    await bench.post([1, 2, 3, 4, 5].map((m) => statement(by('e1@acme.example'), 'scored', SAFETY, m, { result: { score: { raw: m } } })));
    expect((await bench.projector.runBatch(2)).statements).toBe(2);
    expect(await bench.store.projections.checkpoint(CHECKPOINT.statements)).toBe(2);
    expect((await member('E1'))?.content.scores[0]?.attempts).toBe(2);
    await bench.drain(2);
    expect((await member('E1'))?.content.scores[0]).toMatchObject({ score: 5, attempts: 5 });
  });
});

describe('versions', () => {
  beforeEach(async () => {
    await bench.hire(employee('E1'));
    await bench.post([statement(by('e1@acme.example'), 'completed', SAFETY, 1)]);
    await bench.drain();
  });

  it('given a statement that changes no section, then version and updated_at stay while lastSeq advances', async () => {
    const before = await member('E1');
    await bench.post([statement(by('e1@acme.example'), 'experienced', TS, 2)]);
    expect((await bench.projector.runBatch()).membersChanged).toBe(0);
    const after = await member('E1');
    expect(after).toMatchObject({ version: before?.version, updatedAt: before?.updatedAt, content: before?.content, lastSeq: 2 });
  });

  it('given a statement that changes the content, then the version rises by one and updated_at moves', async () => {
    const before = await member('E1');
    await bench.post([statement(by('e1@acme.example'), 'completed', TS, 2)]);
    expect((await bench.projector.runBatch()).membersChanged).toBe(1);
    const after = await member('E1');
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    expect(String(after?.updatedAt) > String(before?.updatedAt)).toBe(true);
  });

  it('given an HRIS change of the member (terminated), then the profile says so at the next version', async () => {
    await bench.hire(employee('E1', { status: 'terminated' }));
    await bench.drain();
    expect(await member('E1')).toMatchObject({ version: 2, content: { status: 'terminated' } });
  });
});

describe('voiding', () => {
  it('given a statement voided in a later batch, then the member is refolded without it', async () => {
    await bench.hire(employee('E1'));
    const [, scored] = await bench.post([statement(by('e1@acme.example'), 'completed', SAFETY, 1), statement(by('e1@acme.example'), 'scored', SAFETY, 2, { result: { score: { raw: 90 } } })]);
    await bench.drain();
    expect((await member('E1'))?.content.scores).toHaveLength(1);
    await bench.post([voiding(scored as string, 3)]);
    await bench.drain();
    const e1 = await member('E1');
    expect(e1?.content.scores).toEqual([]);
    expect(e1?.content.completions.map((c) => c.activity_id)).toEqual([SAFETY]);
    expect(e1?.version).toBe(2);
  });

  it('given a statement and its voiding in one batch, then it never counts', async () => {
    await bench.hire(employee('E1'));
    const completed = statement(by('e1@acme.example'), 'completed', SAFETY, 1);
    await bench.post([completed, statement(by('e1@acme.example'), 'launched', TS, 2), voiding(completed.id as string, 3)]);
    await bench.drain();
    const e1 = await member('E1');
    expect(e1?.content.completions).toEqual([]);
    expect(e1?.content.enrollments.map((e) => e.activity_id)).toEqual([TS]);
    expect(e1?.version).toBe(1);
  });

  it('given a voided statement of an actor nobody is, then nothing changes', async () => {
    await bench.hire(employee('E1'));
    const stranger = statement(by('stranger@elsewhere.example'), 'completed', SAFETY, 1);
    await bench.post([stranger]);
    await bench.drain();
    await bench.post([voiding(stranger.id as string, 2)]);
    expect((await bench.projector.runBatch()).membersChanged).toBe(0);
  });
});

describe('identity', () => {
  it('given statements of an actor nobody is yet, then they wait as unmatched and are folded once an HRIS change makes them resolvable', async () => {
    await bench.post([statement(by('newhire@acme.example'), 'completed', SAFETY, 1), statement(by('newhire@acme.example'), 'completed', TS, 2)]);
    await bench.drain();
    expect(await bench.store.projections.unmatchedCount()).toBe(2);
    expect(await member('E9')).toBeNull();
    await bench.hire(employee('E9', { email: 'NewHire@acme.example' }));
    await bench.drain();
    expect((await member('E9'))?.content.completions.map((c) => c.activity_id)).toEqual([TS, SAFETY]);
    expect(await bench.store.projections.memberSeqs('E9')).toEqual([1, 2]);
    expect(await bench.store.projections.unmatchedCount()).toBe(0);
  });

  it('an actor resolves by HRIS account, by an email at an alias domain and by mbox_sha1sum, all to the same member', async () => {
    await bench.hire(employee('E1'));
    await bench.post([
      statement({ account: { homePage: IDENTITY.hrisAccountHomePage, name: 'E1' } }, 'completed', SAFETY, 1),
      statement(by('E1+lms@old.acme.example'), 'completed', TS, 2),
      statement({ mbox_sha1sum: '0'.repeat(40) }, 'completed', 'https://lms.example.com/courses/negotiation', 3), // nobody's
    ]);
    await bench.drain();
    expect((await member('E1'))?.content.completions.map((c) => c.activity_id)).toEqual([TS, SAFETY]);
    expect(await bench.store.projections.unmatchedCount()).toBe(1);
  });

  it('a contractor is published under a keyed pseudonym and without email; an employee under the employee id with the email lower-cased', async () => {
    await bench.hire(employee('E1', { email: 'Ana.Lopez@acme.example' }));
    await bench.hire(employee('C7', { workerType: 'contractor' }));
    await bench.drain();
    const contractor = await member('C7');
    expect(contractor?.publishedId).toBe(pseudonymousMemberId('C7', PSEUDONYM_KEY));
    expect(contractor?.publishedId).not.toBe('C7');
    expect(contractor?.content).toMatchObject({ member_id: contractor?.publishedId, email: null });
    expect((await member('E1'))?.content).toMatchObject({ member_id: 'E1', email: 'ana.lopez@acme.example' });
  });
});

describe('batch sizes and rebuilds', () => {
  async function scenario(target: ProjectionBench, batchSize: number): Promise<unknown[]> {
    await target.hire(employee('E1'));
    await target.hire(employee('E2'));
    const posted = await target.post([
      statement(by('e1@acme.example'), 'registered', SAFETY, 1),
      statement(by('e2@acme.example'), 'scored', TS, 2, { result: { score: { scaled: 0.4 } } }),
      statement(by('e1@acme.example'), 'passed', SAFETY, 3, { result: { score: { scaled: 0.8 } } }),
      statement(by('e3@acme.example'), 'completed', TS, 4),
      statement(by('e2@acme.example'), 'scored', TS, 5, { result: { score: { scaled: 0.9 } } }),
    ]);
    await target.drain(batchSize);
    await target.hire(employee('E3'));
    await target.post([voiding(posted[4] as string, 6), statement(by('e1@acme.example'), 'completed', TS, 7)]);
    await target.drain(batchSize);
    return Promise.all(['E1', 'E2', 'E3'].map(async (id) => (await target.store.projections.member(id))?.content));
  }

  it('given the same log, batches of one statement give the same profiles as one large batch', async () => {
    const other = openProjectionBench();
    try {
      const large = await scenario(bench, 500);
      expect(await scenario(other, 1)).toEqual(large);
      expect(large.map((c) => (c as { scores: unknown[] }).scores.length)).toEqual([1, 1, 0]);
    } finally {
      await other.close();
    }
  });

  it('rebuildAll recomputes every member from the log and raises no version where the content is the same', async () => {
    const contents = await scenario(bench, 500);
    const versions = await Promise.all(['E1', 'E2', 'E3'].map(async (id) => (await member(id))?.version));
    expect(await bench.projector.rebuildAll(2)).toMatchObject({ statements: 7, employees: 3, membersChanged: 0 });
    expect(await Promise.all(['E1', 'E2', 'E3'].map(async (id) => (await member(id))?.content))).toEqual(contents);
    expect(await Promise.all(['E1', 'E2', 'E3'].map(async (id) => (await member(id))?.version))).toEqual(versions);
    expect(await bench.store.projections.memberSeqs('E2')).toEqual([2, 5]);
  });

  it('rebuildMember refolds a known member and answers false for an unknown one', async () => {
    const contents = await scenario(bench, 500);
    expect(await bench.projector.rebuildMember('E2')).toBe(true);
    expect((await member('E2'))?.content).toEqual(contents[1]);
    expect(await bench.projector.rebuildMember('E404')).toBe(false);
  });
});
