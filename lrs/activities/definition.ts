/**
 * Canonical Activity definitions (xAPI 1.0.3 Data 2.4.4.1, Communication 2.5): which
 * definitions a statement carries, and how one folds into the LRS's canonical definition.
 * Pure functions; the statement write path hands their result to the ActivityStore.
 *
 * Why a kept, merged definition rather than one derived from stored statements on demand:
 * GET /activities must combine what every statement said about an Activity (the ADL suite
 * checks that two statements' languages are both returned), and scanning every statement
 * about a popular Activity per request does not scale; a merge at write time is one small
 * read-modify-write per distinct Activity per batch.
 */
import type { ActivityDefinitionUpdate } from '../../src/storage/port.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Properties whose values are maps merged key by key: language maps and extensions. */
const MAPS = new Set(['name', 'description', 'extensions']);
/** An interaction's properties belong together: a definition that has any replaces them all. */
const INTERACTION = ['interactionType', 'correctResponsesPattern', 'choices', 'scale', 'source', 'target', 'steps'];

/**
 * Folds `incoming` into `canonical`: languages and extensions are added or replaced one by one,
 * other properties (type, moreInfo, the interaction as a whole) take the incoming value.
 */
export function mergeDefinition(canonical: Json, incoming: Json): Json {
  const merged: Json = { ...canonical };
  if (INTERACTION.some((k) => k in incoming)) for (const k of INTERACTION) delete merged[k];
  for (const [k, value] of Object.entries(incoming)) {
    const before = merged[k];
    merged[k] = MAPS.has(k) && isObject(value) && isObject(before) ? { ...before, ...value } : value;
  }
  return merged;
}

function activityWithDefinition(object: unknown): ActivityDefinitionUpdate | null {
  if (!isObject(object) || (object.objectType !== undefined && object.objectType !== 'Activity')) return null;
  if (typeof object.id !== 'string' || !isObject(object.definition)) return null;
  return { id: object.id, definition: object.definition };
}

function contextActivities(part: Json): unknown[] {
  const context = part.context;
  if (!isObject(context) || !isObject(context.contextActivities)) return [];
  return Object.values(context.contextActivities).flatMap((list) => (Array.isArray(list) ? list : [list]));
}

/** The Activity definitions statements carry, in statement order: objects, SubStatement objects and context Activities. */
export function activityDefinitions(statements: Json[]): ActivityDefinitionUpdate[] {
  const updates: ActivityDefinitionUpdate[] = [];
  for (const statement of statements) {
    const parts = [statement];
    if (isObject(statement.object) && statement.object.objectType === 'SubStatement') parts.push(statement.object);
    for (const part of parts) {
      for (const candidate of [part.object, ...contextActivities(part)]) {
        const update = activityWithDefinition(candidate);
        if (update) updates.push(update);
      }
    }
  }
  return updates;
}
