/**
 * The storage contract for StatementStore (src/storage/port.ts), shared by every backend
 * (ARCHITECTURE.md §3). Each backend's spec calls
 * `describeStatementStoreContract(name, open)`; `open` returns a fresh, empty store per test.
 *
 * Statements are built with the real key extraction (lrs/statements/keys.ts); equivalence is
 * a simple deep-equal ignoring `stored` and `authority` (the real comparison lives elsewhere).
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isVoiding, key, statementKeys, statementRefTarget } from '../../lrs/statements/keys.js';
import type { Equivalence, NewStatement, StatementQuery, StatementRecord, Store } from '../../src/storage/port.js';
import { freshStoreEachTest } from './fresh-store.js';

type Json = Record<string, unknown>;

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const AUTHORITY = { objectType: 'Agent', mbox: 'mailto:lrs@example.com' };
const T0 = '2024-05-01T10:00:00.000Z';

export const agent = (name: string): Json => ({ objectType: 'Agent', mbox: `mailto:${name}@example.com` });
export const verb = (name: string): Json => ({ id: `http://adlnet.gov/expapi/verbs/${name}` });
export const activity = (name: string): Json => ({ objectType: 'Activity', id: `http://example.com/activities/${name}` });
export const ref = (id: string): Json => ({ objectType: 'StatementRef', id });

export const agentKey = (name: string) => key.agent(`mbox:mailto:${name}@example.com`);
export const verbKey = (name: string) => key.verb(`http://adlnet.gov/expapi/verbs/${name}`);
export const activityKey = (name: string) => key.activity(`http://example.com/activities/${name}`);

/** A stored-form statement as the write path would hand it to the store. */
export function statement(body: Json = {}, stored = T0): NewStatement {
  const id = String(body.id ?? randomUUID()).toLowerCase();
  const s: Json = {
    actor: agent('ana'),
    verb: verb('experienced'),
    object: activity('intro'),
    ...body,
    id,
    timestamp: body.timestamp ?? stored,
    stored,
    authority: AUTHORITY,
    version: '1.0.0',
  };
  return { id, statement: s, keys: statementKeys(s), refTarget: statementRefTarget(s), voiding: isVoiding(s) };
}

export function voiding(target: NewStatement | string, stored = T0): NewStatement {
  const id = typeof target === 'string' ? target : target.id;
  return statement({ actor: agent('admin'), verb: { id: VOIDED }, object: ref(id) }, stored);
}

/** The same statement sent again: same content, a later `stored` and another authority. */
function resent(s: NewStatement, stored = '2024-05-02T00:00:00.000Z'): NewStatement {
  const statementBody = { ...s.statement, stored, authority: { objectType: 'Agent', mbox: 'mailto:other@example.com' } };
  return { ...s, statement: statementBody };
}

export const equivalent: Equivalence = (stored, sent) => {
  const strip = ({ stored: _s, authority: _a, ...rest }: Json) => rest;
  return isDeepStrictEqual(strip(stored), strip(sent));
};

function at(minute: number): string {
  return new Date(Date.parse(T0) + minute * 60_000).toISOString();
}

const ids = (records: StatementRecord[]) => records.map((r) => r.id);

/** Every field of a record, both views included, as a plain object (records keep a view behind a getter). */
export function recordFields(r: StatementRecord) {
  return { seq: r.seq, id: r.id, voided: r.voided, stored: r.stored, statement: r.statement, json: r.json };
}

export function describeStatementStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`StatementStore contract: ${name}`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    const insert = (...batch: NewStatement[]) => store.statements.insert(batch, equivalent);
    const query = (q: Partial<StatementQuery> = {}) =>
      store.statements.query({ keys: [], ascending: false, limit: 100, ...q });
    async function storeAll(...batch: NewStatement[]): Promise<number[]> {
      const outcome = await insert(...batch);
      if (outcome.kind !== 'stored') throw new Error(`expected stored, got ${JSON.stringify(outcome)}`);
      return outcome.seqs;
    }

    describe(`${name}: insert and get`, () => {
      it(`${name}: stores a batch in order with increasing seqs and gets each statement back as sent`, async () => {
        const a = statement();
        const b = statement({ verb: verb('completed') });
        const seqs = await storeAll(a, b);
        expect(seqs).toHaveLength(2);
        expect(seqs[0]).toBeGreaterThan(0);
        expect(seqs[1]).toBeGreaterThan(seqs[0] as number);

        const got = await store.statements.get(a.id, false);
        expect(got && recordFields(got)).toEqual({ seq: seqs[0], id: a.id, statement: a.statement, voided: false, stored: T0, json: expect.any(String) });
        expect(JSON.parse(got?.json as string)).toEqual(a.statement);
        expect((await store.statements.get(b.id, false))?.seq).toBe(seqs[1]);
      });

      it(`${name}: finds a statement by an upper-case id and returns null for an unknown id`, async () => {
        const a = statement();
        await storeAll(a);
        expect((await store.statements.get(a.id.toUpperCase(), false))?.id).toBe(a.id);
        expect(await store.statements.get(randomUUID(), false)).toBeNull();
      });

      it(`${name}: seqs keep increasing across batches`, async () => {
        const [first] = await storeAll(statement());
        const [second, third] = await storeAll(statement(), statement());
        expect(second).toBeGreaterThan(first as number);
        expect(third).toBeGreaterThan(second as number);
      });

      it(`${name}: an empty batch stores nothing`, async () => {
        expect(await insert()).toEqual({ kind: 'stored', seqs: [] });
        expect(await store.statements.maxSeq()).toBe(0);
      });
    });

    describe(`${name}: get voided vs non-voided`, () => {
      it(`${name}: a voided statement is found only when a voided one is asked for`, async () => {
        const a = statement();
        const v = voiding(a);
        await storeAll(a);
        expect(await store.statements.get(a.id, true)).toBeNull();
        await storeAll(v);
        expect(await store.statements.get(a.id, false)).toBeNull();
        expect(await store.statements.get(a.id, true)).toMatchObject({ id: a.id, voided: true, statement: a.statement });
        expect(await store.statements.get(v.id, false)).toMatchObject({ id: v.id, voided: false });
        expect(await store.statements.get(v.id, true)).toBeNull();
      });
    });

    describe(`${name}: all-or-nothing batches`, () => {
      it(`${name}: a conflict anywhere in the batch stores nothing of it`, async () => {
        const a = statement();
        await storeAll(a);
        const before = await store.statements.maxSeq();
        const b = statement();
        const changed = statement({ id: a.id, verb: verb('completed') });
        const c = statement();
        expect(await insert(b, changed, c)).toEqual({ kind: 'conflict', id: a.id });
        expect(await store.statements.get(b.id, false)).toBeNull();
        expect(await store.statements.get(c.id, false)).toBeNull();
        expect(await store.statements.maxSeq()).toBe(before);
        expect(ids(await query())).toEqual([a.id]);
        expect((await store.statements.get(a.id, false))?.statement).toEqual(a.statement);
      });

      it(`${name}: a rejected batch leaves no voiding and no key inheritance behind`, async () => {
        const a = statement({ actor: agent('bob') });
        const other = statement();
        await storeAll(a, other);
        const v = voiding(a);
        const referrer = statement({ actor: agent('carol'), verb: verb('commented'), object: ref(other.id) });
        const changed = statement({ id: other.id, verb: verb('completed') });
        expect(await insert(v, referrer, changed)).toEqual({ kind: 'conflict', id: other.id });
        expect(await store.statements.get(a.id, false)).not.toBeNull();
        expect(await store.statements.get(v.id, false)).toBeNull();
        expect(await store.statements.get(referrer.id, false)).toBeNull();
        expect(ids(await query({ keys: [agentKey('carol')] }))).toEqual([]);
      });

      it(`${name}: two statements with the same id in one batch conflict unless equivalent`, async () => {
        const a = statement();
        const different = statement({ id: a.id, verb: verb('completed') });
        expect(await insert(a, different)).toEqual({ kind: 'conflict', id: a.id });
        expect(await store.statements.maxSeq()).toBe(0);
        const [first, again] = await storeAll(a, resent(a));
        expect(again).toBe(first);
      });
    });

    describe(`${name}: equivalent re-sends`, () => {
      it(`${name}: an equivalent re-sent statement is accepted unchanged with the stored seq`, async () => {
        const a = statement();
        const [seq] = await storeAll(a);
        const max = await store.statements.maxSeq();
        expect(await insert(resent(a))).toEqual({ kind: 'stored', seqs: [seq] });
        expect(await store.statements.maxSeq()).toBe(max);
        expect((await store.statements.get(a.id, false))?.statement).toEqual(a.statement);
      });

      it(`${name}: a batch mixing re-sent and new statements stores only the new ones`, async () => {
        const a = statement();
        const [seqA] = await storeAll(a);
        const b = statement();
        const [again, seqB] = await storeAll(resent(a), b);
        expect(again).toBe(seqA);
        expect(seqB).toBeGreaterThan(seqA as number);
        expect(ids(await query({ ascending: true }))).toEqual([a.id, b.id]);
      });

      it(`${name}: re-sending a voided statement is accepted and it stays voided`, async () => {
        const a = statement();
        const [seq] = await storeAll(a);
        await storeAll(voiding(a));
        expect(await insert(resent(a))).toEqual({ kind: 'stored', seqs: [seq] });
        expect(await store.statements.get(a.id, true)).not.toBeNull();
      });
    });

    describe(`${name}: voiding`, () => {
      it(`${name}: a voiding statement marks its target voided`, async () => {
        const a = statement();
        const v = voiding(a);
        await storeAll(a);
        await storeAll(v);
        expect((await store.statements.get(a.id, true))?.voided).toBe(true);
        expect(ids(await query())).toEqual([v.id]);
      });

      it(`${name}: a target stored after its voiding statement is stored voided`, async () => {
        const a = statement();
        const v = voiding(a);
        await storeAll(v);
        expect(await store.statements.get(v.id, false)).not.toBeNull();
        await storeAll(a);
        expect(await store.statements.get(a.id, false)).toBeNull();
        expect((await store.statements.get(a.id, true))?.voided).toBe(true);
      });

      it(`${name}: voiding and target in one batch, in either order`, async () => {
        const a = statement();
        const b = statement();
        await storeAll(a, voiding(a));
        await storeAll(voiding(b), b);
        expect(await store.statements.get(a.id, true)).not.toBeNull();
        expect(await store.statements.get(b.id, true)).not.toBeNull();
        expect(await store.statements.get(a.id, false)).toBeNull();
        expect(await store.statements.get(b.id, false)).toBeNull();
      });

      it(`${name}: a voiding statement that targets a voiding statement is rejected`, async () => {
        const a = statement();
        const v1 = voiding(a);
        await storeAll(a, v1);
        const v2 = voiding(v1);
        expect(await insert(v2)).toEqual({ kind: 'voids-voiding', id: v2.id, target: v1.id });
        expect(await store.statements.get(v2.id, false)).toBeNull();
        expect(await store.statements.get(v1.id, false)).not.toBeNull();
      });

      it(`${name}: voids-voiding inside one batch rejects the whole batch`, async () => {
        const a = statement();
        const v1 = voiding(a);
        const v2 = voiding(v1);
        expect(await insert(a, v1, v2)).toEqual({ kind: 'voids-voiding', id: v2.id, target: v1.id });
        expect(await store.statements.maxSeq()).toBe(0);
        expect(await store.statements.get(a.id, false)).toBeNull();
      });

      it(`${name}: a non-voiding StatementRef to a voiding statement is accepted`, async () => {
        const a = statement();
        const v = voiding(a);
        await storeAll(a, v);
        const comment = statement({ verb: verb('commented'), object: ref(v.id) });
        await storeAll(comment);
        expect(await store.statements.get(v.id, false)).not.toBeNull();
        expect(await store.statements.get(comment.id, false)).not.toBeNull();
      });
    });

    describe(`${name}: StatementRef key inheritance`, () => {
      const target = () => statement({ actor: agent('bob'), object: activity('course') });
      const referrerOf = (t: NewStatement, who = 'carol') =>
        statement({ actor: agent(who), verb: verb('commented'), object: ref(t.id) });

      it(`${name}: a referrer stored after its target inherits the target's keys`, async () => {
        const t = target();
        const r = referrerOf(t);
        await storeAll(t);
        await storeAll(r);
        expect(ids(await query({ keys: [agentKey('bob')], ascending: true }))).toEqual([t.id, r.id]);
        expect(ids(await query({ keys: [activityKey('course')], ascending: true }))).toEqual([t.id, r.id]);
        expect(ids(await query({ keys: [agentKey('carol')] }))).toEqual([r.id]);
      });

      it(`${name}: a referrer stored before its target gets the target's keys when it arrives`, async () => {
        const t = target();
        const r = referrerOf(t);
        await storeAll(r);
        expect(ids(await query({ keys: [agentKey('bob')] }))).toEqual([]);
        await storeAll(t);
        expect(ids(await query({ keys: [agentKey('bob')], ascending: true }))).toEqual([r.id, t.id]);
        expect(ids(await query({ keys: [agentKey('bob'), agentKey('carol')] }))).toEqual([r.id]);
      });

      it(`${name}: referrer and target in one batch, in either order`, async () => {
        const t1 = target();
        const r1 = referrerOf(t1);
        const t2 = statement({ actor: agent('dan') });
        const r2 = referrerOf(t2, 'erin');
        await storeAll(t1, r1);
        await storeAll(r2, t2);
        expect(ids(await query({ keys: [agentKey('bob')], ascending: true }))).toEqual([t1.id, r1.id]);
        expect(ids(await query({ keys: [agentKey('dan')], ascending: true }))).toEqual([r2.id, t2.id]);
      });

      it(`${name}: keys flow along a chain whatever the arrival order`, async () => {
        // c → r → t: c refers to r, which refers to t.
        const orders: [string, string, string][] = [
          ['t', 'r', 'c'],
          ['c', 'r', 't'],
          ['r', 'c', 't'],
          ['c', 't', 'r'],
          ['t', 'c', 'r'],
        ];
        for (const [i, order] of orders.entries()) {
          const t = statement({ actor: agent(`bob${i}`), object: activity(`course${i}`) });
          const r = referrerOf(t, `carol${i}`);
          const c = statement({ actor: agent(`dave${i}`), verb: verb('commented'), object: ref(r.id) });
          const byName: Record<string, NewStatement> = { t, r, c };
          for (const n of order) await storeAll(byName[n] as NewStatement);
          const sorted = (xs: string[]) => [...xs].sort();
          expect(sorted(ids(await query({ keys: [agentKey(`bob${i}`)] }))), `order ${order.join('')}`).toEqual(sorted([t.id, r.id, c.id]));
          expect(sorted(ids(await query({ keys: [activityKey(`course${i}`)] }))), `order ${order.join('')}`).toEqual(sorted([t.id, r.id, c.id]));
          expect(sorted(ids(await query({ keys: [agentKey(`carol${i}`)] }))), `order ${order.join('')}`).toEqual(sorted([r.id, c.id]));
          expect(ids(await query({ keys: [agentKey(`dave${i}`)] })), `order ${order.join('')}`).toEqual([c.id]);
        }
      });

      it(`${name}: a chain inside one batch, referrers first`, async () => {
        const t = target();
        const r = referrerOf(t);
        const c = statement({ actor: agent('dave'), verb: verb('commented'), object: ref(r.id) });
        await storeAll(c, r, t);
        expect(ids(await query({ keys: [agentKey('bob')], ascending: true }))).toEqual([c.id, r.id, t.id]);
      });

      it(`${name}: a voiding statement inherits its target's keys and is found by them`, async () => {
        const t = target();
        const v = voiding(t);
        await storeAll(t, v);
        expect(ids(await query({ keys: [agentKey('bob')] }))).toEqual([v.id]);
      });
    });

    describe(`${name}: queries`, () => {
      async function fixture() {
        const s1 = statement({ actor: agent('ana'), verb: verb('completed'), object: activity('a') }, at(1));
        const s2 = statement({ actor: agent('ana'), verb: verb('attempted'), object: activity('b') }, at(2));
        const s3 = statement({ actor: agent('bob'), verb: verb('completed'), object: activity('a') }, at(3));
        const s4 = statement({ actor: agent('ana'), verb: verb('completed'), object: activity('b') }, at(4));
        const s5 = statement({ actor: agent('bob'), verb: verb('attempted'), object: activity('a') }, at(5));
        await storeAll(s1, s2);
        await storeAll(s3);
        await storeAll(s4, s5);
        return { s1, s2, s3, s4, s5 };
      }

      it(`${name}: no keys returns every statement, newest first by default`, async () => {
        const { s1, s2, s3, s4, s5 } = await fixture();
        expect(ids(await query())).toEqual([s5.id, s4.id, s3.id, s2.id, s1.id]);
        expect(ids(await query({ ascending: true }))).toEqual([s1.id, s2.id, s3.id, s4.id, s5.id]);
      });

      it(`${name}: a single key`, async () => {
        const { s1, s2, s4 } = await fixture();
        expect(ids(await query({ keys: [agentKey('ana')] }))).toEqual([s4.id, s2.id, s1.id]);
        expect(ids(await query({ keys: [agentKey('nobody')] }))).toEqual([]);
      });

      it(`${name}: several keys must all match`, async () => {
        const { s1, s3, s4 } = await fixture();
        expect(ids(await query({ keys: [agentKey('ana'), verbKey('completed')] }))).toEqual([s4.id, s1.id]);
        expect(ids(await query({ keys: [verbKey('completed'), activityKey('a')], ascending: true }))).toEqual([s1.id, s3.id]);
        expect(ids(await query({ keys: [agentKey('ana'), verbKey('completed'), activityKey('a')] }))).toEqual([s1.id]);
        expect(ids(await query({ keys: [agentKey('ana'), agentKey('bob')] }))).toEqual([]);
      });

      it(`${name}: since is exclusive and until inclusive on stored`, async () => {
        const { s1, s2, s3, s4, s5 } = await fixture();
        expect(ids(await query({ since: at(1) }))).toEqual([s5.id, s4.id, s3.id, s2.id]);
        expect(ids(await query({ until: at(2), ascending: true }))).toEqual([s1.id, s2.id]);
        expect(ids(await query({ since: at(2), until: at(4), ascending: true }))).toEqual([s3.id, s4.id]);
        expect(ids(await query({ since: at(2), until: at(4), keys: [agentKey('ana')] }))).toEqual([s4.id]);
        expect(ids(await query({ since: at(5) }))).toEqual([]);
      });

      it(`${name}: paging with afterSeq, descending`, async () => {
        const { s1, s2, s3, s4, s5 } = await fixture();
        const page1 = await query({ limit: 2 });
        expect(ids(page1)).toEqual([s5.id, s4.id]);
        const page2 = await query({ limit: 2, afterSeq: page1.at(-1)?.seq });
        expect(ids(page2)).toEqual([s3.id, s2.id]);
        const page3 = await query({ limit: 2, afterSeq: page2.at(-1)?.seq });
        expect(ids(page3)).toEqual([s1.id]);
        expect(await query({ limit: 2, afterSeq: page3.at(-1)?.seq })).toEqual([]);
      });

      it(`${name}: paging with afterSeq, ascending, with a key`, async () => {
        const { s1, s2, s4 } = await fixture();
        const page1 = await query({ keys: [agentKey('ana')], ascending: true, limit: 2 });
        expect(ids(page1)).toEqual([s1.id, s2.id]);
        const page2 = await query({ keys: [agentKey('ana')], ascending: true, limit: 2, afterSeq: page1.at(-1)?.seq });
        expect(ids(page2)).toEqual([s4.id]);
      });

      it(`${name}: maxSeq pins the result set to the statements present at the first page`, async () => {
        const { s1, s2, s3, s4, s5 } = await fixture();
        const pin = await store.statements.maxSeq();
        const page1 = await query({ limit: 2, maxSeq: pin });
        expect(ids(page1)).toEqual([s5.id, s4.id]);
        const late = statement({ actor: agent('ana') }, at(6));
        await storeAll(late);
        expect(ids(await query({ limit: 10, maxSeq: pin }))).toEqual([s5.id, s4.id, s3.id, s2.id, s1.id]);
        expect(ids(await query({ limit: 10, maxSeq: pin, afterSeq: page1.at(-1)?.seq }))).toEqual([s3.id, s2.id, s1.id]);
        expect(ids(await query({ keys: [agentKey('ana')], ascending: true, maxSeq: pin, afterSeq: page1.at(0)?.seq }))).toEqual([]);
        expect(ids(await query({ keys: [agentKey('ana')], limit: 1 }))).toEqual([late.id]);
      });

      it(`${name}: limit caps the result`, async () => {
        const { s1, s5 } = await fixture();
        expect(ids(await query({ limit: 1 }))).toEqual([s5.id]);
        expect(ids(await query({ limit: 1, ascending: true }))).toEqual([s1.id]);
        expect(await query({ limit: 50 })).toHaveLength(5);
        expect(await query({ limit: 0 })).toEqual([]);
      });

      it(`${name}: query results carry seq, id, stored, the statement (parsed and as JSON text) and voided false`, async () => {
        const { s1 } = await fixture();
        const [first] = await query({ ascending: true, limit: 1 });
        expect(first && recordFields(first)).toEqual({ seq: expect.any(Number), id: s1.id, statement: s1.statement, voided: false, stored: s1.statement.stored, json: expect.any(String) });
        expect(JSON.parse(first?.json as string)).toEqual(s1.statement);
        expect(first?.seq).toBe((await store.statements.get(s1.id, false))?.seq);
      });

      it(`${name}: voided statements are excluded, with and without keys`, async () => {
        const { s1, s2, s3, s4, s5 } = await fixture();
        const v = voiding(s4, at(7));
        await storeAll(v);
        expect(ids(await query())).toEqual([v.id, s5.id, s3.id, s2.id, s1.id]);
        // The voiding statement inherits s4's keys, so it is found where s4 no longer is.
        expect(ids(await query({ keys: [agentKey('ana')] }))).toEqual([v.id, s2.id, s1.id]);
        expect(ids(await query({ keys: [verbKey('completed'), agentKey('ana')] }))).toEqual([v.id, s1.id]);
        expect(ids(await query({ keys: [activityKey('b')] }))).toEqual([v.id, s2.id]);
        // Paging over a voided statement neither stops nor skips the page.
        expect(ids(await query({ limit: 2, afterSeq: (await store.statements.get(s5.id, false))?.seq }))).toEqual([s3.id, s2.id]);
      });
    });

    describe(`${name}: maxSeq`, () => {
      it(`${name}: is 0 when empty, then the highest stored seq, unchanged by rejected batches`, async () => {
        expect(await store.statements.maxSeq()).toBe(0);
        const a = statement();
        const seqs = await storeAll(a, statement(), statement());
        expect(await store.statements.maxSeq()).toBe(seqs[2]);
        expect((await insert(statement(), statement({ id: a.id, verb: verb('completed') }))).kind).toBe('conflict');
        expect(await store.statements.maxSeq()).toBe(seqs[2]);
        const [next] = await storeAll(statement());
        expect(await store.statements.maxSeq()).toBe(next);
      });
    });

    describe(`${name}: the log the projection follows`, () => {
      it(`${name}: readLog returns every statement above a seq in seq order, voided ones included`, async () => {
        const a = statement();
        const b = statement();
        const seqs = await storeAll(a, b, voiding(a));
        const log = await store.statements.readLog(0, 10);
        expect(log.map((r) => r.seq)).toEqual(seqs);
        expect(log.map((r) => r.voided)).toEqual([true, false, false]);
        expect((await store.statements.readLog(seqs[0] as number, 1)).map((r) => r.id)).toEqual([b.id]);
        expect(await store.statements.readLog(seqs[2] as number, 10)).toEqual([]);
      });

      it(`${name}: getBySeqs returns those statements in seq order and skips unknown seqs`, async () => {
        const a = statement();
        const b = statement();
        const [sa, sb] = await storeAll(a, b, voiding(b));
        const found = await store.statements.getBySeqs([sb as number, 999_999, sa as number]);
        expect(found.map((r) => [r.id, r.voided])).toEqual([[a.id, false], [b.id, true]]);
        expect(await store.statements.getBySeqs([])).toEqual([]);
      });
    });
  });
}
