/**
 * The storage contract for DocumentStore and ActivityStore (src/storage/port.ts), shared by
 * every backend (ARCHITECTURE.md §3). Each backend's spec calls
 * `describeDocumentStoreContract(name, open)`; `open` returns a fresh, empty store per test.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DocumentContent, DocumentKey, DocumentScope, Store } from '../../src/storage/port.js';
import { freshStoreEachTest } from './fresh-store.js';
import { mergeDefinition } from '../../lrs/activities/definition.js';

const T0 = '2024-05-01T10:00:00.000Z';
const at = (minute: number) => new Date(Date.parse(T0) + minute * 60_000).toISOString();

const ACTIVITY = 'http://example.com/activities/intro';
const AGENT = 'mbox:mailto:ana@example.com';
const REGISTRATION = '6f1b9c3e-0d8a-4b53-9c61-4c1f0b8e2a10';

export const stateScope = (over: Partial<DocumentScope> = {}): DocumentScope => ({
  resource: 'state',
  activityId: ACTIVITY,
  agent: AGENT,
  registration: null,
  ...over,
});
const stateKey = (id: string, over: Partial<DocumentScope> = {}): DocumentKey => ({ ...stateScope(over), id });

export function content(bytes: Uint8Array | string, contentType = 'application/octet-stream', updated = T0): DocumentContent {
  const contents = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return { contentType, contents, etag: createHash('sha1').update(contents).digest('hex'), updated };
}

export function describeDocumentStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    async function create(key: DocumentKey, c: DocumentContent = content('{}', 'application/json')): Promise<string> {
      expect(await store.documents.put(key, c, null)).toEqual({ kind: 'written' });
      const doc = await store.documents.get(key);
      if (doc === null) throw new Error('document not stored');
      return doc.revision;
    }

    describe(`${name}: put and get`, () => {
      it(`${name}: keeps the bytes exactly, with their content type, ETag and update time`, async () => {
        const bytes = new Uint8Array([0, 255, 10, 13, 0, 0x80, 0xfe]);
        const c = content(bytes, 'image/png', at(3));
        await store.documents.put(stateKey('s1'), c, null);
        const doc = await store.documents.get(stateKey('s1'));
        expect(doc).not.toBeNull();
        expect([...(doc?.contents ?? [])]).toEqual([...bytes]);
        expect(doc).toMatchObject({ id: 's1', contentType: 'image/png', etag: c.etag, updated: at(3) });
        expect(doc?.revision).toEqual(expect.any(String));
      });

      it(`${name}: an empty document is a document`, async () => {
        await store.documents.put(stateKey('empty'), content(''), null);
        expect((await store.documents.get(stateKey('empty')))?.contents).toHaveLength(0);
      });

      it(`${name}: a missing document is null`, async () => {
        expect(await store.documents.get(stateKey('never'))).toBeNull();
      });

      it(`${name}: creating where a document exists is refused as changed and leaves it as it is`, async () => {
        await create(stateKey('s1'), content('first'));
        expect(await store.documents.put(stateKey('s1'), content('second'), null)).toEqual({ kind: 'changed' });
        expect(new TextDecoder().decode((await store.documents.get(stateKey('s1')))?.contents)).toBe('first');
      });

      it(`${name}: replaces at the revision read; a stale revision is refused as changed`, async () => {
        const first = await create(stateKey('s1'), content('one'));
        expect(await store.documents.put(stateKey('s1'), content('two', 'text/plain', at(1)), first)).toEqual({ kind: 'written' });
        const second = await store.documents.get(stateKey('s1'));
        expect(second).toMatchObject({ contentType: 'text/plain', updated: at(1), etag: content('two').etag });
        expect(second?.revision).not.toBe(first);
        expect(await store.documents.put(stateKey('s1'), content('three'), first)).toEqual({ kind: 'changed' });
        expect(new TextDecoder().decode((await store.documents.get(stateKey('s1')))?.contents)).toBe('two');
      });

      it(`${name}: the revision changes on every write, even of the same bytes (the ETag does not)`, async () => {
        const first = await create(stateKey('s1'), content('same'));
        await store.documents.put(stateKey('s1'), content('same'), first);
        const after = await store.documents.get(stateKey('s1'));
        expect(after?.etag).toBe(content('same').etag);
        expect(after?.revision).not.toBe(first);
      });

      it(`${name}: updating a document that does not exist is refused as changed`, async () => {
        expect(await store.documents.put(stateKey('ghost'), content('x'), 'some-revision')).toEqual({ kind: 'changed' });
        expect(await store.documents.get(stateKey('ghost'))).toBeNull();
      });
    });

    describe(`${name}: scopes`, () => {
      it(`${name}: the same id in another resource, Activity, Agent or registration is another document`, async () => {
        const keys: DocumentKey[] = [
          stateKey('x'),
          stateKey('x', { registration: REGISTRATION }),
          stateKey('x', { activityId: 'http://example.com/activities/other' }),
          stateKey('x', { agent: 'mbox:mailto:bob@example.com' }),
          { resource: 'activity-profile', activityId: ACTIVITY, agent: null, registration: null, id: 'x' },
          { resource: 'agent-profile', activityId: null, agent: AGENT, registration: null, id: 'x' },
        ];
        for (const [i, key] of keys.entries()) await create(key, content(`doc ${i}`));
        for (const [i, key] of keys.entries()) {
          expect(new TextDecoder().decode((await store.documents.get(key))?.contents)).toBe(`doc ${i}`);
        }
      });
    });

    describe(`${name}: delete`, () => {
      it(`${name}: deletes unconditionally, and deleting a missing document is fine`, async () => {
        await create(stateKey('s1'));
        expect(await store.documents.delete(stateKey('s1'))).toEqual({ kind: 'written' });
        expect(await store.documents.get(stateKey('s1'))).toBeNull();
        expect(await store.documents.delete(stateKey('s1'))).toEqual({ kind: 'written' });
      });

      it(`${name}: deletes at the revision read; a stale revision or a missing document is refused as changed`, async () => {
        const first = await create(stateKey('s1'), content('one'));
        await store.documents.put(stateKey('s1'), content('two'), first);
        expect(await store.documents.delete(stateKey('s1'), first)).toEqual({ kind: 'changed' });
        expect(await store.documents.get(stateKey('s1'))).not.toBeNull();
        const current = (await store.documents.get(stateKey('s1')))?.revision as string;
        expect(await store.documents.delete(stateKey('s1'), current)).toEqual({ kind: 'written' });
        expect(await store.documents.delete(stateKey('s1'), current)).toEqual({ kind: 'changed' });
      });
    });

    describe(`${name}: list and deleteMany`, () => {
      async function seed(): Promise<void> {
        await create(stateKey('b'), content('b', 'text/plain', at(1)));
        await create(stateKey('a'), content('a', 'text/plain', at(2)));
        await create(stateKey('r', { registration: REGISTRATION }), content('r', 'text/plain', at(3)));
        await create(stateKey('other', { agent: 'mbox:mailto:bob@example.com' }), content('o', 'text/plain', at(4)));
        await create({ resource: 'activity-profile', activityId: ACTIVITY, agent: null, registration: null, id: 'p' });
      }

      it(`${name}: lists ids with update times, by id; without a registration every registration's`, async () => {
        await seed();
        expect(await store.documents.list({ resource: 'state', activityId: ACTIVITY, agent: AGENT })).toEqual([
          { id: 'a', updated: at(2) },
          { id: 'b', updated: at(1) },
          { id: 'r', updated: at(3) },
        ]);
        expect(await store.documents.list({ resource: 'state', activityId: ACTIVITY, agent: AGENT, registration: REGISTRATION })).toEqual([
          { id: 'r', updated: at(3) },
        ]);
        expect((await store.documents.list({ resource: 'state', activityId: ACTIVITY, agent: AGENT, registration: null })).map((d) => d.id)).toEqual(['a', 'b']);
        expect(await store.documents.list({ resource: 'activity-profile', activityId: ACTIVITY, agent: null })).toEqual([{ id: 'p', updated: T0 }]);
        expect(await store.documents.list({ resource: 'agent-profile', activityId: null, agent: AGENT })).toEqual([]);
      });

      it(`${name}: since is exclusive`, async () => {
        await seed();
        const ids = async (since: string) => (await store.documents.list({ resource: 'state', activityId: ACTIVITY, agent: AGENT }, since)).map((d) => d.id);
        expect(await ids(at(1))).toEqual(['a', 'r']);
        expect(await ids(at(3))).toEqual([]);
        expect(await ids(at(0))).toEqual(['a', 'b', 'r']);
      });

      it(`${name}: deleteMany deletes the selection only and says how many`, async () => {
        await seed();
        expect(await store.documents.deleteMany({ resource: 'state', activityId: ACTIVITY, agent: AGENT, registration: REGISTRATION })).toBe(1);
        expect(await store.documents.deleteMany({ resource: 'state', activityId: ACTIVITY, agent: AGENT })).toBe(2);
        expect(await store.documents.list({ resource: 'state', activityId: ACTIVITY, agent: AGENT })).toEqual([]);
        expect(await store.documents.get(stateKey('other', { agent: 'mbox:mailto:bob@example.com' }))).not.toBeNull();
        expect(await store.documents.get({ resource: 'activity-profile', activityId: ACTIVITY, agent: null, registration: null, id: 'p' })).not.toBeNull();
        expect(await store.documents.deleteMany({ resource: 'state', activityId: ACTIVITY, agent: AGENT })).toBe(0);
      });
    });
  });

  describe(`ActivityStore contract: ${name}`, () => {
    let store: Store;
    freshStoreEachTest(open, (s) => (store = s));

    const shallow = (a: Record<string, unknown>, b: Record<string, unknown>) => ({ ...a, ...b });

    it(`${name}: an Activity no statement defined has no definition`, async () => {
      expect(await store.activities.getDefinition('http://example.com/a')).toBeNull();
      await store.activities.mergeDefinitions([], shallow);
      expect(await store.activities.getDefinition('http://example.com/a')).toBeNull();
    });

    it(`${name}: folds updates in order into each Activity's definition, starting from {}`, async () => {
      await store.activities.mergeDefinitions(
        [
          { id: 'http://example.com/a', definition: { type: 'http://t/1', moreInfo: 'http://m/1' } },
          { id: 'http://example.com/b', definition: { type: 'http://t/b' } },
          { id: 'http://example.com/a', definition: { type: 'http://t/2' } },
        ],
        shallow,
      );
      expect(await store.activities.getDefinition('http://example.com/a')).toEqual({ type: 'http://t/2', moreInfo: 'http://m/1' });
      expect(await store.activities.getDefinition('http://example.com/b')).toEqual({ type: 'http://t/b' });
    });

    it(`${name}: later batches fold into what is stored (with the LRS's merge: languages add up)`, async () => {
      const id = 'http://example.com/meeting';
      await store.activities.mergeDefinitions([{ id, definition: { name: { 'en-US': 'meeting' } } }], mergeDefinition);
      await store.activities.mergeDefinitions([{ id, definition: { name: { 'fr-FR': 'réunion' }, extensions: { 'http://e.x/k.y': 1 } } }], mergeDefinition);
      await store.activities.mergeDefinitions([{ id, definition: { name: { 'fr-FR': 'réunion' } } }], mergeDefinition);
      expect(await store.activities.getDefinition(id)).toEqual({ name: { 'en-US': 'meeting', 'fr-FR': 'réunion' }, extensions: { 'http://e.x/k.y': 1 } });
    });
  });
}
