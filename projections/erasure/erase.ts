/**
 * Erasing a person (ARCHITECTURE.md §11). `requestErasure` records the request and adds the
 * person to the tombstone in one write, so from then on nothing new of them is accepted;
 * `runErasure` removes what is stored, step by step, each step safe to repeat, with the counts
 * recorded after each: a process killed part-way runs it again from the start and only the rest
 * is removed (and counted).
 *
 * Order matters: the identity goes before the profile, so a fold racing the erasure finds no
 * employee to re-profile; the profile becomes an empty `erased` record whose new version the
 * deliverer sends as the marketplace DELETE (§7), and is removed once that is delivered.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/storage/port.js';
import type { ErasureCounts, ErasureRecord, ErasureSubject } from '../../src/storage/erasure-port.js';
import { noErasureCounts } from '../../src/storage/erasure-port.js';
import type { ProfileContent } from '../../src/model/profile.js';
import { Refusal } from '../../src/refusal.js';
import { actorIdentity } from '../../lrs/statements/keys.js';
import { REFRESH_MS, type Tombstone } from './tombstone.js';
import type { Projector } from '../worker/projector.js';
import { employeeIdentityKeys, type IdentityConfig } from '../identity/keys.js';

export interface ErasureDeps {
  store: Store;
  tombstone: Tombstone;
  /** How an employee's identity keys and HRIS account are made. */
  identity: IdentityConfig;
  /** Folds what is stored before the erasure collects the person's statements. */
  projector: Projector;
  /** Whether a deliverer pushes to a marketplace (MARKETPLACE_URL set): then the DELETE is awaited. */
  pushEnabled: boolean;
  now: () => string;
  /** How long after the request before anything is removed (every process's tombstone is current by then). */
  settleMs?: number;
  onProgress?: (step: string) => void;
}

/** Ids sort by request time. */
export function erasureId(at: string): string {
  return `er_${at.replace(/[-:.]/g, '')}_${randomBytes(4).toString('hex')}`;
}

const notFound = (memberId: string) =>
  new Refusal('not-found', 'no-such-member', `No HRIS employee ${memberId} is known (nothing to erase).`, [
    { path: 'member_id', rule: 'known-member', message: `no employee ${memberId}` },
  ]);

/** The agents whose documents go: the HRIS emails as mailboxes, and the HRIS account. */
function agentsOf(employee: { employeeId: string; email: string; secondaryEmails: string[] }, homePage: string | undefined): string[] {
  const agents = [employee.email, ...employee.secondaryEmails].flatMap((e) => [`mbox:mailto:${e}`, `mbox:mailto:${e.toLowerCase()}`]);
  if (homePage !== undefined) agents.push(`account:${homePage} ${employee.employeeId}`, `account:${homePage.replace(/\/+$/, '')}/ ${employee.employeeId}`);
  return [...new Set(agents)];
}

/** Records an erasure of an HRIS employee (or finds the one already running). */
export async function requestErasure(deps: Pick<ErasureDeps, 'store' | 'tombstone' | 'identity' | 'now'>, memberId: string, requestedBy: string): Promise<{ record: ErasureRecord; started: boolean }> {
  const employee = await deps.store.identity.get(memberId);
  if (!employee) {
    // Past its identity step, a running erasure is found by its record alone.
    const running = (await deps.store.erasures.unfinished()).find((r) => r.subject?.memberId === memberId);
    if (running) return { record: running, started: false };
    throw notFound(memberId);
  }
  const at = deps.now();
  const subject: ErasureSubject = { memberId, keys: employeeIdentityKeys(employee, deps.identity), agents: agentsOf(employee, deps.identity.hrisAccountHomePage) };
  const record: ErasureRecord = { id: erasureId(at), subject, requestedBy, requestedAt: at, status: 'running', counts: noErasureCounts(), finishedAt: null };
  const begun = await deps.store.erasures.begin(record, deps.tombstone.hashesOf(employee));
  await deps.tombstone.refresh(true);
  return { record: begun.record, started: begun.kind === 'started' };
}

/** What an erasure of this member would remove, without removing anything (statements referring to theirs are counted when erased). */
export async function planErasure(deps: Pick<ErasureDeps, 'store' | 'identity'>, memberId: string): Promise<{ member_id: string; counts: Partial<ErasureCounts> }> {
  const employee = await deps.store.identity.get(memberId);
  if (!employee) throw notFound(memberId);
  const { store } = deps;
  const keys = employeeIdentityKeys(employee, deps.identity);
  const held = await store.identity.holders(keys);
  const seqs = new Set([...(await store.projections.memberSeqs(memberId)), ...(await store.projections.unmatchedWithKeys(keys))]);
  return {
    member_id: memberId,
    counts: { statements: seqs.size, identity_keys: held.size, profiles: (await store.projections.member(memberId)) ? 1 : 0 },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function erasedContent(publishedId: string, mappingVersion: string): ProfileContent {
  return { member_id: publishedId, email: null, status: 'erased', mapping_version: mappingVersion, completions: [], scores: [], badges: [], enrollments: [], certificates: [], skills: [] };
}

/** Folds until the projection has seen every statement stored now. */
async function catchUp(deps: ErasureDeps): Promise<void> {
  const target = await deps.store.statements.maxSeq();
  while ((await deps.store.projections.checkpoint('statements')) < target) {
    const done = await deps.projector.runBatch();
    if (done.statements === 0 && done.employees === 0) break;
  }
}

/**
 * Runs an erasure as far as it can go now: everything stored, then, with a marketplace, until its
 * DELETE is delivered (run it again later: `awaiting-marketplace`). Returns the record as left.
 */
export async function runErasure(deps: ErasureDeps, record: ErasureRecord): Promise<ErasureRecord> {
  const { store } = deps;
  if (record.status === 'done' || record.subject === null) return record;
  const { id } = record;
  let subject = record.subject;
  const counts = { ...record.counts };
  const step = async (name: string, work: () => Promise<void>) => {
    deps.onProgress?.(name);
    await work();
    await store.erasures.update(id, { counts, subject });
  };

  if (record.status === 'running') {
    const waited = Date.parse(deps.now()) - Date.parse(record.requestedAt);
    const settle = deps.settleMs ?? REFRESH_MS * 2;
    if (waited < settle) await sleep(settle - waited);
    const { memberId, keys } = subject;
    await catchUp(deps);
    const member = await store.projections.member(memberId);
    const seqs = [...new Set([...(await store.projections.memberSeqs(memberId)), ...(await store.projections.unmatchedWithKeys(keys))])].sort((a, b) => a - b);
    const agents = new Set(subject.agents);
    for (const r of await store.statements.getBySeqs(seqs)) {
      const agent = actorIdentity(r.statement.actor);
      if (agent !== null) agents.add(agent);
    }
    subject = { ...subject, agents: [...agents] };
    await step('identity', async () => {
      const erased = await store.identity.erase(memberId, `erased:${id}`);
      counts.identity_keys += erased.keys;
      counts.audit_entries_redacted += erased.auditRedacted;
    });
    let erasedSeqs: number[] = [];
    await step('statements', async () => {
      const erased = await store.statements.erase(seqs);
      erasedSeqs = erased.seqs;
      counts.statements += erased.seqs.length;
      counts.attachments += erased.attachments;
    });
    // Statements of other members that referred to the person's went too: those members fold again.
    const others = new Set([...(await store.projections.membersOfSeqs(erasedSeqs)).values()].filter((m) => m !== memberId));
    await step('documents', async () => {
      counts.documents += await store.documents.deleteAgents(subject.agents);
    });
    let hadProfile = false;
    await step('profile', async () => {
      const erased = await store.projections.erase({
        memberId,
        seqs: erasedSeqs,
        keys,
        erased: erasedContent(member?.publishedId ?? memberId, member?.content.mapping_version ?? ''),
        at: deps.now(),
      });
      hadProfile = erased.profile;
      counts.unmatched += erased.unmatched;
      if (erased.profile && member?.content.status !== 'erased') counts.profiles += 1;
    });
    for (const other of others) await deps.projector.rebuildMember(other);
    record = { ...record, status: deps.pushEnabled && hadProfile ? 'awaiting-marketplace' : 'running', counts, subject };
    await store.erasures.update(id, { status: record.status, counts, subject });
    if (record.status === 'running') return finish(deps, record);
  }
  const delivery = await store.delivery.status(subject.memberId);
  if (delivery !== null && delivery.deliveredVersion < delivery.version) return { ...record, status: 'awaiting-marketplace', counts, subject };
  return finish(deps, { ...record, counts, subject });
}

async function finish(deps: ErasureDeps, record: ErasureRecord): Promise<ErasureRecord> {
  const { store } = deps;
  deps.onProgress?.('compact');
  if (record.subject !== null) await store.projections.remove(record.subject.memberId);
  const at = deps.now();
  await store.erasures.finish(record.id, at);
  await store.compact();
  return { ...record, status: 'done', subject: null, finishedAt: at };
}
