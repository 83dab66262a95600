/**
 * The insert decision for a batch of statements, written once for both adapters: pure, fed by
 * what the adapter looked up, so the adapters do I/O only and cannot drift apart.
 *
 * In batch order, each statement is one of:
 * - a re-send: its id is stored, or appeared earlier in the batch. Accepted (with the seq of the
 *   stored or earlier statement) when equivalent to it, otherwise the batch is a conflict;
 * - new: stored voided when a stored voiding statement, or one of the batch, targets it; a
 *   voiding statement whose target is itself voiding (stored, or earlier in the batch) rejects
 *   the batch; it carries its own keys plus those of its StatementRef target, transitively.
 *
 * Equivalence is asked of the caller per comparison. An adapter that cannot answer at once (the
 * SQLite writer thread, which holds no xAPI comparison rules) answers `undefined`; the decision
 * is then `compare`, listing the comparisons it needs, in batch order, up to the first definite
 * rejection, and the caller decides again once it knows them.
 */
import type { InsertOutcome } from './port.js';

/** A statement of the batch, as the decision sees it. `K` is the adapter's key type (text or dictionary id). */
export interface InsertCandidate<K> {
  /** Lower-case statement id. */
  id: string;
  refTarget: string | null;
  voiding: boolean;
  keys: readonly K[];
}

/** What the store holds under an id the batch names (one of its ids or StatementRef targets). */
export interface StoredFacts<K> {
  seq: number;
  voiding: boolean;
  /** Own and inherited keys. */
  keys: readonly K[];
}

export interface InsertLookup<K> {
  /** Stored statements among the batch's ids and its StatementRef targets. */
  stored: ReadonlyMap<string, StoredFacts<K>>;
  /** Ids of the batch that a stored voiding statement targets. */
  voidedByStored: ReadonlySet<string>;
}

/** Statement `index` of the batch is a re-send of the stored statement with its id, or of the earlier statement `with` of the batch. */
export interface Comparison {
  index: number;
  id: string;
  with: 'stored' | number;
}

/** Whether the compared statements are equivalent; `undefined` when the answer is not known here. */
export type EquivalenceAnswer = (comparison: Comparison) => boolean | undefined;

/** A statement of the batch to be written. */
export interface FreshStatement<K> {
  index: number;
  /** Own keys and those inherited from its StatementRef target. */
  keys: Set<K>;
  voided: boolean;
}

export type InsertDecision<K> =
  | { kind: 'rejected'; outcome: Exclude<InsertOutcome, { kind: 'stored' }> }
  | { kind: 'compare'; comparisons: Comparison[] }
  | {
      kind: 'accepted';
      /** Per statement of the batch: the seq of the statement it re-sends, or the fresh statement to write. */
      slots: (number | FreshStatement<K>)[];
      /** The statements to write, in batch order. */
      fresh: FreshStatement<K>[];
      /** Ids outside the batch that a fresh voiding statement targets (mark them voided if stored). */
      voidTargets: string[];
    };

export function decideInsert<K>(batch: readonly InsertCandidate<K>[], lookup: InsertLookup<K>, equivalent: EquivalenceAnswer): InsertDecision<K> {
  const fresh = new Map<string, FreshStatement<K>>();
  const firstIndex = new Map<string, number>();
  const slots: (number | FreshStatement<K>)[] = [];
  const unknown: Comparison[] = [];
  const reject = (outcome: Exclude<InsertOutcome, { kind: 'stored' }>): InsertDecision<K> =>
    unknown.length > 0 ? { kind: 'compare', comparisons: unknown } : { kind: 'rejected', outcome };

  for (const [index, s] of batch.entries()) {
    const earlier = fresh.get(s.id);
    const existing = earlier === undefined ? lookup.stored.get(s.id) : undefined;
    if (earlier !== undefined || existing !== undefined) {
      const comparison: Comparison = { index, id: s.id, with: earlier !== undefined ? (firstIndex.get(s.id) as number) : 'stored' };
      const same = equivalent(comparison);
      if (same === false) return reject({ kind: 'conflict', id: s.id });
      if (same === undefined) unknown.push(comparison);
      slots.push(earlier ?? (existing as StoredFacts<K>).seq);
      continue;
    }
    const targetId = s.refTarget;
    const target = targetId === null ? undefined : (fresh.has(targetId) ? batch[fresh.get(targetId)?.index as number] : lookup.stored.get(targetId));
    if (s.voiding && target?.voiding === true) return reject({ kind: 'voids-voiding', id: s.id, target: targetId as string });
    const entry: FreshStatement<K> = { index, keys: new Set(s.keys), voided: lookup.voidedByStored.has(s.id) };
    fresh.set(s.id, entry);
    firstIndex.set(s.id, index);
    slots.push(entry);
  }
  if (unknown.length > 0) return { kind: 'compare', comparisons: unknown };

  // Voiding inside the batch, whichever comes first; targets outside it are the adapter's to mark.
  const voidTargets = new Set<string>();
  for (const entry of fresh.values()) {
    const s = batch[entry.index] as InsertCandidate<K>;
    if (!s.voiding || s.refTarget === null) continue;
    const target = fresh.get(s.refTarget);
    if (target) target.voided = true;
    else voidTargets.add(s.refTarget);
  }

  // Inherited keys: a statement carries the keys of its target, which carries those of its own
  // (stored statements already hold theirs). A fixpoint covers chains in the batch in any order.
  for (let changed = true; changed; ) {
    changed = false;
    for (const entry of fresh.values()) {
      const targetId = (batch[entry.index] as InsertCandidate<K>).refTarget;
      if (targetId === null) continue;
      const targetKeys = fresh.get(targetId)?.keys ?? lookup.stored.get(targetId)?.keys ?? [];
      for (const k of targetKeys) {
        if (!entry.keys.has(k)) (entry.keys.add(k), (changed = true));
      }
    }
  }
  return { kind: 'accepted', slots, fresh: [...fresh.values()], voidTargets: [...voidTargets] };
}

/** The ids a batch's look-up must cover: its own ids and its StatementRef targets. */
export function idsToLookUp(batch: readonly InsertCandidate<unknown>[]): { ids: string[]; withTargets: string[] } {
  const ids = batch.map((s) => s.id);
  const targets = batch.flatMap((s) => (s.refTarget === null ? [] : [s.refTarget]));
  return { ids: [...new Set(ids)], withTargets: [...new Set([...ids, ...targets])] };
}
