/**
 * The projector folds the two ordered logs — statements by seq and HRIS employee changes by
 * changeSeq — into member profiles. One `runBatch` reads from the checkpoints, works in
 * memory and commits once (ProjectionStore.commit), so a crash at any point either lost the
 * whole batch (it is redone) or committed it whole: nothing is lost or counted twice.
 *
 * Voiding never subtracts: the member whose statement was voided is recomputed from the
 * statements attributed to it, which is also how a rebuild computes every member.
 *
 * A commit the store refuses as a conflict (another writer moved a member on since it was read;
 * projection-port.ts CommitOutcome) changed nothing that counts: the batch is read and folded
 * again from the checkpoints, a few times, before the projector gives up (WriteContentionError).
 */
import type { StatementRecord, Store } from '../../src/storage/port.js';
import type { StoredEmployee } from '../../src/storage/identity-port.js';
import type { CommitOutcome, MemberRecord, ProjectionBatch } from '../../src/storage/projection-port.js';
import { WriteContentionError } from '../../src/storage/contention.js';
import type { Mapping } from '../mapping/index.js';
import { foldStatement } from '../fold/evolve.js';
import { contentChanged, renderContent } from '../fold/render.js';
import { emptyFold, type MemberFold } from '../../src/model/member-fold.js';
import { isVoiding, statementRefTarget } from '../../lrs/statements/keys.js';
import type { Tombstone } from '../erasure/tombstone.js';

/** How actors and employees map to identity keys, and the id a member is published under. */
export interface IdentityRules {
  actorKeys(actor: unknown): string[];
  employeeKeys(employee: StoredEmployee): string[];
  publishedId(employee: StoredEmployee): string;
}

export interface ProjectorDeps {
  store: Store;
  mapping: Mapping;
  identity: IdentityRules;
  now: () => string;
  /** Erased people: a statement of theirs that slipped in is neither linked nor kept as unmatched. */
  tombstone?: Tombstone;
}

export const CHECKPOINT = { statements: 'statements', identity: 'identity' } as const;

/**
 * Statements per batch. Each batch rewrites every member it touches once, so larger batches
 * amortise that over more statements (measured with 2,000 members: 500 → ~8k, 2,000 → ~16k,
 * 10,000 → ~40k statements/s). The log is read in pages, so only a page of statements is held at a time.
 */
export const DEFAULT_BATCH_SIZE = 10_000;
const LOG_PAGE = 2_000;
/** Actor resolutions remembered across batches; all are forgotten when an employee changes. */
const REMEMBERED_ACTORS = 50_000;
/** Times a batch is redone from fresh reads after a conflict before the projector gives up. */
export const MAX_CONFLICT_ATTEMPTS = 5;

type Conflict = Extract<CommitOutcome, { kind: 'conflict' }>;
/** A commit's outcome as the projector sees it. */
type Committed = { kind: 'committed'; membersChanged: number } | Conflict;
/** One attempt of a run: its result, or the conflict that makes it run again. */
type Attempt<T> = { kind: 'committed'; result: T } | Conflict;

interface MemberWork {
  employee: StoredEmployee;
  previous: MemberRecord | null;
  state: MemberFold;
  lastSeq: number;
  /**
   * Statements up to this seq are already in `state`. Normally below every seq read, it
   * matters on a replay after a crash in the MongoDB adapter, where member records can be
   * written before the checkpoint: folding such a statement again would count it twice.
   */
  foldedThrough: number;
  /** Fold again from all attributed statements (after a void or newly resolved statements). */
  recompute: boolean;
}

export interface BatchResult {
  statements: number;
  employees: number;
  membersChanged: number;
}

/** One unit of work: members loaded once, links and unmatched rows gathered, committed together. */
class UnitOfWork {
  readonly members = new Map<string, MemberWork>();
  readonly links: { memberId: string; seq: number }[] = [];
  readonly unmatched: { seq: number; keys: string[] }[] = [];
  readonly resolved: number[] = [];
  readonly linkedHere = new Map<number, string>();
  readonly linkedBefore = new Map<number, string>();

  constructor(
    private readonly deps: ProjectorDeps,
    /** A rebuild starts every member from nothing and ignores stored links. */
    readonly fromScratch: boolean,
    /** Actor identity keys (joined) → member, or null for nobody: the projector's, or one for this unit alone. */
    readonly actors: Map<string, string | null> = new Map(),
  ) {}

  async member(memberId: string): Promise<MemberWork | null> {
    const known = this.members.get(memberId);
    if (known) return known;
    const employee = await this.deps.store.identity.get(memberId);
    if (!employee) return null;
    const previous = await this.deps.store.projections.member(memberId);
    const work: MemberWork = {
      employee,
      previous,
      state: this.fromScratch || !previous ? emptyFold() : previous.state,
      lastSeq: this.fromScratch || !previous ? 0 : previous.lastSeq,
      foldedThrough: this.fromScratch || !previous ? 0 : previous.lastSeq,
      recompute: false,
    };
    this.members.set(memberId, work);
    return work;
  }

  link(memberId: string, seq: number): void {
    this.links.push({ memberId, seq });
    this.linkedHere.set(seq, memberId);
  }
}

export class Projector {
  /**
   * Who each actor resolved to, kept across batches: resolving is a store read per actor, and
   * the answer changes only with an employee change, which this projector reads in its own log
   * before the statements of the same batch (and then forgets every answer). A statement that
   * arrives while an HRIS change is being committed may so be attributed as just before the
   * change rather than just after; a store read had the same race, over a shorter window.
   */
  private readonly actors = new Map<string, string | null>();

  constructor(private readonly deps: ProjectorDeps) {}

  /** Folds up to `limit` statements and employee changes past the checkpoints; returns what it did. */
  runBatch(limit = DEFAULT_BATCH_SIZE): Promise<BatchResult> {
    return this.untilCommitted('a projection batch', () => this.tryBatch(limit));
  }

  /**
   * Recomputes every member from the whole log; versions rise only where content changed.
   * `onProgress` is told the statements folded so far, a page at a time (from 0 again when a
   * conflict makes it start over).
   */
  rebuildAll(pageSize = 5_000, onProgress?: (statements: number) => void): Promise<BatchResult> {
    return this.untilCommitted('a projection rebuild', () => this.tryRebuildAll(pageSize, onProgress));
  }

  /** Recomputes one member from the statements attributed to it. */
  rebuildMember(memberId: string): Promise<boolean> {
    return this.untilCommitted(`the rebuild of member ${memberId}`, () => this.tryRebuildMember(memberId));
  }

  /** Runs `attempt` (which reads afresh each time) until its commit is not a conflict. */
  private async untilCommitted<T>(what: string, attempt: () => Promise<Attempt<T>>): Promise<T> {
    let memberId = '';
    for (let n = 1; n <= MAX_CONFLICT_ATTEMPTS; n++) {
      const outcome = await attempt();
      if (outcome.kind === 'committed') return outcome.result;
      memberId = outcome.memberId;
      // Who an actor is may have changed with whatever the other writer saw.
      this.actors.clear();
    }
    throw new WriteContentionError(`${what} conflicted ${MAX_CONFLICT_ATTEMPTS} times (last on member ${memberId}: another writer is projecting into this store); nothing of it was committed`);
  }

  private async tryBatch(limit: number): Promise<Attempt<BatchResult>> {
    const { store } = this.deps;
    if (this.actors.size > REMEMBERED_ACTORS) this.actors.clear();
    const work = new UnitOfWork(this.deps, false, this.actors);
    await this.deps.tombstone?.refresh();
    const identityFrom = await store.projections.checkpoint(CHECKPOINT.identity);
    const statementsFrom = await store.projections.checkpoint(CHECKPOINT.statements);
    const employees = await store.identity.changesSince(identityFrom, limit);
    if (employees.length > 0) this.actors.clear();
    for (const employee of employees) await this.applyEmployee(work, employee);
    let seq = statementsFrom;
    let statements = 0;
    while (statements < limit) {
      const records = await store.statements.readLog(seq, Math.min(LOG_PAGE, limit - statements));
      if (records.length === 0) break;
      // On a replay (MongoDB, after a crash) a statement may already be linked: it stays with that member.
      for (const [linked, memberId] of await store.projections.membersOfSeqs(records.map((r) => r.seq))) work.linkedBefore.set(linked, memberId);
      for (const record of records) await this.applyStatement(work, record);
      statements += records.length;
      seq = (records.at(-1) as StatementRecord).seq;
    }
    const committed = await this.commit(work, { [CHECKPOINT.identity]: employees.at(-1)?.changeSeq ?? identityFrom, [CHECKPOINT.statements]: seq });
    if (committed.kind === 'conflict') return committed;
    return { kind: 'committed', result: { statements, employees: employees.length, membersChanged: committed.membersChanged } };
  }

  private async tryRebuildAll(pageSize: number, onProgress?: (statements: number) => void): Promise<Attempt<BatchResult>> {
    const { store } = this.deps;
    const work = new UnitOfWork(this.deps, true);
    await this.deps.tombstone?.refresh();
    let employees = 0;
    let changeSeq = 0;
    for (;;) {
      const page = await store.identity.changesSince(changeSeq, pageSize);
      if (page.length === 0) break;
      for (const employee of page) await work.member(employee.employeeId);
      employees += page.length;
      changeSeq = page.at(-1)?.changeSeq ?? changeSeq;
    }
    let seq = 0;
    let statements = 0;
    for (;;) {
      const page = await store.statements.readLog(seq, pageSize);
      if (page.length === 0) break;
      for (const record of page) await this.applyStatement(work, record);
      statements += page.length;
      seq = page.at(-1)?.seq ?? seq;
      onProgress?.(statements);
    }
    const committed = await this.commit(work, { [CHECKPOINT.identity]: changeSeq, [CHECKPOINT.statements]: seq }, true);
    if (committed.kind === 'conflict') return committed;
    return { kind: 'committed', result: { statements, employees, membersChanged: committed.membersChanged } };
  }

  private async tryRebuildMember(memberId: string): Promise<Attempt<boolean>> {
    const work = new UnitOfWork(this.deps, false);
    const member = await work.member(memberId);
    if (!member) return { kind: 'committed', result: false };
    member.recompute = true;
    const committed = await this.commit(work, {});
    return committed.kind === 'conflict' ? committed : { kind: 'committed', result: true };
  }

  private async applyEmployee(work: UnitOfWork, employee: StoredEmployee): Promise<void> {
    const member = await work.member(employee.employeeId);
    if (!member) return;
    member.employee = employee;
    const seqs = await this.deps.store.projections.unmatchedWithKeys(this.deps.identity.employeeKeys(employee));
    if (seqs.length === 0) return;
    for (const seq of seqs) work.link(employee.employeeId, seq);
    work.resolved.push(...seqs);
    member.recompute = true;
  }

  /** The member an actor resolves to; resolutions are cached per unit of work (the identity is fixed within one). */
  private async resolveActor(work: UnitOfWork, actor: unknown): Promise<{ memberId: string | null; keys: string[] }> {
    const keys = this.deps.identity.actorKeys(actor);
    if (keys.length === 0) return { memberId: null, keys };
    const cacheKey = keys.join('\n');
    let memberId = work.actors.get(cacheKey);
    if (memberId === undefined) {
      const holders = await this.deps.store.identity.holders(keys);
      const key = keys.find((k) => holders.has(k));
      memberId = key === undefined ? null : (holders.get(key) ?? null);
      work.actors.set(cacheKey, memberId);
    }
    return { memberId, keys };
  }

  private async applyStatement(work: UnitOfWork, record: StatementRecord): Promise<void> {
    const { statement, seq } = record;
    if (isVoiding(statement)) {
      // From scratch, the voided target is skipped when read (its voided flag is current).
      if (work.fromScratch) return;
      const target = await this.deps.store.statements.get(statementRefTarget(statement) as string, true);
      if (!target) return;
      const memberId = work.linkedHere.get(target.seq) ?? (await this.deps.store.projections.membersOfSeqs([target.seq])).get(target.seq);
      const member = memberId === undefined ? null : await work.member(memberId);
      if (member) member.recompute = true;
      return;
    }
    const linked = work.linkedBefore.get(seq);
    const { memberId, keys } = linked !== undefined ? { memberId: linked, keys: [] } : await this.resolveActor(work, statement.actor);
    if (memberId === null) {
      if (keys.length > 0 && this.deps.tombstone?.keysErased(keys) !== true) work.unmatched.push({ seq, keys });
      return;
    }
    const member = await work.member(memberId);
    if (!member) return;
    work.link(memberId, seq);
    member.lastSeq = Math.max(member.lastSeq, seq);
    if (!record.voided && !member.recompute && seq > member.foldedThrough) foldStatement(member.state, statement, seq, this.deps.mapping);
  }

  private async recompute(work: UnitOfWork, memberId: string, member: MemberWork): Promise<void> {
    const stored = work.fromScratch ? [] : await this.deps.store.projections.memberSeqs(memberId);
    const here = work.links.filter((l) => l.memberId === memberId).map((l) => l.seq);
    const seqs = [...new Set([...stored, ...here])].sort((a, b) => a - b);
    member.state = emptyFold();
    for (const record of await this.deps.store.statements.getBySeqs(seqs)) {
      if (!record.voided && !isVoiding(record.statement)) foldStatement(member.state, record.statement, record.seq, this.deps.mapping);
      member.lastSeq = Math.max(member.lastSeq, record.seq);
    }
  }

  private async commit(work: UnitOfWork, checkpoints: Record<string, number>, replaceAll = false): Promise<Committed> {
    const now = this.deps.now();
    const members: MemberRecord[] = [];
    let changedCount = 0;
    for (const [memberId, member] of work.members) {
      if (member.recompute && !work.fromScratch) await this.recompute(work, memberId, member);
      const { employee } = member;
      const contractor = employee.workerType === 'contractor';
      const content = renderContent(
        member.state,
        { memberId: this.deps.identity.publishedId(employee), email: contractor ? null : employee.email.toLowerCase(), status: employee.status },
        this.deps.mapping,
      );
      const previous = member.previous;
      const changed = contentChanged(previous?.content ?? null, content);
      if (changed) changedCount += 1;
      members.push({
        memberId,
        publishedId: content.member_id,
        content,
        state: member.state,
        version: changed ? (previous?.version ?? 0) + 1 : (previous?.version ?? 1),
        updatedAt: changed ? now : (previous?.updatedAt ?? now),
        lastSeq: member.lastSeq,
      });
    }
    const outcome = await this.deps.store.projections.commit({
      checkpoints,
      members,
      links: work.links,
      unmatched: work.unmatched,
      resolved: work.resolved,
      replaceAll,
    });
    return outcome.kind === 'conflict' ? outcome : { kind: 'committed', membersChanged: changedCount };
  }
}
