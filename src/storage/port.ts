/**
 * The storage port: one interface per aggregate (STYLE.md "Take" 1). Adapters live beside
 * it in sqlite/ and mongodb/ and pass one contract suite (test/storage/).
 *
 * Everything an adapter needs to index a statement is computed before it is called
 * (lrs/statements/keys.ts), so both adapters share the shaping and differ only in I/O.
 */

/** A statement as the LRS keeps it. `statement` is the stored form (with stored, authority, version). */
export interface StatementRecord {
  seq: number;
  id: string;
  statement: Record<string, unknown>;
  voided: boolean;
}

/** A statement ready to be written: shaped by the statement service, indexed by its keys. */
export interface NewStatement {
  /** Lower-case UUID. */
  id: string;
  statement: Record<string, unknown>;
  /** Query keys of the statement itself (see lrs/statements/keys.ts). */
  keys: string[];
  /** Lower-case id of the statement this one targets with a StatementRef object, if any. */
  refTarget: string | null;
  /** True when this is a voiding statement (then refTarget is the voided statement). */
  voiding: boolean;
}

/**
 * What an insert did. Conflicts are data, not exceptions (STYLE.md "Take" 3): the HTTP layer
 * chooses the status. On anything but `stored`, nothing of the batch was written.
 */
export type InsertOutcome =
  | { kind: 'stored'; seqs: number[] }
  /** A statement with this id exists and is not equivalent to the one sent. */
  | { kind: 'conflict'; id: string }
  /** A voiding statement targets a statement that is itself a voiding statement. */
  | { kind: 'voids-voiding'; id: string; target: string };

/** Decides whether a re-sent statement equals the stored one (xAPI statement comparison). */
export type Equivalence = (stored: Record<string, unknown>, sent: Record<string, unknown>) => boolean;

export interface StatementQuery {
  /** Every key must be present on a statement for it to match (keys inherited through StatementRefs count). */
  keys: string[];
  /** Exclusive lower bound on `stored` (UTC ISO 8601 with milliseconds). */
  since?: string;
  /** Inclusive upper bound on `stored`. */
  until?: string;
  /** Exclusive bound on seq where paging resumes (below it when descending, above it when ascending). */
  afterSeq?: number;
  /** Inclusive upper bound on seq: pins the result set to the statements present at the first page. */
  maxSeq?: number;
  ascending: boolean;
  limit: number;
}

export interface StatementStore {
  /**
   * Stores a batch all-or-nothing, in order. A statement whose id is already stored and
   * equivalent to the one sent is accepted without change (its seq is that of the stored one).
   */
  insert(batch: NewStatement[], equivalent: Equivalence): Promise<InsertOutcome>;
  /** Finds one statement by id; `voided` selects whether a voided or a non-voided one is wanted. */
  get(id: string, voided: boolean): Promise<StatementRecord | null>;
  /** Non-voided statements matching the query, ordered by seq, at most `limit`. */
  query(query: StatementQuery): Promise<StatementRecord[]>;
  /** Highest seq stored so far (0 when empty). */
  maxSeq(): Promise<number>;
}

/** An attachment body, addressed by the SHA-2 hash the statement gives for it. */
export interface AttachmentContent {
  /** Lower-case hex SHA-256, SHA-384 or SHA-512 of the body. */
  sha2: string;
  contentType: string;
  body: Uint8Array;
}

/**
 * Attachment bodies, stored once per hash. Being content-addressed, a body saved for a batch
 * that is then rejected is harmless: it is only ever found through a stored statement.
 */
export interface AttachmentStore {
  save(attachments: AttachmentContent[]): Promise<void>;
  /** The stored bodies among these hashes (missing ones are left out). */
  get(sha2s: string[]): Promise<AttachmentContent[]>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongodb';
  readonly statements: StatementStore;
  readonly attachments: AttachmentStore;
  close(): Promise<void>;
}
