/**
 * The tombstone of erased people (ARCHITECTURE.md §11): keyed hashes of their identity keys and
 * member ids, never the keys themselves. Whatever could bring an erased person back asks it: the
 * statement write path (a new statement about them is refused), the fold (a statement that
 * slipped in is neither linked nor kept as unmatched), and HRIS sync (their row is skipped).
 *
 * The HMAC key is kept in the store (first writer wins, like the pseudonym key), so every
 * process sharing the store hashes alike. Each process caches the hashes and reloads them when
 * their count changes, checked at most every `REFRESH_MS`; an erasure waits that long after it
 * begins before it removes anything, so every process refuses the person by then.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ErasureStore } from '../../src/storage/erasure-port.js';
import { actorIdentityKeys, employeeIdentityKeys, type IdentityConfig } from '../identity/keys.js';
import type { Employee } from '../../src/storage/identity-port.js';

export const REFRESH_MS = 1_000;

const memberKey = (memberId: string) => `member:${memberId}`;

export class Tombstone {
  private hashes: ReadonlySet<string> = new Set();
  private count = -1;
  private checkedAt = -Infinity;

  private constructor(
    private readonly store: ErasureStore,
    private readonly key: string,
    private readonly identity: IdentityConfig,
    private readonly clock: () => number,
  ) {}

  static async open(store: ErasureStore, identity: IdentityConfig, clock: () => number = Date.now): Promise<Tombstone> {
    const key = await store.tombstoneKey(randomBytes(32).toString('base64url'));
    return new Tombstone(store, key, identity, clock);
  }

  /** The hashes an erasure of this employee adds: each identity key and the member id. */
  hashesOf(employee: Pick<Employee, 'employeeId' | 'email' | 'secondaryEmails'>): string[] {
    return [...employeeIdentityKeys(employee, this.identity), memberKey(employee.employeeId)].map((k) => this.hash(k));
  }

  /** Reloads the hashes when another process (or this one) added some since the last look. */
  async refresh(force = false): Promise<void> {
    const now = this.clock();
    if (!force && now - this.checkedAt < REFRESH_MS) return;
    this.checkedAt = now;
    const count = await this.store.tombstoneCount();
    if (count === this.count) return;
    this.hashes = new Set(await this.store.tombstones());
    this.count = count;
  }

  /** Whether an xAPI actor is an erased person (by any identity key it carries); call refresh first. */
  actorErased(actor: unknown): boolean {
    return this.hashes.size > 0 && this.keysErased(actorIdentityKeys(actor, this.identity));
  }

  /** Whether any of these identity keys belongs to an erased person. */
  keysErased(keys: readonly string[]): boolean {
    return this.hashes.size > 0 && keys.some((k) => this.hashes.has(this.hash(k)));
  }

  /** Whether this HRIS employee id is an erased person's. */
  memberErased(employeeId: string): boolean {
    return this.hashes.size > 0 && this.hashes.has(this.hash(memberKey(employeeId)));
  }

  /** Whether an HRIS row names an erased person: by employee id or by any of its keys. */
  employeeErased(employee: Pick<Employee, 'employeeId' | 'email' | 'secondaryEmails'>): boolean {
    return this.hashes.size > 0 && this.hashesOf(employee).some((h) => this.hashes.has(h));
  }

  private hash(identityKey: string): string {
    return createHmac('sha256', this.key).update(identityKey, 'utf8').digest('hex');
  }
}
