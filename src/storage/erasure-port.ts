/**
 * Erasures (ARCHITECTURE.md §11): the record of each request to erase a person, which a restarted
 * process finishes, and the tombstone that keeps an erased person from coming back.
 *
 * The tombstone holds keyed hashes of the erased identity keys (HMAC-SHA256 with a key kept in
 * the store, projections/erasure/tombstone.ts), never the keys. While an erasure runs its record
 * holds what it needs to find the person's data (member id, identity keys, agents); the finish
 * removes them, leaving who asked, when, and the counts.
 */

/** `running`: data is being removed; `awaiting-marketplace`: only the marketplace DELETE is left; `done`. */
export type ErasureStatus = 'running' | 'awaiting-marketplace' | 'done';

/** What an erasure removed, per kind (a dry run's are what it would remove). */
export interface ErasureCounts {
  statements: number;
  attachments: number;
  documents: number;
  identity_keys: number;
  unmatched: number;
  profiles: number;
  audit_entries_redacted: number;
}

export const noErasureCounts = (): ErasureCounts => ({
  statements: 0,
  attachments: 0,
  documents: 0,
  identity_keys: 0,
  unmatched: 0,
  profiles: 0,
  audit_entries_redacted: 0,
});

/** Whom an erasure removes, kept only while it runs. */
export interface ErasureSubject {
  memberId: string;
  /** The member's identity keys (projections/identity/keys.ts). */
  keys: string[];
  /** Agent identities (lrs/statements/keys.ts `actorIdentity`) whose documents go too. */
  agents: string[];
}

export interface ErasureRecord {
  /** Sortable by request time. */
  id: string;
  /** Null once the erasure is done. */
  subject: ErasureSubject | null;
  /** Who asked: `cli`, `api:<client id>`, `hris-event:<event id>`. */
  requestedBy: string;
  requestedAt: string;
  status: ErasureStatus;
  counts: ErasureCounts;
  finishedAt: string | null;
}

export type ErasureBegin =
  | { kind: 'started'; record: ErasureRecord }
  /** An erasure of this member is already running: that one is the answer. */
  | { kind: 'running'; record: ErasureRecord };

export interface ErasureStore {
  /**
   * The tombstone's HMAC key: the stored one, or `generated` stored as it when there is none yet
   * (first writer wins), so every process sharing the store hashes alike.
   */
  tombstoneKey(generated: string): Promise<string>;
  /** Records a new erasure and adds the tombstone hashes in one write; one running erasure per member. */
  begin(record: ErasureRecord, tombstones: string[]): Promise<ErasureBegin>;
  /** Records progress of a running erasure (status, counts, the agents found so far). */
  update(id: string, change: { status?: ErasureStatus; counts?: ErasureCounts; subject?: ErasureSubject }): Promise<void>;
  /** Marks it done and forgets its subject. */
  finish(id: string, at: string): Promise<void>;
  get(id: string): Promise<ErasureRecord | null>;
  /** Erasures not done, oldest first (a restarted process finishes them). */
  unfinished(): Promise<ErasureRecord[]>;
  /** Newest first, below `before` when given. */
  list(options: { limit: number; before?: string }): Promise<ErasureRecord[]>;
  /** Whether any of these hashes is in the tombstone. */
  tombstoned(hashes: string[]): Promise<boolean>;
  /** How many hashes the tombstone holds (readers cache it and reload when it grows). */
  tombstoneCount(): Promise<number>;
  /** Every hash of the tombstone. */
  tombstones(): Promise<string[]>;
}
