/**
 * The part of the official driver's API the MongoDB adapters use, so that a test double can
 * stand in for a server (ARCHITECTURE.md §3: no MongoDB on development machines or in CI;
 * test/storage/mingo-db.ts imitates it), and the driver's duplicate-key error, which every
 * adapter reads as an outcome (an id already taken) rather than a fault.
 */

export type Filter = Record<string, unknown>;
export type Update = Record<string, unknown>;

export interface IndexDefinition {
  key: Record<string, 1 | -1>;
  options: { name: string; unique?: boolean; partialFilterExpression?: Filter };
}

export interface CursorLike<T> {
  sort(spec: Record<string, 1 | -1>): CursorLike<T>;
  limit(n: number): CursorLike<T>;
  toArray(): Promise<T[]>;
}

/** The part of the driver's UpdateResult the adapters read. */
export interface UpdateResultLike {
  matchedCount: number;
  modifiedCount: number;
}

export interface CollectionLike<T> {
  createIndex(key: Record<string, 1 | -1>, options: IndexDefinition['options']): Promise<string>;
  find(filter: Filter, options?: { projection?: Record<string, 0 | 1> }): CursorLike<T>;
  findOne(filter: Filter, options?: { projection?: Record<string, 0 | 1> }): Promise<T | null>;
  insertMany(docs: T[], options: { ordered: boolean }): Promise<unknown>;
  updateOne(filter: Filter, update: Update): Promise<UpdateResultLike>;
  updateMany(filter: Filter, update: Update): Promise<UpdateResultLike>;
  deleteMany(filter: Filter): Promise<{ deletedCount: number }>;
  countDocuments(filter: Filter): Promise<number>;
  findOneAndUpdate(
    filter: Filter,
    update: Update,
    options: { upsert: boolean; returnDocument: 'after' | 'before' },
  ): Promise<T | null>;
}

export interface DbLike {
  /** Untyped like the driver's default `Collection<Document>`; the adapter types each collection once. */
  collection(name: string): CollectionLike<any>;
}

/**
 * The `counters` collection, shared by the stores that hand out rising numbers (statement seqs,
 * identity change seqs, OAuth audit seqs): one document per sequence, advanced by an atomic `$inc`
 * (or, for a high-water mark such as the highest erased statement seq, by `$max`).
 */
export const COUNTERS = 'counters';

/** A counter document: `{ _id: 'statements', seq: <last reserved> }`. */
export interface CounterDocument {
  _id: string;
  seq: number;
}

/** A driver error (or one of its write errors) saying a unique index refused a document. */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; writeErrors?: unknown };
  if (e.code === 11000) return true;
  const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors === undefined ? [] : [e.writeErrors];
  return writeErrors.some((w) => typeof w === 'object' && w !== null && (w as { code?: unknown }).code === 11000);
}

/** The fields of the unique key a duplicate-key error names (its `keyValue`, e.g. `['_id']` or `['publishedId']`). */
export function duplicateKeyFields(error: unknown): string[] {
  if (!isDuplicateKeyError(error)) return [];
  const e = error as { keyValue?: unknown; writeErrors?: unknown };
  const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors === undefined ? [] : [e.writeErrors];
  const values = [e.keyValue, ...writeErrors.map((w) => (typeof w === 'object' && w !== null ? (w as { keyValue?: unknown }).keyValue : undefined))];
  return [...new Set(values.flatMap((v) => (typeof v === 'object' && v !== null ? Object.keys(v) : [])))];
}

/** A duplicate-key error in which every write error is a duplicate key (an unordered insert may report several kinds). */
export function onlyDuplicateKeys(error: unknown): boolean {
  if (!isDuplicateKeyError(error)) return false;
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors === undefined ? [] : [writeErrors];
  return list.every((w) => typeof w === 'object' && w !== null && (w as { code?: unknown }).code === 11000);
}

/**
 * Inserts documents whose `_id` may be there already (a second copy is the same document).
 * True when every document was new; any error but duplicate keys is thrown.
 */
export async function insertIgnoringDuplicates<T>(collection: CollectionLike<T>, docs: T[]): Promise<boolean> {
  if (docs.length === 0) return true;
  try {
    await collection.insertMany(docs, { ordered: false });
    return true;
  } catch (error) {
    if (onlyDuplicateKeys(error)) return false;
    throw error;
  }
}
