/**
 * The storage port: one interface per aggregate (ARCHITECTURE.md §3). Adapters live beside
 * it in sqlite/ and mongodb/ and pass one contract suite (test/storage/).
 *
 * Everything an adapter needs to index a statement is computed before it is called
 * (lrs/statements/keys.ts), so both adapters share the shaping and differ only in I/O.
 */
import type { IdentityStore } from './identity-port.js';
import type { ProjectionStore } from './projection-port.js';
import type { DeliveryStore } from './delivery-port.js';
import type { ClientStore, OAuthStore } from './auth-port.js';
import type { LeaseStore } from './lease-port.js';
import type { ReconciliationStore } from './reconciliation-port.js';
import type { ErasureStore } from './erasure-port.js';

/**
 * A statement as the LRS keeps it. `statement` is the stored form (with stored, authority,
 * version) and `json` the same as JSON text, which is what `format=exact` answers: adapters
 * that keep text parse it only when `statement` is read (statement-record.ts).
 */
export interface StatementRecord {
  seq: number;
  id: string;
  voided: boolean;
  /** The statement's `stored` (UTC ISO 8601 with milliseconds). */
  stored: string;
  readonly statement: Record<string, unknown>;
  readonly json: string;
}

/**
 * Key kinds that are narrower than another: every statement with `agent:X` also has `ragent:X`
 * (its actor, or Agent object, is one of its related agents), every one with `authority:X` also
 * `ragent:X`, and every one with `activity:X` also `ractivity:X`. lrs/statements/keys.ts keeps
 * this (and its unit test checks it); an adapter may store such a pair as one index entry.
 * Append only: the SQLite adapter stores each kind's position as a bit (sqlite/key-dictionary.ts).
 */
export const NARROWER_KEYS: readonly { readonly narrow: string; readonly broad: string }[] = [
  { narrow: 'agent:', broad: 'ragent:' },
  { narrow: 'authority:', broad: 'ragent:' },
  { narrow: 'activity:', broad: 'ractivity:' },
];

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
 * What an insert did. Conflicts are data, not exceptions: the HTTP layer
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
  /** Highest seq stored so far (0 when empty); erasing statements does not lower it. */
  maxSeq(): Promise<number>;
  /** The log the projection follows: every statement (voided ones too) above `afterSeq`, in seq order, at most `limit`. */
  readLog(afterSeq: number, limit: number): Promise<StatementRecord[]>;
  /** The statements with these seqs (voided ones too), in seq order. */
  getBySeqs(seqs: number[]): Promise<StatementRecord[]>;
  /**
   * Erases these statements and every stored statement that refers to one of them with a
   * StatementRef (along chains): their rows, index entries, the agent key texts nothing else
   * uses, and the attachment bodies no remaining statement names. Idempotent.
   */
  erase(seqs: number[]): Promise<StatementErasure>;
}

/** What `StatementStore.erase` removed. */
export interface StatementErasure {
  /** Every erased seq, the referrers' too, ascending. */
  seqs: number[];
  attachments: number;
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
  /**
   * Deletes the bodies among these hashes that no stored statement names (an import restores an
   * export's bodies first; those of statements it then refused, e.g. an erased person's, go again).
   * Returns how many it deleted.
   */
  prune(sha2s: string[]): Promise<number>;
}

/**
 * The LRS's canonical Activity definitions (xAPI 1.0.3 Data 2.4.4.1: the LRS may update its
 * canonical definition from the statements it accepts). Part of the statement aggregate:
 * written by the statement write path after an insert, read by GET /activities.
 */
export interface ActivityDefinitionUpdate {
  /** The Activity id (IRI). */
  id: string;
  /** The definition as a statement carried it. */
  definition: Record<string, unknown>;
}

/** Folds a definition seen in a statement into the canonical one (lrs/activities/definition.ts). */
export type DefinitionMerge = (canonical: Record<string, unknown>, incoming: Record<string, unknown>) => Record<string, unknown>;

export interface ActivityStore {
  /**
   * Folds each update, in order, into the stored canonical definition with `merge` (an Activity
   * without one starts from `{}`). Each Activity's read-merge-write is atomic.
   */
  mergeDefinitions(updates: ActivityDefinitionUpdate[], merge: DefinitionMerge): Promise<void>;
  /** The canonical definition of an Activity, or null when no statement defined it. */
  getDefinition(id: string): Promise<Record<string, unknown> | null>;
}

/** The three document resources (xAPI 1.0.3 Communication 2.2–2.7), stored side by side. */
export type DocumentResource = 'state' | 'activity-profile' | 'agent-profile';

/**
 * Where a document lives: its resource and the context that scopes its id. Fields a resource
 * is not scoped by are null (an agent profile has no activityId, an activity profile no agent,
 * only state documents have a registration).
 */
export interface DocumentScope {
  resource: DocumentResource;
  /** Activity id (IRI), as sent. */
  activityId: string | null;
  /** Agent identity (lrs/statements/keys.ts `actorIdentity`). */
  agent: string | null;
  /** Lower-case registration UUID; null is the context without a registration. */
  registration: string | null;
}

/** One document: its scope and its id (stateId / profileId). */
export interface DocumentKey extends DocumentScope {
  id: string;
}

/** What is stored for a document: the bytes exactly as sent, with their type and metadata. */
export interface DocumentContent {
  contentType: string;
  contents: Uint8Array;
  /** Lower-case hex SHA-1 of `contents` (the ETag, unquoted). */
  etag: string;
  /** When the document was last written (UTC ISO 8601 with milliseconds). */
  updated: string;
}

export interface StoredDocument extends DocumentContent {
  id: string;
  /**
   * Opaque token that changes on every write (unlike the ETag, which repeats for equal bytes):
   * what conditional writes compare, so a read-decide-write can tell that it raced.
   */
  revision: string;
}

/**
 * Selects documents of one resource for listing or deleting many. `registration` undefined
 * selects every registration (and none); a value or null selects that context only.
 */
export interface DocumentSelection {
  resource: DocumentResource;
  activityId: string | null;
  agent: string | null;
  registration?: string | null;
}

/** A conditional write either happened or found the document changed since it was read. */
export type DocumentWriteOutcome = { kind: 'written' } | { kind: 'changed' };

/**
 * Documents, written conditionally: the caller reads, decides (preconditions, merge) and
 * writes against the revision it read; on `changed` it decides again.
 */
export interface DocumentStore {
  get(key: DocumentKey): Promise<StoredDocument | null>;
  /** Writes the document if the stored revision is still `expected` (null: there is none). */
  put(key: DocumentKey, document: DocumentContent, expected: string | null): Promise<DocumentWriteOutcome>;
  /**
   * Deletes the document. With `expected` it must still be at that revision; without, a missing
   * document counts as written (deleting is idempotent).
   */
  delete(key: DocumentKey, expected?: string): Promise<DocumentWriteOutcome>;
  /** Ids and update times of the selected documents, by id; with `since`, only those updated strictly after it. */
  list(selection: DocumentSelection, since?: string): Promise<{ id: string; updated: string }[]>;
  /** Deletes the selected documents; returns how many. */
  deleteMany(selection: DocumentSelection): Promise<number>;
  /** Deletes every state and agent-profile document of these agents (an erasure); returns how many. */
  deleteAgents(agents: string[]): Promise<number>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongodb';
  readonly statements: StatementStore;
  readonly attachments: AttachmentStore;
  readonly activities: ActivityStore;
  readonly documents: DocumentStore;
  /** HRIS employees, identity keys, applied HRIS events, identity audit log (identity-port.ts). */
  readonly identity: IdentityStore;
  readonly projections: ProjectionStore;
  /** The marketplace outbox and dead-letter queue, kept on the projection members (delivery-port.ts). */
  readonly delivery: DeliveryStore;
  /** Registered OAuth2 clients (auth-port.ts). */
  readonly clients: ClientStore;
  /** Token families, refresh tokens, signing keys and the authorisation server's audit log (auth-port.ts). */
  readonly oauth: OAuthStore;
  /** Named leases: one process at a time runs a job (lease-port.ts). */
  readonly leases: LeaseStore;
  /** Reports of past reconciliation runs (reconciliation-port.ts). */
  readonly reconciliations: ReconciliationStore;
  /** Erasure records and the tombstone of erased identities (erasure-port.ts). */
  readonly erasures: ErasureStore;
  /**
   * Makes what deletes freed unreadable in the files: on SQLite a truncating WAL checkpoint and
   * an incremental vacuum (deleted content is zeroed as it is deleted, `secure_delete`); nothing
   * on MongoDB, whose deleted documents are gone from the collection.
   */
  compact(): Promise<void>;
  /**
   * Moves what the store has journaled into its files: on SQLite a passive WAL checkpoint, which
   * the background work runs often so that the statement writer never has to (it checkpoints
   * only as a safety net, at a larger WAL); nothing on MongoDB, which does its own.
   */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}
