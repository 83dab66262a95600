/**
 * TEST DOUBLE FOR A MONGODB SERVER — not a database. MongoDB cannot be installed on the
 * development machines or in CI (ARCHITECTURE.md §3), so the MongoDB adapter's filter and update
 * documents are executed here by `mingo`, an in-process implementation of MongoDB's query
 * language, over plain arrays. Tests that use it say so in their names ("MongoDB adapter on
 * mingo stand-in"); the same suite runs against a real server when MONGODB_URL is set.
 *
 * It implements the subset of the driver's Db/Collection API the adapter uses
 * (src/storage/mongodb/driver.ts `DbLike`), with the server behaviour the adapter relies on:
 * - filters evaluated by mingo's `Query`, sort/limit/projection by mingo's cursor;
 * - updates applied by mingo's update operators (`mingo/updater`), one operator at a time;
 * - unique indexes (and `_id`) enforced on insert and update with an error shaped like the
 *   driver's duplicate key error (`MongoBulkWriteError`, code 11000, `writeErrors`, and for an
 *   ordered insertMany the documents inserted before the refused one in `insertedIds`);
 * - documents copied on the way in and out, as BSON serialisation would;
 * - `findOneAndUpdate` with `$inc`, `upsert` (and `$setOnInsert`) and `returnDocument`;
 * - `$expr` in filters (mingo's expression operators).
 * What it does not model: concurrency (every call runs to completion on its own), indexes as
 * access paths (queries scan), BSON types beyond JSON.
 *
 * Tests can interleave a "concurrent writer" with `beforeInsertMany(collection, hook)`, and
 * read every call the adapter made in `calls`.
 */
import { Query, update as applyUpdateOperator } from 'mingo';
import type { UpdateExpression } from 'mingo/updater';
import type { CollectionLike, CursorLike, DbLike, Filter, IndexDefinition, Update } from '../../src/storage/mongodb/driver.js';

type Doc = Record<string, unknown>;
type Projection = Record<string, 0 | 1>;

/** The driver's duplicate key error as an insertMany / updateOne sees it (MongoBulkWriteError / MongoServerError). */
export class DuplicateKeyError extends Error {
  readonly code = 11000;
  readonly writeErrors: { index: number; code: 11000; errmsg: string; keyValue: Doc }[];
  readonly result: { insertedCount: number; insertedIds: Record<number, unknown> };

  constructor(
    readonly collectionName: string,
    readonly indexName: string,
    readonly keyValue: Doc,
    index: number,
    inserted: unknown[],
    bulk: boolean,
  ) {
    const errmsg = `E11000 duplicate key error collection: test.${collectionName} index: ${indexName} dup key: ${JSON.stringify(keyValue)}`;
    super(errmsg);
    this.name = bulk ? 'MongoBulkWriteError' : 'MongoServerError';
    this.writeErrors = [{ index, code: 11000, errmsg, keyValue }];
    this.result = { insertedCount: inserted.length, insertedIds: Object.fromEntries(inserted.map((id, i) => [i, id])) };
  }

  get insertedCount(): number {
    return this.result.insertedCount;
  }

  get insertedIds(): Record<number, unknown> {
    return this.result.insertedIds;
  }
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Puts `doc` back to `before` in place (it may be referenced by the collection). */
function restore(doc: Doc, before: Doc): void {
  for (const k of Object.keys(doc)) delete doc[k];
  Object.assign(doc, before);
}

function getPath(doc: Doc, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Doc)[part];
  }
  return value;
}

class MingoCursor<T> implements CursorLike<T> {
  private sortSpec: Record<string, 1 | -1> | undefined;
  private limitN: number | undefined;

  constructor(
    private readonly docs: () => Doc[],
    private readonly filter: Filter,
    private readonly projection: Projection | undefined,
    private readonly record: () => void,
  ) {}

  sort(spec: Record<string, 1 | -1>): CursorLike<T> {
    this.sortSpec = spec;
    return this;
  }

  limit(n: number): CursorLike<T> {
    this.limitN = n;
    return this;
  }

  async toArray(): Promise<T[]> {
    this.record();
    let cursor = new Query(this.filter).find<Doc>(this.docs(), this.projection ?? {});
    if (this.sortSpec) cursor = cursor.sort(this.sortSpec);
    // As in MongoDB, limit(0) means no limit.
    if (this.limitN !== undefined && this.limitN !== 0) cursor = cursor.limit(Math.abs(this.limitN));
    return copy(cursor.all()) as T[];
  }
}

interface UniqueIndex {
  name: string;
  fields: string[];
  partial?: Query;
}

type InsertHook = (docs: Doc[]) => Promise<void> | void;

export class MingoCollection<T extends Doc = Doc> implements CollectionLike<T> {
  private docs: Doc[] = [];
  private readonly unique: UniqueIndex[] = [{ name: '_id_', fields: ['_id'] }];
  /** Every createIndex call, as given. */
  readonly indexes: IndexDefinition[] = [];
  private nextObjectId = 1;

  constructor(
    readonly name: string,
    private readonly db: MingoDb,
  ) {}

  /** The stored documents (copies), in insertion order. */
  all(): Doc[] {
    return copy(this.docs);
  }

  private record(method: string): void {
    this.db.calls.push({ collection: this.name, method });
  }

  /** The unique index `doc` would violate among `others`, if any. */
  private violation(doc: Doc, others: Doc[]): { index: UniqueIndex; keyValue: Doc } | undefined {
    for (const index of this.unique) {
      if (index.partial && !index.partial.test(doc)) continue;
      const value = JSON.stringify(index.fields.map((f) => getPath(doc, f) ?? null));
      const clash = others.find(
        (o) => o !== doc && (!index.partial || index.partial.test(o)) && JSON.stringify(index.fields.map((f) => getPath(o, f) ?? null)) === value,
      );
      if (clash) return { index, keyValue: Object.fromEntries(index.fields.map((f) => [f, getPath(doc, f) ?? null])) };
    }
    return undefined;
  }

  /** `$setOnInsert` applies (as `$set`) only when an upsert inserts, as on the server. */
  private applyUpdate(doc: Doc, update: Update, inserting = false): void {
    const operators = Object.keys(update);
    if (operators.length === 0 || operators.some((op) => !op.startsWith('$'))) {
      throw new Error(`update document must contain only update operators: ${JSON.stringify(update)}`);
    }
    for (const op of operators) {
      if (op === '$setOnInsert') {
        if (inserting) applyUpdateOperator(doc, { $set: update[op] } as UpdateExpression);
        continue;
      }
      applyUpdateOperator(doc, { [op]: update[op] } as UpdateExpression);
    }
  }

  /** Updates `doc` in place; on a unique index violation restores it and throws like the server. */
  private updateChecked(doc: Doc, update: Update): void {
    const before = copy(doc);
    this.applyUpdate(doc, update);
    if (getPath(doc, '_id') !== getPath(before, '_id')) {
      restore(doc, before);
      throw new Error("Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    const v = this.violation(doc, this.docs);
    if (v) {
      restore(doc, before);
      throw new DuplicateKeyError(this.name, v.index.name, v.keyValue, 0, [], false);
    }
  }

  private matching(filter: Filter): Doc[] {
    const query = new Query(filter);
    return this.docs.filter((d) => query.test(d));
  }

  async createIndex(key: Record<string, 1 | -1>, options: IndexDefinition['options']): Promise<string> {
    this.record('createIndex');
    const name = options.name;
    const existing = this.indexes.find((i) => i.options.name === name);
    if (existing) {
      if (JSON.stringify(existing) !== JSON.stringify({ key, options })) {
        throw new Error(`An existing index has the same name as the requested index: ${name}`);
      }
      return name;
    }
    if (options.unique) {
      const index: UniqueIndex = { name, fields: Object.keys(key) };
      if (options.partialFilterExpression) index.partial = new Query(options.partialFilterExpression);
      this.unique.push(index);
    }
    this.indexes.push(copy({ key, options }));
    return name;
  }

  find(filter: Filter, options?: { projection?: Projection }): CursorLike<T> {
    return new MingoCursor<T>(() => this.docs, filter, options?.projection, () => this.record('find'));
  }

  async findOne(filter: Filter, options?: { projection?: Projection }): Promise<T | null> {
    this.record('findOne');
    const [first] = new Query(filter).find<Doc>(this.docs, options?.projection ?? {}).limit(1).all();
    return first === undefined ? null : (copy(first) as T);
  }

  async insertMany(docs: T[], options: { ordered: boolean }): Promise<{ acknowledged: true; insertedCount: number; insertedIds: Record<number, unknown> }> {
    this.record('insertMany');
    const hook = this.db.takeInsertHook(this.name);
    if (hook) await hook(copy(docs));
    const inserted: unknown[] = [];
    let firstError: DuplicateKeyError | undefined;
    for (const [index, original] of docs.entries()) {
      const doc = copy(original) as Doc;
      if (doc._id === undefined) doc._id = `oid${this.nextObjectId++}`;
      const v = this.violation(doc, this.docs);
      if (v) {
        const error = new DuplicateKeyError(this.name, v.index.name, v.keyValue, index, inserted, true);
        if (options.ordered) throw error;
        firstError ??= error;
        continue;
      }
      this.docs.push(doc);
      inserted.push(doc._id);
    }
    if (firstError) throw firstError;
    return { acknowledged: true, insertedCount: inserted.length, insertedIds: Object.fromEntries(inserted.map((id, i) => [i, id])) };
  }

  async updateOne(filter: Filter, update: Update): Promise<{ matchedCount: number; modifiedCount: number }> {
    this.record('updateOne');
    const [doc] = this.matching(filter);
    if (!doc) return { matchedCount: 0, modifiedCount: 0 };
    const before = JSON.stringify(doc);
    this.updateChecked(doc, update);
    return { matchedCount: 1, modifiedCount: JSON.stringify(doc) === before ? 0 : 1 };
  }

  async updateMany(filter: Filter, update: Update): Promise<{ matchedCount: number; modifiedCount: number }> {
    this.record('updateMany');
    const docs = this.matching(filter);
    let modified = 0;
    for (const doc of docs) {
      const before = JSON.stringify(doc);
      this.updateChecked(doc, update);
      if (JSON.stringify(doc) !== before) modified++;
    }
    return { matchedCount: docs.length, modifiedCount: modified };
  }

  async countDocuments(filter: Filter): Promise<number> {
    this.record('countDocuments');
    return this.matching(filter).length;
  }

  async deleteMany(filter: Filter): Promise<{ deletedCount: number }> {
    this.record('deleteMany');
    const query = new Query(filter);
    const before = this.docs.length;
    this.docs = this.docs.filter((d) => !query.test(d));
    return { deletedCount: before - this.docs.length };
  }

  async findOneAndUpdate(
    filter: Filter,
    update: Update,
    options: { upsert: boolean; returnDocument: 'after' | 'before' },
  ): Promise<T | null> {
    this.record('findOneAndUpdate');
    const [doc] = this.matching(filter);
    if (doc) {
      const before = copy(doc);
      this.updateChecked(doc, update);
      return copy(options.returnDocument === 'after' ? doc : before) as T;
    }
    if (!options.upsert) return null;
    // An upsert starts from the filter's equality conditions, then applies the update.
    const created: Doc = Object.fromEntries(
      Object.entries(filter).filter(([k, v]) => !k.startsWith('$') && (typeof v !== 'object' || v === null || !Object.keys(v).some((o) => o.startsWith('$')))),
    );
    this.applyUpdate(created, update, true);
    if (created._id === undefined) created._id = `oid${this.nextObjectId++}`;
    const v = this.violation(created, this.docs);
    if (v) throw new DuplicateKeyError(this.name, v.index.name, v.keyValue, 0, [], false);
    this.docs.push(created);
    return options.returnDocument === 'after' ? (copy(created) as T) : null;
  }
}

export class MingoDb implements DbLike {
  private readonly collections = new Map<string, MingoCollection>();
  private readonly insertHooks = new Map<string, InsertHook>();
  /** Every collection method the code under test called, in order. */
  readonly calls: { collection: string; method: string }[] = [];

  collection(name: string): MingoCollection {
    let c = this.collections.get(name);
    if (!c) this.collections.set(name, (c = new MingoCollection(name, this)));
    return c;
  }

  /** Runs `hook` once, just before the next insertMany on `collection` applies: a concurrent writer. */
  beforeInsertMany(collection: string, hook: InsertHook): void {
    this.insertHooks.set(collection, hook);
  }

  /** @internal */
  takeInsertHook(collection: string): InsertHook | undefined {
    const hook = this.insertHooks.get(collection);
    this.insertHooks.delete(collection);
    return hook;
  }
}
