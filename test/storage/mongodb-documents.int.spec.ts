/**
 * The MongoDB document and Activity stores' own code: their filters (evaluated by mingo, an
 * in-process implementation of MongoDB's query language), index definitions, and lost races,
 * run against test/storage/mingo-db.ts — a TEST DOUBLE for a MongoDB server, not a database.
 * The shared contract runs on it in mongodb-mingo.contract.int.spec.ts and on a real server in
 * mongodb.contract.int.spec.ts when MONGODB_URL is set.
 */
import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import { mongoStoreFromDb } from '../../src/storage/mongodb/index.js';
import { DOCUMENT_INDEXES, keyFilter, selectionFilter } from '../../src/storage/mongodb/documents.js';
import { definitionUpdate } from '../../src/storage/mongodb/activities.js';
import type { DocumentKey } from '../../src/storage/port.js';
import { mergeDefinition } from '../../lrs/activities/definition.js';
import { MingoDb } from './mingo-db.js';
import { content } from './documents.contract.js';

const STANDIN = 'MongoDB adapter on mingo stand-in';
const matches = (filter: Record<string, unknown>, doc: Record<string, unknown>) => new Query(filter).test(doc);

const key: DocumentKey = { resource: 'state', activityId: 'http://a.example/1', agent: 'mbox:mailto:ana@example.com', registration: null, id: 's1' };
const doc = (over: Record<string, unknown> = {}) => ({ ...key, updated: '2024-05-01T10:00:00.000Z', revision: 'r1', ...over });

describe('MongoDB document store: filters and indexes', () => {
  it('one unique index over the whole key, whose prefix serves listing a context', () => {
    expect(DOCUMENT_INDEXES).toEqual([
      { key: { resource: 1, activityId: 1, agent: 1, registration: 1, id: 1 }, options: { name: 'document_key', unique: true } },
    ]);
  });

  it('the key filter names every scope field, null ones included, and the revision when given', () => {
    expect(keyFilter(key)).toEqual({ resource: 'state', activityId: 'http://a.example/1', agent: 'mbox:mailto:ana@example.com', registration: null, id: 's1' });
    expect(keyFilter(key, 'r1')).toMatchObject({ revision: 'r1' });
    expect(matches(keyFilter(key), doc())).toBe(true);
    expect(matches(keyFilter(key), doc({ registration: '6f1b9c3e-0d8a-4b53-9c61-4c1f0b8e2a10' }))).toBe(false);
    expect(matches(keyFilter(key, 'r2'), doc())).toBe(false);
  });

  it('a selection without a registration matches every registration; since is exclusive', () => {
    const all = selectionFilter({ resource: 'state', activityId: key.activityId, agent: key.agent });
    expect(all).not.toHaveProperty('registration');
    expect(matches(all, doc({ registration: 'x' }))).toBe(true);
    expect(matches(selectionFilter({ resource: 'state', activityId: key.activityId, agent: key.agent, registration: null }), doc({ registration: 'x' }))).toBe(false);
    const since = selectionFilter({ resource: 'state', activityId: key.activityId, agent: key.agent }, '2024-05-01T10:00:00.000Z');
    expect(matches(since, doc())).toBe(false);
    expect(matches(since, doc({ updated: '2024-05-01T10:00:00.001Z' }))).toBe(true);
  });

  it('an Activity definition is replaced only at the revision it was merged from', () => {
    const { filter, update } = definitionUpdate('http://a.example/1', 'r1', '{}');
    expect(filter).toEqual({ _id: 'http://a.example/1', revision: 'r1' });
    expect(update).toEqual({ $set: { definition: '{}', revision: expect.any(String) } });
  });
});

describe(`${STANDIN}: document and Activity stores`, () => {
  it(`${STANDIN}: creates the document index at start-up, idempotently`, async () => {
    const db = new MingoDb();
    await mongoStoreFromDb(db, async () => {});
    await mongoStoreFromDb(db, async () => {});
    expect(db.collection('documents').indexes).toEqual(DOCUMENT_INDEXES);
  });

  it(`${STANDIN}: a document created concurrently makes a create report changed (the unique index decides)`, async () => {
    const db = new MingoDb();
    const one = await mongoStoreFromDb(db, async () => {});
    const two = await mongoStoreFromDb(db, async () => {});
    db.beforeInsertMany('documents', async () => {
      expect(await two.documents.put(key, content('theirs'), null)).toEqual({ kind: 'written' });
    });
    expect(await one.documents.put(key, content('mine'), null)).toEqual({ kind: 'changed' });
    expect(new TextDecoder().decode((await one.documents.get(key))?.contents)).toBe('theirs');
  });

  it(`${STANDIN}: reads contents back from a BSON Binary as the driver returns it`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    await db.collection('documents').insertMany([{ ...doc(), contentType: 'application/octet-stream', etag: 'e', contents: { buffer: new Uint8Array([1, 2, 3, 0, 0]), position: 3 } }], { ordered: true });
    expect([...((await store.documents.get(key))?.contents ?? [])]).toEqual([1, 2, 3]);
  });

  it(`${STANDIN}: keeps definitions as JSON text (extension IRIs are full of dots) and writes nothing when a merge changes nothing`, async () => {
    const db = new MingoDb();
    const store = await mongoStoreFromDb(db, async () => {});
    const definition = { extensions: { 'http://e.example/k.v': { 'a.b': 1 } } };
    await store.activities.mergeDefinitions([{ id: 'http://a.example/1', definition }], mergeDefinition);
    expect(db.collection('activities').all()).toEqual([{ _id: 'http://a.example/1', definition: JSON.stringify(definition), revision: expect.any(String) }]);
    db.calls.length = 0;
    await store.activities.mergeDefinitions([{ id: 'http://a.example/1', definition }], mergeDefinition);
    expect(db.calls).toEqual([{ collection: 'activities', method: 'findOne' }]);
  });

  it(`${STANDIN}: an Activity created concurrently is merged into, not overwritten`, async () => {
    const db = new MingoDb();
    const one = await mongoStoreFromDb(db, async () => {});
    const two = await mongoStoreFromDb(db, async () => {});
    const id = 'http://a.example/meeting';
    db.beforeInsertMany('activities', async () => {
      await two.activities.mergeDefinitions([{ id, definition: { name: { 'fr-FR': 'réunion' } } }], mergeDefinition);
    });
    await one.activities.mergeDefinitions([{ id, definition: { name: { 'en-US': 'meeting' } } }], mergeDefinition);
    expect(await one.activities.getDefinition(id)).toEqual({ name: { 'fr-FR': 'réunion', 'en-US': 'meeting' } });
  });
});
