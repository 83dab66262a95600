/**
 * MongoDB canonical Activity definitions: one document per Activity (`_id` = Activity id).
 *
 * The definition is kept as a JSON string: it is never queried into, and extension keys are
 * IRIs full of dots, which MongoDB field names and update paths handle badly. Each Activity's
 * read-merge-write is a compare-and-set on a revision token (or an insert that the `_id`
 * index refuses to a concurrent creator), retried from a fresh read when it loses a race.
 */
import { randomUUID } from 'node:crypto';
import type { ActivityDefinitionUpdate, ActivityStore, DefinitionMerge } from '../port.js';
import { isDuplicateKeyError, type CollectionLike, type DbLike, type Filter } from './driver.js';
import { WriteContentionError } from '../contention.js';

export const ACTIVITIES = 'activities';

export interface ActivityDocument {
  _id: string;
  /** The canonical definition, as JSON. */
  definition: string;
  revision: string;
}

/** Attempts per Activity before giving up: each lost race means another writer made progress. */
const MAX_ATTEMPTS = 5;

/** The compare-and-set of a merged definition against the revision it was merged from. */
export function definitionUpdate(id: string, revision: string, definition: string): { filter: Filter; update: Filter } {
  return { filter: { _id: id, revision }, update: { $set: { definition, revision: randomUUID() } } };
}

export function mongoActivityStore(db: DbLike): ActivityStore {
  const activities: CollectionLike<ActivityDocument> = db.collection(ACTIVITIES);

  /** Folds `definitions` into one Activity's canonical definition; true when it was written (or unchanged). */
  async function mergeOne(id: string, definitions: Record<string, unknown>[], merge: DefinitionMerge): Promise<boolean> {
    const current = await activities.findOne({ _id: id });
    const base = current === null ? {} : (JSON.parse(current.definition) as Record<string, unknown>);
    const merged = JSON.stringify(definitions.reduce(merge, base));
    if (current !== null && merged === current.definition) return true;
    if (current === null) {
      try {
        await activities.insertMany([{ _id: id, definition: merged, revision: randomUUID() }], { ordered: true });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    const { filter, update } = definitionUpdate(id, current.revision, merged);
    return (await activities.findOneAndUpdate(filter, update, { upsert: false, returnDocument: 'after' })) !== null;
  }

  return {
    async mergeDefinitions(updates: ActivityDefinitionUpdate[], merge) {
      const byActivity = new Map<string, Record<string, unknown>[]>();
      for (const { id, definition } of updates) {
        const list = byActivity.get(id);
        if (list) list.push(definition);
        else byActivity.set(id, [definition]);
      }
      await Promise.all(
        [...byActivity].map(async ([id, definitions]) => {
          for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (await mergeOne(id, definitions, merge)) return;
          }
          throw new WriteContentionError(`the definition of Activity ${id} kept changing under ${MAX_ATTEMPTS} merge attempts`);
        }),
      );
    },

    async getDefinition(id) {
      const doc = await activities.findOne({ _id: id });
      return doc === null ? null : (JSON.parse(doc.definition) as Record<string, unknown>);
    },
  };
}
